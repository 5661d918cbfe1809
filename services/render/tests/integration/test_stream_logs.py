"""Render's stream handling logs what it did with each event under the event's ids, and a
failed delivery once (with its traceback), over real Redis."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from newsroom.render.application.project_events import ApplyResult
from newsroom.render.bootstrap import GROUPS, build_broker
from newsroom.shared.streaming.consumers import consumer_groups, create_redis_client

pytestmark = pytest.mark.integration


async def test_each_delivery_logs_one_line_with_the_events_ids(
    redis_url, publisher, seed, eventually, caplog
):
    attempts: list[str] = []

    async def projection_failing_twice(event: Any) -> ApplyResult:
        attempts.append(event.id)
        if len(attempts) <= 2:
            raise RuntimeError("the read model is having a bad day")
        return ApplyResult(applied=1, duplicates=0, page_changes=[])

    async def nothing_to_flush() -> int:
        return 0

    broker, _ = build_broker(
        redis_url,
        consumer="render-logs",
        max_deliveries=5,
        reclaim_idle_ms=200,  # the reclaim subscriber delivers a failed entry again
        submit=projection_failing_twice,
        flush_pages=nothing_to_flush,
    )
    redis = create_redis_client(redis_url)
    v1 = seed.v1()

    async def projected() -> bool:
        return any(entry["event"] == "event_projected" for entry in logs)

    with caplog.at_level(logging.DEBUG), capture_logs(processors=[merge_contextvars]) as logs:
        async with consumer_groups(redis, GROUPS):
            await broker.start()
            try:
                await publisher(v1)
                await eventually(projected, within=30)
            finally:
                await broker.stop()
    await redis.aclose()

    ids = {"event_id": v1.id, "correlation_id": v1.correlationid}
    failures = [entry for entry in logs if entry["log_level"] in ("warning", "error")]
    assert [entry["event"] for entry in failures] == ["event_failed_will_retry"] * 2
    for entry in failures:
        assert entry.items() >= ids.items()
        assert "bad day" in entry["error"]
    # The first failure's line carries the traceback.
    first, second = failures
    assert "RuntimeError: the read model is having a bad day" in first["traceback"]
    assert "projection_failing_twice" in first["traceback"]
    assert "traceback" not in second
    [projected] = [entry for entry in logs if entry["event"] == "event_projected"]
    assert projected.items() >= ids.items()
    # FastStream does not log the failure a second time (what it logs when the broker stops
    # in the middle of a read is another matter).
    again = [r for r in caplog.records if r.levelno >= logging.WARNING and "bad day" in str(r.msg)]
    assert again == []
