"""The shard count the streams are written with, recorded in Redis by the first service to
start, so that a service started with another STREAM_SHARDS is refused (its articles would go
to other shards than their earlier events, and lose their order) instead of splitting the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from newsroom.shared.streams import SHARD_COUNT_KEY, check_shard_count_reply

if TYPE_CHECKING:  # the outbox needs the `sql` extra; only its types are used here
    from newsroom.shared.outbox import OutboxPublisher, PendingEvent


async def claim_shard_count(redis: Redis, shards: int) -> None:
    """Records `shards` if no count is recorded yet; raises `ShardCountMismatch` if another
    one is."""
    await redis.set(SHARD_COUNT_KEY, shards, nx=True)
    check_shard_count_reply(await redis.get(SHARD_COUNT_KEY), shards)


class ShardCountCheckedPublisher:
    """An outbox publisher that checks the shard count before its first batch: with another
    count recorded, every round fails (`ShardCountMismatch`, logged by the relay) and the events
    wait in the outbox rather than go to streams no consumer reads."""

    def __init__(self, publisher: OutboxPublisher, redis: Redis, shards: int) -> None:
        self.publisher = publisher
        self.redis = redis
        self.shards = shards
        self._checked = False

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        if not self._checked:
            await claim_shard_count(self.redis, self.shards)
            self._checked = True
        await self.publisher.publish(events)
