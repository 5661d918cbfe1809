"""The whole system as a user runs it: `newsroom up` in a subprocess, on private ports and Redis.

The ports are chosen free, but another process may take one before the service binds it: a
start that fails on "address already in use" is tried again on other ports. Each test's (and
each attempt's) `newsroom up` output is kept under its own name in the artifacts folder."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from support.cluster import LocalRedisCluster
from support.servers import RedisServer, distinct_free_ports, free_port_pair
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


def start_system(
    var_dir: Path, redis: RedisServer | str, env: Mapping[str, str] | None = None
) -> RunningSystem:
    """`newsroom up` on `redis` (a server, or a URL), with `env` added to the environment."""
    redis_url = redis if isinstance(redis, str) else redis.url
    ingest, render, archive = distinct_free_ports(3)
    ports = {
        "ingest": ingest,
        "render": render,
        "enrich": free_port_pair(avoid=(ingest, render, archive)),
        "archive": archive,
    }
    process = subprocess.Popen(
        [
            NEWSROOM,
            "up",
            "--var",
            str(var_dir),
            "--redis-url",
            redis_url,
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
        env={**os.environ, "LOG_LEVEL": "INFO", **(env or {})},
        start_new_session=True,
    )
    running = RunningSystem(
        process,
        var_dir,
        f"http://127.0.0.1:{ports['ingest']}",
        f"http://127.0.0.1:{ports['render']}",
        f"http://127.0.0.1:{ports['enrich']}",
        redis_url=redis_url,
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


@contextlib.contextmanager
def running_system(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    redis: RedisServer | str,
    env: Mapping[str, str] | None = None,
) -> Iterator[RunningSystem]:
    """`newsroom up` until every service is ready (on other ports if one was taken), stopped on
    exit with its output kept in the artifacts folder."""
    artifacts = Path(os.environ.get("NEWSROOM_TEST_ARTIFACTS", "test-artifacts"))
    name = "newsroom-up-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for attempt in range(1, STARTS + 1):
        running = start_system(tmp_path / f"var-{attempt}", redis, env)
        try:
            # Every worker, the second enrich too: each loads its models at its own pace.
            for url in (
                running.ingest_url,
                running.render_url,
                running.enrich_url,
                running.second_enrich_url,
            ):
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


@pytest.fixture
def system(
    request: pytest.FixtureRequest, tmp_path: Path, private_redis: RedisServer
) -> Iterator[RunningSystem]:
    with running_system(request, tmp_path, private_redis) as running:
        yield running


# The cluster variant: 6 shards over 3 masters (2 each), each master with a replica; entries a
# dead consumer (or a lost delivery) left pending are reclaimed after 5 s instead of minutes.
CLUSTER_ENV = {"REDIS_CLUSTER": "true", "STREAM_SHARDS": "6", "RECLAIM_IDLE_MS": "5000"}


@pytest.fixture
def redis_cluster(tmp_path: Path) -> Iterator[LocalRedisCluster]:
    with LocalRedisCluster(tmp_path / "cluster", node_timeout_ms=1000) as cluster:
        yield cluster


@pytest.fixture
def cluster_system(
    request: pytest.FixtureRequest, tmp_path: Path, redis_cluster: LocalRedisCluster
) -> Iterator[RunningSystem]:
    """`newsroom up` on a local Redis Cluster (REDIS_CLUSTER=true, STREAM_SHARDS=6)."""
    with running_system(request, tmp_path, redis_cluster.url, CLUSTER_ENV) as running:
        yield running
