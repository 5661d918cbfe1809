"""Appending events to Redis streams through FastStream's RedisBroker, and the AsyncAPI
document of what ingest publishes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI

from newsroom.ingest.adapters.inbox import PendingEvent
from newsroom.shared.events import ArticleEvent
from newsroom.shared.settings import IngestSettings
from newsroom.shared.streams import STREAM_MAXLEN, articles_stream


class EventPublisher(Protocol):
    """Appends events to their streams, in the given order; raises when it cannot."""

    async def publish(self, events: Sequence[PendingEvent]) -> None: ...


class RedisEventPublisher:
    def __init__(self, broker: RedisBroker) -> None:
        self.broker = broker

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        # One XADD after the other: the next is sent only once Redis has the previous, so a
        # failure midway leaves the rest in the outbox, still in order.
        for event in events:
            await self.broker.publish(
                event.message,
                stream=event.stream,
                maxlen=STREAM_MAXLEN,
                headers={"message_id": event.event_id},
                correlation_id=event.correlation_id,
            )


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
            "entry body. Written only by ingest; sharded by article id (`…:articles:<shard>`)."
        ),
    )
    return broker


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
