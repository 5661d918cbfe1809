"""Which life of Redis's data we are in, so a service can tell that Redis lost its data.

A marker key holds a random id set by the first service that finds it missing: after a
FLUSHALL, or a Redis that came back empty, it is gone and the next one differs. A failover to
a replica keeps the (replicated) marker but the server's `run_id` changes, and so may the last
writes the replica never got. The epoch is both: marker and run_id. A restart that kept its
data (AOF) changes the run_id too; recovery is then a pass that finds nothing missing. On a
Redis Cluster the run_ids are every master's: a failover of any one of them starts an epoch."""

from __future__ import annotations

import uuid
from typing import Any

from redis.asyncio import Redis, RedisCluster

EPOCH_KEY = "newsroom:epoch"


async def redis_epoch(redis: Redis) -> str:
    marker = await redis.get(EPOCH_KEY)
    if marker is None:
        await redis.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
        marker = await redis.get(EPOCH_KEY)
    text = marker.decode() if isinstance(marker, bytes) else str(marker)
    return f"{text}/{await _run_ids(redis)}"


async def _run_ids(redis: Redis) -> str:
    client: Any = redis
    if isinstance(client, RedisCluster):
        by_node = await client.info("server", target_nodes=RedisCluster.PRIMARIES)
        return ",".join(sorted(str(info["run_id"]) for info in by_node.values()))
    info = await redis.info("server")
    return str(info["run_id"])
