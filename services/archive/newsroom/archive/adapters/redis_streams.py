"""The `Streams` port on Redis: XINFO GROUPS and XPENDING for each group's place, XREVRANGE
for the retention floor, XTRIM MINID, the epoch marker."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import ResponseError

from newsroom.archive.domain.retention import GroupPosition
from newsroom.shared.eventstore import EntryId
from newsroom.shared.streaming.epochs import redis_epoch


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _no_such_key(error: ResponseError) -> bool:
    return "no such key" in str(error).lower()


class RedisStreams:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def groups(self, stream: str) -> list[GroupPosition]:
        try:
            infos = await self.redis.xinfo_groups(stream)
        except ResponseError as exc:
            if _no_such_key(exc):
                return []
            raise
        positions = []
        for info in infos:
            name = _text(info["name"])
            pending = int(info.get("pending") or 0)
            oldest = None
            if pending:
                summary = await self.redis.xpending(stream, name)
                if summary.get("min") is not None:
                    oldest = EntryId.parse(summary["min"])
            lag = info.get("lag")
            positions.append(
                GroupPosition(
                    name=name,
                    last_delivered=EntryId.parse(info["last-delivered-id"]),
                    oldest_pending=oldest,
                    pending=pending,
                    lag=None if lag is None else int(lag),
                )
            )
        return positions

    async def trim(self, stream: str, minid: EntryId) -> int:
        return int(await self.redis.xtrim(stream, minid=str(minid), approximate=False))

    async def epoch(self) -> str:
        return await redis_epoch(self.redis)


class RedisStreamFigures:
    """The `RedisFigures` port: XLEN, MEMORY USAGE, INFO memory."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def length(self, stream: str) -> int:
        return int(await self.redis.xlen(stream))

    async def memory(self, stream: str) -> int | None:
        usage = await self.redis.memory_usage(stream)
        return None if usage is None else int(usage)

    async def used_memory(self) -> int:
        """Of every master, on a Redis Cluster."""
        client: Any = self.redis
        if isinstance(client, RedisCluster):
            by_node = await client.info("memory", target_nodes=RedisCluster.PRIMARIES)
            return sum(int(info["used_memory"]) for info in by_node.values())
        return int((await self.redis.info("memory"))["used_memory"])
