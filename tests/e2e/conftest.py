"""The whole system as a user runs it: `newsroom up` in a subprocess, on private ports and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.servers import RedisServer, free_port, free_port_pair
from support.system import NEWSROOM, RunningSystem, wait_ready


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis-data")
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def system(tmp_path: Path, private_redis: RedisServer) -> Iterator[RunningSystem]:
    ports = {"ingest": free_port(), "render": free_port(), "enrich": free_port_pair()}
    var_dir = tmp_path / "var"
    process = subprocess.Popen(
        [
            NEWSROOM,
            "up",
            "--var",
            str(var_dir),
            "--redis-url",
            private_redis.url,
            "--ingest-port",
            str(ports["ingest"]),
            "--render-port",
            str(ports["render"]),
            "--enrich-port",
            str(ports["enrich"]),
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
    )
    assert process.stdout is not None
    reader = threading.Thread(
        target=lambda: running.output.extend(iter(process.stdout.readline, "")),
        daemon=True,  # type: ignore[union-attr]
    )
    reader.start()
    try:
        for url in (running.ingest_url, running.render_url, running.enrich_url):
            wait_ready(url, process)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # what Ctrl-C does
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=5)
        artifacts = Path(os.environ.get("NEWSROOM_TEST_ARTIFACTS", "test-artifacts"))
        artifacts.mkdir(parents=True, exist_ok=True)
        (artifacts / "newsroom-up.log").write_text("".join(running.output))
