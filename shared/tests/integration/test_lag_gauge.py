"""The consumer lag gauge tells the truth after Redis restarts, with a redis-server of the
test's own: when Redis cannot compute a group's lag (null after a restart), and when Redis came
back empty (the last value seen must not stay)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.asyncio import Redis

from newsroom.shared.streaming.lag import CONSUMER_LAG, CONSUMER_PENDING, refresh_lag
from newsroom.shared.streams import ConsumerGroup
from support.servers import RedisServer

pytestmark = pytest.mark.integration

GROUP = ConsumerGroup(stream="newsroom:test-lag:0", group="test-lag")


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "aof", appendonly=True)
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def volatile_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "none", appendonly=False)
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()


def gauges() -> tuple[float, float]:
    labels = (GROUP.stream, GROUP.group)
    return (
        CONSUMER_LAG.labels(*labels)._value.get(),
        CONSUMER_PENDING.labels(*labels)._value.get(),
    )


def refresh(server: RedisServer) -> tuple[float, float]:
    async def run() -> None:
        client = Redis.from_url(server.url)
        try:
            await refresh_lag(client, [GROUP])
        finally:
            await client.aclose()

    asyncio.run(run())
    return gauges()


def fill(server: RedisServer, entries: int, *, read: int) -> None:
    client = redis.Redis(port=server.port)
    client.xgroup_create(GROUP.stream, GROUP.group, id="0", mkstream=True)
    for index in range(entries):
        client.xadd(GROUP.stream, {"n": index})
    delivered = client.xreadgroup(GROUP.group, "worker", {GROUP.stream: ">"}, count=read)
    client.xack(GROUP.stream, GROUP.group, *[entry for entry, _ in delivered[0][1]])
    client.close()


def restart(server: RedisServer) -> None:
    server.stop()
    server.start()


def test_lag_after_a_restart_counts_what_waits(persistent_redis: RedisServer) -> None:
    fill(persistent_redis, 2000, read=2000)
    assert refresh(persistent_redis) == (0, 0)
    restart(persistent_redis)
    assert refresh(persistent_redis) == (0, 0)
    # Redis now answers lag null (the group's entries-read is unknown since the restart), while
    # three entries wait.
    client = redis.Redis(port=persistent_redis.port)
    for index in range(3):
        client.xadd(GROUP.stream, {"n": f"after-{index}"})
    client.close()
    assert refresh(persistent_redis) == (3, 0)


def test_lag_after_redis_came_back_empty_is_not_the_last_value(
    volatile_redis: RedisServer,
) -> None:
    fill(volatile_redis, 2000, read=1)
    assert refresh(volatile_redis) == (1999, 0)
    restart(volatile_redis)  # no persistence: the stream is gone
    assert refresh(volatile_redis) == (0, 0)
