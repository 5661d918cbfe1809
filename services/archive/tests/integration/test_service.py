"""The archive service as it runs (`newsroom-archive serve`), and `newsroom status`: health,
readiness, the status figures as Prometheus gauges and as text, JSON log lines."""

from __future__ import annotations

import asyncio
import json
import os
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
            process.wait(timeout=90)  # a loaded shared machine: well above its 20 s budget
        except subprocess.TimeoutExpired:
            # Known defect, not what this test is about: once in a few CI runs the archive
            # hangs after "FastStream app shutting down..." (cause not found yet; see the
            # archive README). Killed here so the health and status checks above stand.
            process.kill()
            process.wait(timeout=30)
        log.close()
    lines = [
        line for line in (tmp_path / "archive.log").read_text().splitlines() if line.startswith("{")
    ]
    assert any(json.loads(line).get("event") == "archive_starting" for line in lines)


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
