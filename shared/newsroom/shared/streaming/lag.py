"""Consumer lag as a Prometheus gauge, refreshed in the background from XINFO GROUPS."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from math import nan as NAN

import structlog
from prometheus_client import Gauge
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from newsroom.shared.streaming.background import pause
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


# Counting waiting entries one by one (when Redis cannot say) stops here: a lag this large is
# reported as this, which is enough to alert on.
LAG_COUNT_CAP = 100_000


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _entries_after(redis: Redis, stream: str, last_delivered: str) -> int:
    """Entries of `stream` after `last_delivered`, counted (up to LAG_COUNT_CAP)."""
    entries = await redis.xrange(stream, min=f"({last_delivered}", count=LAG_COUNT_CAP)
    return len(entries or [])


async def group_lag(redis: Redis, group: ConsumerGroup) -> tuple[int, int]:
    """(lag, pending) of `group` as Redis has them now.

    XINFO GROUPS `lag` is null when Redis cannot derive it (after a restart its groups'
    `entries-read` is unknown until they read again; after trimming or deletions): the entries
    after the group's last delivered id are counted then. A stream that does not exist (a Redis
    that came back empty) holds nothing; a group missing from it has been delivered nothing."""
    try:
        infos = await redis.xinfo_groups(group.stream)
    except ResponseError as exc:
        if "no such key" in str(exc).lower():
            return 0, 0
        raise
    for info in infos:
        if _text(info["name"]) != group.group:
            continue
        pending = int(info.get("pending") or 0)
        lag = info.get("lag")
        if lag is not None:
            return int(lag), pending
        last_delivered = _text(info.get("last-delivered-id") or "0-0")
        return await _entries_after(redis, group.stream, last_delivered), pending
    return min(int(await redis.xlen(group.stream)), LAG_COUNT_CAP), 0


async def refresh_lag(redis: Redis, groups: Iterable[ConsumerGroup]) -> None:
    for group in groups:
        lag: float
        pending: float
        try:
            lag, pending = await group_lag(redis, group)
        except (RedisError, OSError):
            # Unknown while Redis does not answer: not the last value seen, which may be stale.
            lag, pending = NAN, NAN
        CONSUMER_LAG.labels(group.stream, group.group).set(lag)
        CONSUMER_PENDING.labels(group.stream, group.group).set(pending)


async def watch_lag(
    redis: Redis, groups: list[ConsumerGroup], stopping: asyncio.Event, every: float = 5.0
) -> None:
    """Runs until `stopping` is set (a `BackgroundLoop`); a Redis outage is not fatal."""
    while not stopping.is_set():
        with contextlib.suppress(RedisError, OSError):
            await refresh_lag(redis, groups)
        await pause(stopping, every)
