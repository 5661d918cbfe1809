"""Real servers of our own for tests: never the machine's shared ones."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Collection, Sequence
from pathlib import Path

import redis


def free_port_pair(avoid: Collection[int] = ()) -> int:
    """A free port whose successor is free too (for `newsroom up`'s two enrich workers),
    neither of them in `avoid`."""
    for _ in range(100):
        port = free_port()
        if port in avoid or port + 1 in avoid:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two adjacent free ports")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def distinct_free_ports(count: int) -> list[int]:
    """`count` different free ports. The sockets are held open together while the kernel
    picks, so it cannot hand out one port twice, as two calls of free_port() can (two
    services of one system were once given the same port)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for held in sockets:
            held.bind(("127.0.0.1", 0))
        return [int(held.getsockname()[1]) for held in sockets]
    finally:
        for held in sockets:
            held.close()


def redis_server_command(
    directory: Path, port: int, *, appendonly: bool = True, options: Sequence[str] = ()
) -> list[str]:
    """The command line of a foreground redis-server on 127.0.0.1:`port`, its files in
    `directory`, with further `options` ("--name", "value", ...)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    return [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(directory),
        "--appendonly",
        "yes" if appendonly else "no",
        "--save",
        "",
        "--daemonize",
        "no",
        "--logfile",
        str(directory / "redis.log"),
        *options,
    ]


class RedisServer:
    """A redis-server process of our own, started and stopped at will."""

    def __init__(self, directory: Path, port: int | None = None, appendonly: bool = True) -> None:
        self.directory = directory
        # A port chosen here may be taken by another process before redis-server binds it:
        # the first start then tries other ones. A restart keeps its port (clients know it).
        self._may_move = port is None
        self.port = port or free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        for attempt in range(1, 4):
            if self._start_once():
                self._may_move = False
                return
            if not self._may_move or attempt == 3:
                break
            self.port = free_port()
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def _start_once(self) -> bool:
        self.process = subprocess.Popen(
            redis_server_command(self.directory, self.port, appendonly=self.appendonly),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if client.ping():
                        return True
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
