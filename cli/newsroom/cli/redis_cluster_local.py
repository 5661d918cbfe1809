"""`newsroom up --redis-cluster`: a local Redis Cluster of 3 masters and 3 replicas on ports
7000-7005 (cluster bus 17000-17005), each node's data and nodes.conf under ./var/redis-cluster/.
Nodes already running there are used as they are; a cluster that was created before keeps its
layout (nodes.conf) on restart."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import redis

from newsroom.cli.redis_local import answers, durable_options

PORTS = range(7000, 7006)
URL = f"redis://127.0.0.1:{PORTS[0]}"
# Small enough that a dead master's replica takes over within seconds on one machine.
NODE_TIMEOUT_MS = 2000


def _binary(name: str) -> str:
    binary = shutil.which(name)
    if binary is None:
        raise SystemExit(f"{name} is not installed (apt-get install redis-server redis-tools).")
    return binary


def _cluster_ok(port: int) -> bool:
    client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        info = client.execute_command("CLUSTER", "INFO")  # type: ignore[no-untyped-call]
    except redis.RedisError:
        return False
    finally:
        client.close()
    return b"cluster_state:ok" in info


def _has_slots(port: int) -> bool:
    client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        info = client.execute_command("CLUSTER", "INFO")  # type: ignore[no-untyped-call]
    finally:
        client.close()
    return b"cluster_slots_assigned:0" not in info


def start_local_cluster(
    var_dir: Path, ports: Sequence[int] = PORTS
) -> list[subprocess.Popen[bytes]]:
    """Starts the nodes (on `ports`: masters, then their replicas) not running yet, creates the
    cluster if it never was, and returns once every node reports `cluster_state:ok`; the
    processes it started."""
    server = _binary("redis-server")
    started: list[subprocess.Popen[bytes]] = []
    for port in ports:
        if answers(f"redis://127.0.0.1:{port}", timeout=0.2):
            continue
        data = var_dir / "redis-cluster" / str(port)
        data.mkdir(parents=True, exist_ok=True)
        started.append(
            subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    server,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    str(NODE_TIMEOUT_MS),
                    *durable_options(data),
                ],
                start_new_session=True,
            )
        )
    try:
        _wait(lambda: all(answers(f"redis://127.0.0.1:{p}", timeout=0.2) for p in ports), 15)
        if not _has_slots(ports[0]):
            subprocess.run(  # noqa: S603 - fixed argv, no shell
                [
                    _binary("redis-cli"),
                    "--cluster",
                    "create",
                    *(f"127.0.0.1:{port}" for port in ports),
                    "--cluster-replicas",
                    "1",
                    "--cluster-yes",
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
        _wait(lambda: all(_cluster_ok(port) for port in ports), 60)
    except BaseException:
        stop_nodes(started)
        raise
    return started


def stop_nodes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait(ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise SystemExit(f"the local Redis Cluster was not ready within {timeout:.0f} s")
