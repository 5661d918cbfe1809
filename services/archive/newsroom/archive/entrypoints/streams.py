"""The `archive` consumer groups of the articles and enriched streams (the shared consumer
recipe, with reclaim): each entry's event stored once, acknowledged only after its commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from faststream.redis import RedisRouter
from faststream.redis.annotations import RedisStreamMessage

from newsroom.archive.adapters.metrics import EVENTS_ARCHIVED
from newsroom.shared.eventstore import EntryId
from newsroom.shared.streaming.consumers import subscribe_with_reclaim
from newsroom.shared.streams import ARCHIVE_GROUP, ONE_SHARD, StreamShards

log = structlog.get_logger(__name__)

# Entries per read, stored at once: on SQLite the writer thread commits them together. Each
# handler acknowledges on the broker's connection pool (redis-py's default: 100 connections),
# shared with the blocking reads of both streams: 2 x 40 acks + 4 reads stay below it (at 100
# per read, acks failed with "Too many connections" and the archive crawled).
MAX_RECORDS = 40
POLLING_INTERVAL_MS = 100

Store = Callable[[str, EntryId, bytes], Awaitable[bool]]  # ArchiveEvent


def stream_router(
    *, consumer: str, reclaim_idle_ms: int, store: Store, streams: StreamShards = ONE_SHARD
) -> RedisRouter:
    router = RedisRouter()

    def handler_for(stream: str) -> Callable[[RedisStreamMessage], Awaitable[None]]:
        async def archive(message: RedisStreamMessage) -> None:
            entry_id = EntryId.parse(message.raw_message["message_ids"][0])
            stored = await store(stream, entry_id, message.body)
            EVENTS_ARCHIVED.labels(stream, "stored" if stored else "duplicate").inc()
            log.debug("event_archived" if stored else "event_already_archived", entry=str(entry_id))

        return archive

    subscriptions = [
        (group, streams.subscription_title(name, shard))
        for name, groups in (
            ("articles", streams.articles_groups(ARCHIVE_GROUP)),
            ("enriched", streams.enriched_groups(ARCHIVE_GROUP)),
        )
        for shard, group in enumerate(groups)
    ]
    for group, name in subscriptions:
        subscribe_with_reclaim(
            router,
            handler_for(group.stream),
            group,
            consumer=consumer,
            max_records=MAX_RECORDS,
            polling_interval_ms=POLLING_INTERVAL_MS,
            reclaim_idle_ms=reclaim_idle_ms,
            title=f"archive.{name}",
            description=f"Every event of the {group.stream} stream, stored once in the event "
            "store.",
        )
    return router
