"""Watching for Redis losing its data while ingest runs: every few seconds the Redis epoch is
read; when it changed, the lost events are re-published (application.republish_lost_events)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from newsroom.ingest.adapters.accepted_events import InboxAcceptedEvents, outbox_republisher
from newsroom.ingest.application.republish_lost_events import RepublishLostEvents
from newsroom.shared.eventstore import EventStore
from newsroom.shared.sql import UnitOfWorkRunner
from newsroom.shared.streaming.background import BackgroundLoop, pause
from newsroom.shared.streaming.epochs import redis_epoch
from newsroom.shared.streams import ONE_SHARD, StreamShards

log = structlog.get_logger(__name__)

CHECK_EVERY_SECONDS = 2.0


@contextlib.asynccontextmanager
async def republishing_after_redis_loss(
    archive_database_url: str,
    runner: UnitOfWorkRunner,
    notify_relay: Callable[[], None],
    redis: Redis,
    *,
    streams: StreamShards = ONE_SHARD,
    every: float = CHECK_EVERY_SECONDS,
) -> AsyncIterator[RepublishLostEvents]:
    store = EventStore.open(archive_database_url)
    use_case = RepublishLostEvents(
        InboxAcceptedEvents(runner, streams),
        store,
        outbox_republisher(runner, notify_relay),
        lambda: redis_epoch(redis),
        shards=[(streams.articles(shard), streams.enriched(shard)) for shard in streams.shards],
    )

    async def watch(stopping: asyncio.Event) -> None:
        schema_ready = False
        while not stopping.is_set():
            try:
                if not schema_ready:
                    # The archive may start after ingest; creating what is missing is harmless.
                    await store.create_schema()
                    schema_ready = True
                await use_case.check()
            except (RedisError, SQLAlchemyError, OSError) as exc:
                # Redis or the archive not answering: asked again at the next check.
                log.warning("redis_loss_check_failed", error=repr(exc)[:300])
            await pause(stopping, every)

    watcher = BackgroundLoop("redis-loss-watch", watch)
    try:
        yield use_case
    finally:
        await watcher.stop()
        await store.close()
