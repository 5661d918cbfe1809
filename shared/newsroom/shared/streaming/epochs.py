"""Which life of Redis's data we are in, so a service can tell that Redis lost its data.

A marker key holds a random id set by the first service that finds it missing: after a
FLUSHALL, or a Redis that came back empty, it is gone and the next one differs. A failover to
a replica keeps the (replicated) marker but the server's `run_id` changes, and so may the last
writes the replica never got. The epoch is both: marker and run_id. A restart that kept its
data (AOF) changes the run_id too; recovery is then a pass that finds nothing missing."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

EPOCH_KEY = "newsroom:epoch"


async def redis_epoch(redis: Redis) -> str:
    marker = await redis.get(EPOCH_KEY)
    if marker is None:
        await redis.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
        marker = await redis.get(EPOCH_KEY)
    info = await redis.info("server")
    text = marker.decode() if isinstance(marker, bytes) else str(marker)
    return f"{text}/{info['run_id']}"
