"""Sending PageChanged to the pages stream through the publisher the stream router declares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faststream.redis.publisher.usecase import StreamPublisher
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.client import Pipeline

from newsroom.render.adapters.metrics import PAGE_CHANGES
from newsroom.shared.events import PageChanged
from newsroom.shared.outbox import ClusterOutboxPublisher, PendingEvent


class PagePublisher:
    """Sends PageChanged in order (application.ports.PublishPages). Given a Redis client, a
    batch goes out as one pipeline (one round trip instead of one per event; not a MULTI: a
    failure midway leaves the rest in the outbox, sent again).

    Given a RedisCluster client, a batch goes out through ingest's cluster publisher instead:
    FastStream's cluster broker ignores `pipeline=` and would send event by event
    (ag2ai/faststream#3044). The pages stream is one key, so a batch is one MULTI/EXEC on its
    slot's master (then WAIT for a replica where it has one), in one round trip."""

    def __init__(self, publisher: StreamPublisher, redis: Redis | None = None) -> None:
        self._publisher = publisher
        self._redis = redis
        client: Any = redis
        self._cluster: ClusterOutboxPublisher | None = None
        if isinstance(client, RedisCluster):
            self._cluster = ClusterOutboxPublisher(client, maxlen=publisher.stream.maxlen)

    async def __call__(self, events: Sequence[PageChanged]) -> None:
        if self._cluster is not None:
            await self._cluster.publish(self._pending(events))
        elif self._redis is None:
            for event in events:
                await self._publish(event, None)
        else:
            async with self._redis.pipeline(transaction=False) as pipe:
                for event in events:
                    await self._publish(event, pipe)
                await pipe.execute()
        PAGE_CHANGES.inc(len(events))

    async def _publish(self, event: PageChanged, pipe: Pipeline | None) -> None:
        await self._publisher.publish(
            event.to_message(),
            headers={"message_id": event.id},
            correlation_id=event.correlationid,
            pipeline=pipe,
        )

    def _pending(self, events: Sequence[PageChanged]) -> list[PendingEvent]:
        """The cluster publisher's shape; `outbox_id` only orders a partly published batch."""
        stream = self._publisher.stream.name
        return [
            PendingEvent(
                outbox_id=n,
                event_id=event.id,
                stream=stream,
                correlation_id=event.correlationid,
                message=event.to_message(),
            )
            for n, event in enumerate(events)
        ]
