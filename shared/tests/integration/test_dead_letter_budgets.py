"""Failures that are not the event's shape, over a real Redis, through the consumer recipe
(main + reclaim subscriber, dead-letter middleware): the entry is delivered again until its
budget is spent, then parked exactly once and acknowledged. An ordinary error gets
`max_deliveries`; an outage of what the handler talks to (Redis, the database) ten times that."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from faststream.redis import RedisRouter
from redis.asyncio import Redis
from sqlalchemy import text

from newsroom.shared.sql import UnitOfWorkRunner
from newsroom.shared.streaming.consumers import (
    consumer_groups,
    create_broker,
    subscribe_with_reclaim,
)
from newsroom.shared.streaming.dead_letters import INFRASTRUCTURE_BUDGET_FACTOR
from newsroom.shared.streaming.groups import consumer_name
from newsroom.shared.streams import DEAD_LETTERS_STREAM, ConsumerGroup
from support.polling import eventually
from support.servers import RedisServer, free_port

pytestmark = pytest.mark.integration

GROUP = ConsumerGroup("test:budget:0", "budget")
EVENT = {"id": "evt-1", "type": "test.thing.v1"}


async def run_until_parked(
    redis_url: str, handle: Callable[[dict[str, Any]], Awaitable[None]], max_deliveries: int
) -> tuple[int, dict[str, str]]:
    """Consumes EVENT with `handle` (which always fails) until the dead-letter stream has it;
    then a little longer. How often `handle` ran, and the dead letter."""
    calls = 0

    async def counting(body: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        await handle(body)

    router = RedisRouter()
    subscribe_with_reclaim(
        router,
        counting,
        GROUP,
        consumer=consumer_name("budget"),
        max_records=1,
        polling_interval_ms=20,
        # Redelivered (reclaimed) as soon as it has been idle this long.
        reclaim_idle_ms=30,
        title="budget",
        description="Test events.",
    )
    broker = create_broker(
        redis_url, service="test", max_deliveries=max_deliveries, routers=[router]
    )
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        async with consumer_groups(redis, [GROUP]):
            await broker.start()
            try:
                await broker.publish(EVENT, stream=GROUP.stream)

                async def parked() -> list[Any]:
                    letters = await redis.xrange(DEAD_LETTERS_STREAM)
                    return [fields for _, fields in letters if '"evt-1"' in fields["event"]]

                [letter] = await eventually(parked, within=60)
                # Another reclaim round would find it if it were still pending.
                await asyncio.sleep(0.3)
                pending = await redis.xpending(GROUP.stream, GROUP.group)
            finally:
                await broker.stop()
            letters = [f for _, f in await redis.xrange(DEAD_LETTERS_STREAM)]
    finally:
        await redis.aclose()
    assert pending["pending"] == 0
    assert [f for f in letters if '"evt-1"' in f["event"]] == [letter]  # parked once
    return calls, letter


async def test_a_handler_that_keeps_failing_is_parked_once_after_max_deliveries(
    redis_url: str,
) -> None:
    async def buggy(body: dict[str, Any]) -> None:
        raise KeyError("headline")

    calls, letter = await run_until_parked(redis_url, buggy, max_deliveries=3)
    assert letter["deliveries"] == "3"
    assert letter["error_type"] == "KeyError"
    assert letter["group"] == GROUP.group
    assert calls == 3


async def test_a_redis_outage_gets_ten_times_the_budget(redis_url: str, tmp_path: Path) -> None:
    # What the handler writes to is another Redis, and it is down.
    gone = RedisServer(tmp_path / "gone")
    gone.directory.mkdir()
    gone.start()
    target = Redis.from_url(gone.url, socket_connect_timeout=1)
    gone.stop()

    async def writes_to_the_lost_redis(body: dict[str, Any]) -> None:
        await target.set(body["id"], "done")

    try:
        calls, letter = await run_until_parked(redis_url, writes_to_the_lost_redis, 2)
    finally:
        await target.aclose()
    assert letter["deliveries"] == str(2 * INFRASTRUCTURE_BUDGET_FACTOR)
    assert letter["error_type"] == "ConnectionError"
    assert calls == 2 * INFRASTRUCTURE_BUDGET_FACTOR


async def test_a_database_outage_gets_ten_times_the_budget(redis_url: str) -> None:
    # Nothing listens on this port: every transaction fails to connect.
    runner = UnitOfWorkRunner(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/gone")

    async def writes_to_the_lost_database(body: dict[str, Any]) -> None:
        await runner.write(lambda connection: connection.execute(text("SELECT 1")))

    try:
        calls, letter = await run_until_parked(redis_url, writes_to_the_lost_database, 2)
    finally:
        await runner.dispose()
    assert letter["deliveries"] == str(2 * INFRASTRUCTURE_BUDGET_FACTOR)
    assert calls == 2 * INFRASTRUCTURE_BUDGET_FACTOR
