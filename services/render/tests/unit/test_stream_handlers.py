"""Render's stream handlers in memory (FastStream's TestRedisBroker, no Redis): what reaches the
projection, when the page outbox is flushed, which failures fail the message, and what the
declared pages publisher sends. Consumer groups, reclaiming and dead letters need a real Redis
and are tested in tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.redis import RedisBroker, TestRedisBroker
from prometheus_client import REGISTRY
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError

from newsroom.render.adapters.page_publisher import PagePublisher
from newsroom.render.application.project_events import ApplyResult
from newsroom.render.domain.page_changes import page_changed
from newsroom.render.entrypoints.streams import stream_router
from newsroom.shared.events.upcasting import UPCASTERS
from newsroom.shared.streams import RENDER_ARTICLES, RENDER_ENRICHED

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Projection:
    """Stands in for the group commit: records what it was handed, answers as told."""

    def __init__(self, *, pages: int = 0, error: Exception | None = None) -> None:
        self.events: list[Any] = []
        self.pages = pages
        self.error = error

    async def submit(self, event: Any) -> ApplyResult:
        self.events.append(event)
        if self.error is not None:
            raise self.error
        changes = [
            page_changed(
                f"/p/{n}",
                "article-received",
                event.data.article_id,
                "1",
                base_url="http://render.test",
                cause_id=event.id,
                correlation_id=event.correlationid,
                now=NOW,
            )
            for n in range(self.pages)
        ]
        return ApplyResult(applied=1, duplicates=0, page_changes=changes)


class Flush:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.error = error

    async def __call__(self) -> int:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return 0


def broker_with_handlers(projection: Projection, flush: Flush) -> tuple[RedisBroker, Any]:
    router, pages = stream_router(
        consumer="render-test", reclaim_idle_ms=1000, submit=projection.submit, flush_pages=flush
    )
    broker = RedisBroker()
    broker.include_router(router)
    return broker, pages


async def publish(broker: Any, event: Any, stream: str = RENDER_ARTICLES.stream) -> None:
    await broker.publish(
        event.to_message(),
        stream=stream,
        headers={"message_id": event.id},
        correlation_id=event.correlationid,
    )


def failures(stage: str) -> float:
    return REGISTRY.get_sample_value("newsroom_render_failures_total", {"stage": stage}) or 0.0


async def test_each_stream_hands_the_projection_its_events_decoded_by_type(seed):
    projection = Projection()
    broker, _ = broker_with_handlers(projection, Flush())
    v1, v2 = seed.v1(), seed.v2()
    async with TestRedisBroker(broker) as test_broker:
        await publish(test_broker, v1)
        await publish(test_broker, v2)
        await publish(test_broker, seed.kill())
        await publish(test_broker, seed.enriched(v1), RENDER_ENRICHED.stream)
    assert [(type(e).__name__, e.id) for e in projection.events] == [
        ("ArticleReceived", v1.id),
        ("ArticleUpdated", v2.id),
        ("ArticleWithdrawn", seed.kill().id),
        ("ArticleEnriched", seed.enriched(v1).id),
    ]


async def test_an_older_event_version_is_upcast_before_the_projection_sees_it(seed, monkeypatch):
    def from_v0(body: dict[str, Any]) -> dict[str, Any]:
        data = dict(body["data"])
        data["article"] = data.pop("story")
        return {**body, "type": "newsroom.article.received.v1", "data": data}

    monkeypatch.setitem(UPCASTERS, "newsroom.article.received.v0", from_v0)
    projection = Projection()
    broker, _ = broker_with_handlers(projection, Flush())
    v1 = seed.v1()
    old = v1.to_message()
    old["type"] = "newsroom.article.received.v0"
    old["data"]["story"] = old["data"].pop("article")
    async with TestRedisBroker(broker) as test_broker:
        await test_broker.publish(old, stream=RENDER_ARTICLES.stream)
    assert [(type(e).__name__, e.id) for e in projection.events] == [("ArticleReceived", v1.id)]
    assert projection.events[0].data.article.headline == seed.v1_article.headline


async def test_an_undecodable_event_never_reaches_the_projection():
    projection = Projection()
    broker, _ = broker_with_handlers(projection, Flush())
    async with TestRedisBroker(broker) as test_broker:
        with pytest.raises(ValidationError):
            await test_broker.publish(
                {"type": "newsroom.article.received.v1", "id": "broken"},
                stream=RENDER_ARTICLES.stream,
            )
    assert projection.events == []


async def test_the_outbox_is_flushed_at_once_only_after_a_change_that_queued_pages(seed):
    quiet, flush_quiet = Projection(pages=0), Flush()
    broker, _ = broker_with_handlers(quiet, flush_quiet)
    async with TestRedisBroker(broker) as test_broker:
        await publish(test_broker, seed.v1())
    assert flush_quiet.calls == 0

    changing, flush_changing = Projection(pages=2), Flush()
    broker, _ = broker_with_handlers(changing, flush_changing)
    async with TestRedisBroker(broker) as test_broker:
        await publish(test_broker, seed.v1())
    assert flush_changing.calls == 1


async def test_redis_failing_while_flushing_defers_the_pages_and_the_event_is_done(seed):
    before = failures("publish-pages")
    projection, flush = Projection(pages=1), Flush(RedisConnectionError("Redis went away"))
    broker, _ = broker_with_handlers(projection, flush)
    async with TestRedisBroker(broker) as test_broker:
        await publish(test_broker, seed.v1())  # the handler returns: the message is acked
    assert flush.calls == 1
    assert failures("publish-pages") == before + 1


@pytest.mark.parametrize("where", ["projection", "flush"])
async def test_any_other_failure_fails_the_message(seed, where):
    error = RuntimeError("a bug")
    projection = Projection(pages=1, error=error if where == "projection" else None)
    flush = Flush(error if where == "flush" else None)
    broker, _ = broker_with_handlers(projection, flush)
    async with TestRedisBroker(broker) as test_broker:
        with pytest.raises(RuntimeError, match="a bug"):
            await publish(test_broker, seed.v1())


async def test_page_changes_go_out_through_the_declared_publisher_in_order(seed):
    projection = Projection(pages=3)
    broker, pages = broker_with_handlers(projection, Flush())
    v1 = seed.v1()
    changes = (await projection.submit(v1)).page_changes
    async with TestRedisBroker(broker):
        await PagePublisher(pages)(changes)
        assert [call.args[0] for call in pages.mock.call_args_list] == [
            change.to_message() for change in changes
        ]
