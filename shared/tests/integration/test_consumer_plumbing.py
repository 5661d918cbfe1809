"""The consumer plumbing every service relies on, over a real Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from faststream.redis import RedisBroker, StreamSub
from redis.asyncio import Redis

from newsroom.shared.events import ArticleEvent
from newsroom.shared.streaming.dead_letters import RETRY_FOR_GROUP, dead_letter_middleware
from newsroom.shared.streaming.groups import (
    consumer_name,
    ensure_groups,
    prepare_groups,
    prune_stale_consumers,
)
from newsroom.shared.streams import DEAD_LETTERS_STREAM, ConsumerGroup
from support.polling import eventually
from support.servers import RedisServer

pytestmark = pytest.mark.integration

GROUP = ConsumerGroup("test:articles:0", "probe")


def make_broker(redis_url: str, seen: list[str], max_deliveries: int = 5) -> RedisBroker:
    broker = RedisBroker(redis_url, middlewares=[dead_letter_middleware(max_deliveries)])

    @broker.subscriber(
        stream=StreamSub(
            GROUP.stream, group=GROUP.group, consumer=consumer_name("probe"), max_records=10
        )
    )
    async def handle(event: ArticleEvent) -> None:
        seen.append(event.data.uri if hasattr(event.data, "uri") else event.data.article.uri)

    return broker


def withdrawn_body(uri: str) -> dict[str, Any]:
    return {
        "id": f"evt-{uri}",
        "source": "/sources/demo",
        "type": "newsroom.article.withdrawn.v1",
        "subject": "a1",
        "correlationid": "c1",
        "data": {
            "article_id": "a1",
            "slug": "s",
            "source": "demo",
            "uri": uri,
            "version": "3",
            "versioncreated": "2021-09-20T12:00:00Z",
        },
    }


async def test_events_published_before_the_first_start_are_processed(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    publisher = RedisBroker(redis_url)
    await publisher.start()
    # Published before any group exists: FastStream alone would create the group at `$`.
    await publisher.publish(withdrawn_body("urn:early"), stream=GROUP.stream)
    await publisher.stop()

    await ensure_groups(redis, [GROUP])
    await ensure_groups(redis, [GROUP])  # a second start finds the group and leaves it be
    seen: list[str] = []
    broker = make_broker(redis_url, seen)
    await broker.start()
    try:
        await eventually(lambda: asyncio.sleep(0, result=seen == ["urn:early"]))
    finally:
        await broker.stop()
        await redis.aclose()


async def test_poison_event_is_dead_lettered_with_its_reason_and_the_stream_moves_on(
    redis_url: str,
) -> None:
    redis = Redis.from_url(redis_url)
    await ensure_groups(redis, [GROUP])
    seen: list[str] = []
    broker = make_broker(redis_url, seen)
    await broker.start()
    try:
        await broker.publish(
            {"type": "newsroom.article.exploded.v1", "id": "bad"}, stream=GROUP.stream
        )
        await broker.publish(withdrawn_body("urn:after"), stream=GROUP.stream)
        await eventually(lambda: asyncio.sleep(0, result=seen == ["urn:after"]))

        async def parked() -> bool:
            return bool(await redis.xlen(DEAD_LETTERS_STREAM))

        await eventually(parked)
        [(_, fields)] = await redis.xrange(DEAD_LETTERS_STREAM)
        entry = {k.decode(): v.decode() for k, v in fields.items()}
        assert entry["stream"] == GROUP.stream
        assert entry["group"] == GROUP.group
        assert "exploded" in entry["reason"]
        assert json.loads(entry["event"])["id"] == "bad"
        # Nothing is left pending: the poison event no longer blocks the group.
        pending = await redis.xpending(GROUP.stream, GROUP.group)
        assert pending["pending"] == 0
    finally:
        await broker.stop()
        await redis.aclose()


async def test_a_requeued_dead_letter_is_processed_by_the_group_that_parked_it_only(
    redis_url: str,
) -> None:
    redis = Redis.from_url(redis_url)
    failed, applied = ConsumerGroup(GROUP.stream, "failed"), ConsumerGroup(GROUP.stream, "applied")
    await ensure_groups(redis, [failed, applied])
    seen: dict[str, list[str]] = {"failed": [], "applied": []}
    broker = RedisBroker(redis_url, middlewares=[dead_letter_middleware(5)])

    def recorder(name: str) -> Callable[[ArticleEvent], None]:
        def record(event: ArticleEvent) -> None:
            seen[name].append(event.id)

        return record

    for group in (failed, applied):
        broker.subscriber(
            stream=StreamSub(group.stream, group=group.group, consumer=consumer_name(group.group))
        )(recorder(group.group))
    await broker.start()
    try:
        requeued = {**withdrawn_body("urn:requeued"), "id": "evt-requeued"}
        await broker.publish(requeued, stream=GROUP.stream, headers={RETRY_FOR_GROUP: "failed"})
        await broker.publish(withdrawn_body("urn:next"), stream=GROUP.stream)
        both = {"failed": ["evt-requeued", "evt-urn:next"], "applied": ["evt-urn:next"]}
        await eventually(lambda: asyncio.sleep(0, result=seen == both))
        for group in (failed, applied):  # acked by both, not left pending
            assert (await redis.xpending(group.stream, group.group))["pending"] == 0
    finally:
        await broker.stop()
        await redis.aclose()


async def test_consumers_of_processes_gone_are_pruned_unless_they_hold_pending_entries(
    redis_url: str,
) -> None:
    redis = Redis.from_url(redis_url)
    try:
        await ensure_groups(redis, [GROUP])
        await redis.xadd(GROUP.stream, {"n": "1"})
        await redis.xadd(GROUP.stream, {"n": "2"})
        # "done" read and acked its entry; "crashed" read one and died before acking.
        [[_, [(done_id, _)]]] = await redis.xreadgroup(GROUP.group, "done", {GROUP.stream: ">"}, 1)
        await redis.xack(GROUP.stream, GROUP.group, done_id)
        await redis.xreadgroup(GROUP.group, "crashed", {GROUP.stream: ">"}, 1)
        assert await prune_stale_consumers(redis, [GROUP]) == []  # not idle for an hour yet
        await asyncio.sleep(0.05)
        assert await prune_stale_consumers(redis, [GROUP], min_idle_ms=20) == ["done"]
        names = [c["name"] for c in await redis.xinfo_consumers(GROUP.stream, GROUP.group)]
        assert names == [b"crashed"]  # its pending entry still waits for the reclaim path
        assert (await redis.xpending(GROUP.stream, GROUP.group))["pending"] == 1
    finally:
        await redis.aclose()


async def test_groups_are_created_once_a_redis_that_is_still_starting_answers(
    tmp_path: Path,
) -> None:
    server = RedisServer(tmp_path / "late-redis")
    server.directory.mkdir()
    redis = Redis.from_url(server.url)
    try:
        # Nothing answers yet (as under compose or `newsroom up`): the first attempts fail.
        preparing = asyncio.create_task(prepare_groups(redis, [GROUP], interval=0.1))
        await asyncio.to_thread(server.start)
        await asyncio.wait_for(preparing, timeout=30)
        [group] = await redis.xinfo_groups(GROUP.stream)
        assert group["name"] == GROUP.group.encode()
        assert group["last-delivered-id"] == b"0-0"
    finally:
        await redis.aclose()
        server.stop()
