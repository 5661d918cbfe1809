"""The relay's batches reach Redis in one MULTI/EXEC; when Redis refuses one stream, the
others still go out, and the outbox keeps exactly what did not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis

from newsroom.ingest.adapters.database import OUTBOX, RELAY_LOCK_KEY
from newsroom.ingest.adapters.inbox import SqlInbox
from newsroom.ingest.adapters.metrics import RELAY_METRICS
from newsroom.ingest.application.receive_delivery import record_delivery
from newsroom.ingest.entrypoints import streams
from newsroom.shared.article import Article
from newsroom.shared.outbox import OutboxRelay, PartlyPublished, PendingEvent, RedisOutboxPublisher
from newsroom.shared.sql import UnitOfWorkRunner
from newsroom.shared.streaming.consumers import create_broker, create_redis_client
from support.streams import stream_messages

pytestmark = pytest.mark.integration


@pytest.fixture
async def publisher(redis_url: str) -> AsyncIterator[RedisOutboxPublisher]:
    broker = create_broker(redis_url, service="ingest", routers=[streams.build_router()])
    client = create_redis_client(redis_url)
    await broker.connect()
    try:
        yield RedisOutboxPublisher(broker, client)
    finally:
        await broker.stop()
        await client.aclose()


def event(outbox_id: int, stream: str) -> PendingEvent:
    return PendingEvent(
        outbox_id=outbox_id,
        event_id=f"event-{outbox_id}",
        stream=stream,
        correlation_id=f"correlation-{outbox_id}",
        message={"id": f"event-{outbox_id}", "n": outbox_id},
    )


async def test_a_batch_goes_out_in_order_with_faststream_headers(
    publisher: RedisOutboxPublisher, redis_url: str
) -> None:
    await publisher.publish([event(1, "s:a"), event(2, "s:b"), event(3, "s:a")])
    entries = stream_messages(redis_url, "s:a")
    assert [body["n"] for body, _ in entries] == [1, 3]
    assert [headers["message_id"] for _, headers in entries] == ["event-1", "event-3"]
    assert [headers["correlation_id"] for _, headers in entries] == [
        "correlation-1",
        "correlation-3",
    ]
    assert [body["n"] for body, _ in stream_messages(redis_url, "s:b")] == [2]


async def test_a_refused_stream_holds_back_only_its_own_events(
    publisher: RedisOutboxPublisher, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("s:broken", "not a stream")
    client.close()
    batch = [event(1, "s:a"), event(2, "s:broken"), event(3, "s:a"), event(4, "s:broken")]
    with pytest.raises(PartlyPublished) as raised:
        await publisher.publish(batch)
    assert [appended.outbox_id for appended in raised.value.appended] == [1, 3]
    assert "WRONGTYPE" in str(raised.value.cause)
    assert [body["n"] for body, _ in stream_messages(redis_url, "s:a")] == [1, 3]


async def test_the_outbox_keeps_exactly_what_the_publisher_could_not_append(
    sqlite_url: str,
) -> None:
    runner = UnitOfWorkRunner(sqlite_url, synchronous="FULL")
    try:
        inbox = SqlInbox(runner)
        for uri in ("urn:test:one", "urn:test:two"):
            article = Article(
                source="wire",
                uri=uri,
                version="1",
                versioncreated=datetime(2024, 1, 1, tzinfo=UTC),
                headline=uri,
                body_text="Text.",
            )
            await inbox.transaction(
                lambda transaction, article=article: record_delivery(  # type: ignore[misc]
                    transaction,
                    source="wire",
                    articles=[article],
                    delivery_id=None,
                    correlation_id="c",
                    now=datetime.now(UTC),
                )
            )

        class RefuseTheFirst:
            async def publish(self, events: Any) -> None:
                raise PartlyPublished(events[1:], ConnectionError("refused"))

        relay = OutboxRelay(
            OUTBOX, runner, RefuseTheFirst(), RELAY_METRICS, lock_key=RELAY_LOCK_KEY
        )
        refused = (await relay.peek(10))[0]
        with pytest.raises(ConnectionError):
            await relay.relay_once()
        assert [left.event_id for left in await relay.peek(10)] == [refused.event_id]
    finally:
        await runner.dispose()
