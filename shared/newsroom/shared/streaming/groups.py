"""Consumer-group bootstrap.

FastStream creates a missing group at `$`, which skips everything published before the
first start, and `last_id="0"` busy-loops on every restart. So each group is created here,
at id 0 with MKSTREAM, before the broker subscribes; FastStream then finds it existing and
reads `>` from where the group stands.

Each process joins under a fresh consumer name, so a group collects the names of processes long
gone. `prune_stale_consumers` deletes those with nothing pending (their entries were reclaimed
or acked) and no activity for an hour: deleting a consumer with pending entries would drop them
from the group's pending list, so those stay until the reclaim path empties them. A live
consumer is never that idle, even with no traffic: Redis counts every attempted read (each
blocking XREADGROUP poll) as activity."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterable, Sequence

import structlog
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newsroom.shared.streaming.shard_count import claim_shard_count
from newsroom.shared.streams import ConsumerGroup

log = structlog.get_logger(__name__)


async def ensure_groups(redis: Redis, groups: Iterable[ConsumerGroup]) -> None:
    for group in groups:
        try:
            await redis.xgroup_create(group.stream, group.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise


STALE_CONSUMER_IDLE_MS = 3_600_000


async def prune_stale_consumers(
    redis: Redis, groups: Iterable[ConsumerGroup], min_idle_ms: int = STALE_CONSUMER_IDLE_MS
) -> list[str]:
    """Deletes consumers idle for `min_idle_ms` with no pending entries; their names."""
    removed: list[str] = []
    for group in groups:
        for consumer in await redis.xinfo_consumers(group.stream, group.group):
            name = consumer["name"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            if int(consumer["pending"]) == 0 and int(consumer["idle"]) >= min_idle_ms:
                await redis.xgroup_delconsumer(group.stream, group.group, name)
                removed.append(name)
    return removed


def consumer_name(service: str) -> str:
    """Unique per process, so two workers never share (and steal) one pending-entries list."""
    return f"{service}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


# Redis still starting (as under `newsroom up` or compose): refused or reset connections,
# LOADING (a ConnectionError), a timeout.
_NOT_UP_YET = (RedisConnectionError, RedisTimeoutError, OSError)


async def prepare_groups(
    redis: Redis,
    groups: Sequence[ConsumerGroup],
    *,
    attempts: int = 60,
    interval: float = 0.5,
    shards: int | None = None,
) -> None:
    """Checks the shard count (`claim_shard_count`, when `shards` is given), creates the
    groups (`ensure_groups`) and prunes the consumers of processes gone
    (`prune_stale_consumers`) before a service subscribes, waiting up to `attempts` ×
    `interval` seconds for a Redis that is still starting."""
    for attempt in range(1, attempts + 1):
        try:
            if shards is not None:
                await claim_shard_count(redis, shards)
            await ensure_groups(redis, groups)
            if pruned := await prune_stale_consumers(redis, groups):
                log.info("stale_consumers_pruned", consumers=pruned)
            return
        except _NOT_UP_YET as exc:
            if attempt == attempts:
                raise
            log.warning("redis_not_reachable_yet", attempt=attempt, error=str(exc))
            await asyncio.sleep(interval)
