"""Appending a relay batch to Redis streams through FastStream, in one round trip."""

from __future__ import annotations

from collections.abc import Sequence

from faststream.redis import RedisBroker
from redis.asyncio import Redis

from newsroom.shared.outbox.relay import PartlyPublished, PendingEvent


class RedisOutboxPublisher:
    """FastStream encodes each event (its binary format, `message_id` header, correlation id)
    onto a MULTI/EXEC pipeline of the given Redis client (FastStream's own connection is
    private), which Redis applies in order, all at once. `maxlen` bounds the streams written
    (None for event logs, which are never trimmed)."""

    def __init__(self, broker: RedisBroker, client: Redis, *, maxlen: int | None = None) -> None:
        self.broker = broker
        self.client = client
        self.maxlen = maxlen

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        if not events:
            return
        async with self.client.pipeline(transaction=True) as pipeline:
            for event in events:
                await self.broker.publish(
                    event.message,
                    stream=event.stream,
                    maxlen=self.maxlen,
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
