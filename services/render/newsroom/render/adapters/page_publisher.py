"""Sending PageChanged to the pages stream through the publisher the stream router declares."""

from __future__ import annotations

from collections.abc import Sequence

from faststream.redis.publisher.usecase import StreamPublisher
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from newsroom.render.adapters.metrics import PAGE_CHANGES
from newsroom.shared.events import PageChanged


class PagePublisher:
    """Sends PageChanged in order (application.ports.PublishPages). Given a Redis client, a
    batch goes out as one pipeline (one round trip instead of one per event; not a MULTI: a
    failure midway leaves the rest in the outbox, sent again)."""

    def __init__(self, publisher: StreamPublisher, redis: Redis | None = None) -> None:
        self._publisher = publisher
        self._redis = redis

    async def __call__(self, events: Sequence[PageChanged]) -> None:
        if self._redis is None:
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
