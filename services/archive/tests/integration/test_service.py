"""The archive service as it runs (`newsroom-archive serve`), and `newsroom status`: health,
readiness, the status figures as Prometheus gauges and as text, JSON log lines, and a clean
exit on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis

from archive_test_support import article_event, publish
from newsroom.shared.streams import articles_stream
from support.servers import free_port
from support.system import poll

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
# Its budget is GRACEFUL_TIMEOUT_SECONDS (20) for in-flight batches and 5 s per background
# loop; the rest is the margin of a loaded shared machine.
STOPS_WITHIN_SECONDS = 45


def test_health_readiness_gauges_and_status(redis_url: str, tmp_path: Path) -> None:
    asyncio.run(publish(redis_url, articles_stream(), [article_event(n) for n in range(5)]))
    client = redis.Redis.from_url(redis_url)
    client.xgroup_create(articles_stream(), "render", id="0", mkstream=True)  # read nothing yet
    client.close()
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "HTTP_PORT": str(port),
        "STREAM_RETENTION": "0",
        "TRIM_INTERVAL_SECONDS": "0.2",
    }
    log = (tmp_path / "archive.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "newsroom-archive"), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = poll(
            lambda: _get(f"{base}/readyz"), lambda r: r is not None and r.status_code == 200
        )
        assert ready is not None
        assert ready.json()["status"] == "ready"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}

        def metrics() -> str:
            return httpx.get(f"{base}/metrics").text

        expected = [
            'newsroom_archive_stored_events{stream="newsroom:articles:0"} 5.0',
            'newsroom_stream_length{stream="newsroom:articles:0"} 5.0',
            # Render and enrich read nothing: they hold trimming back, and their lag shows.
            'newsroom_stream_group_lag{group="render",stream="newsroom:articles:0"} 5.0',
            'newsroom_stream_group_pending{group="archive",stream="newsroom:articles:0"} 0.0',
            'newsroom_archive_trim_held_back{limit="group",stream="newsroom:articles:0"} 1.0',
        ]
        text = poll(metrics, lambda t: all(line in t for line in expected))
        assert "newsroom_redis_used_memory_bytes" in text
        assert "newsroom_status_dead_letters 0.0" in text

        status = subprocess.run(
            [
                str(BIN / "newsroom"),
                "status",
                "--redis-url",
                redis_url,
                "--archive-database-url",
                database_url,
                "--var",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert status.returncode == 0, status.stderr
        lines = status.stdout.splitlines()
        assert lines[0].startswith("redis used_memory ")
        assert any(
            line.startswith("newsroom:articles:0: length 5,")
            and "archived 5 (high-water mark" in line
            and "trimming limited by group " in line  # enrich and render: neither read
            for line in lines
        ), status.stdout
        assert "  group render: lag 5, pending 0" in lines
        assert "  group archive: lag 0, pending 0" in lines
        assert "outbox backlog unknown" in lines  # no ingest database in this folder
        assert "dead letters 0" in lines
    finally:
        process.terminate()
        try:
            exit_status: int | None = process.wait(timeout=STOPS_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            exit_status = None
            process.kill()
            process.wait(timeout=30)
        log.close()
    assert exit_status is not None, f"still running {STOPS_WITHIN_SECONDS} s after SIGTERM"
    assert exit_status in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
    events = [
        json.loads(line).get("event")
        for line in (tmp_path / "archive.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert "archive_starting" in events
    # Every shutdown hook ran to its end (the store closed), nothing left behind.
    assert "archive_stopped" in events
    assert "background_task_did_not_stop" not in events


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
