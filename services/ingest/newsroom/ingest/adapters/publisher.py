"""Appending events to Redis streams through FastStream's RedisBroker, and the AsyncAPI
document of what ingest publishes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI
from redis.asyncio import Redis

from newsroom.ingest.adapters.inbox import PartlyPublished, PendingEvent
from newsroom.shared.events import ArticleEvent
from newsroom.shared.settings import IngestSettings
from newsroom.shared.streams import STREAM_MAXLEN, articles_stream


class EventPublisher(Protocol):
    """Appends events to their streams, in the given order; raises when it cannot:
    `PartlyPublished` naming those that went in, anything else when none did."""

    async def publish(self, events: Sequence[PendingEvent]) -> None: ...


class RedisEventPublisher:
    """Appends a batch in one round trip: FastStream encodes each event (its binary format,
    headers, correlation id) onto a MULTI/EXEC pipeline of the given Redis client, which Redis
    applies in order, all at once."""

    def __init__(self, broker: RedisBroker, client: Redis) -> None:
        self.broker = broker
        self.client = client

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        if not events:
            return
        async with self.client.pipeline(transaction=True) as pipeline:
            for event in events:
                await self.broker.publish(
                    event.message,
                    stream=event.stream,
                    maxlen=STREAM_MAXLEN,
                    headers={"message_id": event.event_id},
                    correlation_id=event.correlation_id,
                    pipeline=pipeline,
                )
            # A connection failure (or a command refused while queuing, say out of memory)
            # raises here, and Redis applied none of the batch.
            results = await pipeline.execute(raise_on_error=False)
        appended: list[PendingEvent] = []
        failed_streams: set[str] = set()
        first_error: Exception | None = None
        for event, result in zip(events, results, strict=True):
            if isinstance(result, Exception):
                # Refused inside EXEC (a key of the wrong type): Redis still ran the others.
                # Such an error belongs to the stream key, so later events of that stream
                # were refused too and its order holds.
                failed_streams.add(event.stream)
                first_error = first_error or result
            elif event.stream not in failed_streams:
                appended.append(event)
            # else: appended after an event of its stream that was not: stays in the outbox
            # and goes out again behind it (consumers drop the repeated event id).
        if first_error is not None:
            raise PartlyPublished(appended, first_error)


# A Redis that accepts connections but never answers must not hang the relay forever.
REDIS_SOCKET_TIMEOUT_SECONDS = 5.0


def create_broker(redis_url: str) -> RedisBroker:
    broker = RedisBroker(
        redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
    )
    broker.publisher(
        stream=StreamSub(articles_stream(), maxlen=STREAM_MAXLEN),
        schema=ArticleEvent,
        title="articles",
        description=(
            "ArticleReceived (first version seen), ArticleUpdated (a later version, maybe a "
            "correction) and ArticleWithdrawn (a kill), CloudEvents 1.0 envelopes whole in the "
            "entry body. A version re-sent under the same number with other content is published "
            "too (ArticleUpdated, or ArticleWithdrawn when it is now canceled), so two events may "
            "carry one article version. Written only by ingest; sharded by article id "
            "(`…:articles:<shard>`)."
        ),
    )
    return broker


def create_redis_client(redis_url: str) -> Redis:
    """The client whose pipelines carry the relay's batches (FastStream's own connection is
    private)."""
    return Redis.from_url(
        redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
    )


def asyncapi_document() -> str:
    """AsyncAPI 3.0 JSON of the events ingest publishes. Built against the default Redis URL,
    not the environment's, so the document kept in the repo does not depend on who generates it."""
    default_url = str(IngestSettings.model_fields["redis_url"].default)
    app = FastStream(
        create_broker(default_url),
        specification=AsyncAPI(
            title="newsroom-ingest",
            version="1.0.0",
            description="Events Newsroom's ingest service appends to Redis streams.",
            schema_version="3.0.0",
        ),
    )
    document = json.loads(app.schema.to_specification().to_json())
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
