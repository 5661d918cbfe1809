"""The shard count the streams were written with is recorded in Redis: a consumer or ingest's
relay started with another STREAM_SHARDS is refused before it reads or writes any stream."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from newsroom.shared.outbox import PendingEvent
from newsroom.shared.streaming.groups import prepare_groups
from newsroom.shared.streaming.shard_count import ShardCountCheckedPublisher
from newsroom.shared.streams import SHARD_COUNT_KEY, ShardCountMismatch, StreamShards

pytestmark = pytest.mark.integration


class Recording:
    def __init__(self) -> None:
        self.published: list[Any] = []

    async def publish(self, events: Any) -> None:
        self.published.extend(events)


async def test_consumers_started_with_another_shard_count_are_refused(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        one = StreamShards(1)
        await prepare_groups(redis, one.articles_groups("enrich"), shards=1)
        assert await redis.get(SHARD_COUNT_KEY) == b"1"

        six = StreamShards(6)
        with pytest.raises(ShardCountMismatch, match="written with STREAM_SHARDS=1"):
            await prepare_groups(redis, six.articles_groups("enrich"), shards=6)
        assert not await redis.exists(six.articles(0))  # nothing created for the refused count
        await prepare_groups(redis, one.articles_groups("render"), shards=1)  # same count: fine
    finally:
        await redis.aclose()


async def test_the_relay_holds_its_events_when_the_shard_count_differs(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        await redis.set(SHARD_COUNT_KEY, 6)
        inner = Recording()
        publisher = ShardCountCheckedPublisher(inner, redis, shards=1)
        event = PendingEvent(1, "event-1", StreamShards(1).articles(0), "corr", {"n": 1})
        with pytest.raises(ShardCountMismatch):
            await publisher.publish([event])
        assert inner.published == []

        await ShardCountCheckedPublisher(inner, redis, shards=6).publish([event])
        assert inner.published == [event]
    finally:
        await redis.aclose()
