"""The whole system as a user runs it: `newsroom up` in a subprocess, on private ports and Redis.

The ports are chosen free, but another process may take one before the service binds it: a
start that fails on "address already in use" is tried again on other ports. Each test's (and
each attempt's) `newsroom up` output is kept under its own name in the artifacts folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.servers import RedisServer, free_port, free_port_pair
from support.system import NEWSROOM, RunningSystem, wait_ready

ADDRESS_IN_USE = "address already in use"
STARTS = 3


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis-data")
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()


def start_system(var_dir: Path, redis: RedisServer) -> RunningSystem:
    ports = {
        "ingest": free_port(),
        "render": free_port(),
        "enrich": free_port_pair(),
        "archive": free_port(),
    }
    process = subprocess.Popen(
        [
            NEWSROOM,
            "up",
            "--var",
            str(var_dir),
            "--redis-url",
            redis.url,
            "--ingest-port",
            str(ports["ingest"]),
            "--render-port",
            str(ports["render"]),
            "--enrich-port",
            str(ports["enrich"]),
            "--archive-port",
            str(ports["archive"]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "LOG_LEVEL": "INFO"},
        start_new_session=True,
    )
    running = RunningSystem(
        process,
        var_dir,
        f"http://127.0.0.1:{ports['ingest']}",
        f"http://127.0.0.1:{ports['render']}",
        f"http://127.0.0.1:{ports['enrich']}",
        redis_url=redis.url,
        archive_url=f"http://127.0.0.1:{ports['archive']}",
    )
    assert process.stdout is not None
    running.reader = threading.Thread(
        target=lambda: running.output.extend(iter(process.stdout.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    )
    running.reader.start()
    return running


def stop_system(running: RunningSystem, log: Path) -> None:
    process = running.process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if running.reader is not None:
        running.reader.join(timeout=5)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(running.output))


@pytest.fixture
def system(
    request: pytest.FixtureRequest, tmp_path: Path, private_redis: RedisServer
) -> Iterator[RunningSystem]:
    artifacts = Path(os.environ.get("NEWSROOM_TEST_ARTIFACTS", "test-artifacts"))
    name = "newsroom-up-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for attempt in range(1, STARTS + 1):
        running = start_system(tmp_path / f"var-{attempt}", private_redis)
        try:
            for url in (running.ingest_url, running.render_url, running.enrich_url):
                wait_ready(url, running.process)
        except AssertionError:
            stop_system(running, artifacts / f"{name}.attempt-{attempt}.log")
            if attempt < STARTS and ADDRESS_IN_USE in "".join(running.output).lower():
                continue  # a port was taken between choosing it and binding it
            raise
        break
    try:
        yield running
    finally:
        stop_system(running, artifacts / f"{name}.log")
