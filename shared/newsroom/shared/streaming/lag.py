"""Consumer lag as a Prometheus gauge, refreshed in the background from XINFO GROUPS."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

import structlog
from prometheus_client import Gauge
from redis.asyncio import Redis
from redis.exceptions import RedisError

from newsroom.shared.streams import ConsumerGroup

CONSUMER_LAG = Gauge(
    "newsroom_consumer_lag",
    "Entries in the stream not yet delivered to the group",
    ["stream", "group"],
)
CONSUMER_PENDING = Gauge(
    "newsroom_consumer_pending",
    "Entries delivered to the group but not yet acknowledged",
    ["stream", "group"],
)
log = structlog.get_logger(__name__)


async def refresh_lag(redis: Redis, groups: Iterable[ConsumerGroup]) -> None:
    for group in groups:
        for info in await redis.xinfo_groups(group.stream):
            name = info["name"].decode() if isinstance(info["name"], bytes) else info["name"]
            if name != group.group:
                continue
            CONSUMER_LAG.labels(group.stream, group.group).set(info.get("lag") or 0)
            CONSUMER_PENDING.labels(group.stream, group.group).set(info.get("pending") or 0)


async def watch_lag(redis: Redis, groups: list[ConsumerGroup], every: float = 5.0) -> None:
    """Runs until cancelled; a Redis outage is logged, not fatal."""
    while True:
        with contextlib.suppress(RedisError, OSError):
            await refresh_lag(redis, groups)
        await asyncio.sleep(every)
