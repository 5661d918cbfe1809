"""A lease in Redis that at most one process of a deployment holds at a time: redis-py's Lock
(SET NX PX under a token of its own; extended and released by Lua scripts that check the
token), renewed while its holder works and released when it is done. Every render replica runs
the page builder in the background; without a lease each rendered every missing page of the
archive, as many times as there are replicas.

A holder that dies stops renewing, and the lease expires after `ttl_s`. If Redis loses the key
(a restart without its data, a failover) another process may take the lease while the first
still works: the page builder's writes are checked against the story's revision, so two
builders waste work but never store a wrong page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import LockNotOwnedError, RedisError

log = structlog.get_logger(__name__)

PAGE_BUILDER_LEASE = "newsroom:render:page-builder"
TTL_S = 30.0  # how long a dead holder keeps the others out


class RedisLease:
    def __init__(self, redis: Redis, name: str, *, ttl_s: float = TTL_S) -> None:
        self.redis = redis
        self.name = name
        self.ttl_s = ttl_s

    @asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        """True while this process holds the lease (renewed every third of its time to live);
        False when another process does. Raises RedisError when Redis cannot be asked."""
        lock = self.redis.lock(
            self.name,
            timeout=self.ttl_s,
            blocking=False,
            thread_local=False,  # renewed by another task than the one that took it
            raise_on_release_error=False,  # expired meanwhile: nothing left to release
        )
        if not await lock.acquire():
            yield False
            return
        renewing = asyncio.create_task(self._renew(lock))
        try:
            yield True
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            try:
                await lock.release()
            except RedisError as exc:  # it expires by itself
                log.warning("lease_not_released", lease=self.name, error=repr(exc)[:300])

    async def _renew(self, lock: Any) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            try:
                await lock.reacquire()
            except LockNotOwnedError:
                log.warning("lease_lost", lease=self.name)
                return
            except RedisError as exc:  # tried again in a third of the time to live
                log.warning("lease_not_renewed", lease=self.name, error=repr(exc)[:300])
