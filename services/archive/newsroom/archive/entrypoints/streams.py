"""The `archive` consumer groups of the articles and enriched streams (the shared consumer
recipe, in batches, with reclaim): the entries of one read stored in one transaction, then
acknowledged together, only after their commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import cast

import structlog
from faststream.redis import RedisRouter
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from faststream.redis.parser import BinaryMessageFormatV1
from redis.asyncio import Redis

from newsroom.archive.adapters.metrics import EVENTS_ARCHIVED
from newsroom.archive.application.archive_batch import BatchArchived
from newsroom.shared.eventstore import EntryId
from newsroom.shared.streaming.consumers import subscribe_batches_with_reclaim
from newsroom.shared.streaming.dead_letters import RETRY_FOR_GROUP, park
from newsroom.shared.streams import ARCHIVE_GROUP, ONE_SHARD, StreamShards

log = structlog.get_logger(__name__)

# Entries per read, stored in one transaction and acknowledged with one XACK. Per entry
# (one commit, so one fsync on SQLite synchronous=FULL, and one XACK each) the archive
# stored about a tenth of raw XADD's rate; a read takes what is there, up to this many.
MAX_RECORDS = 500
POLLING_INTERVAL_MS = 100
# FastStream's stream field holding an entry's message (its binary format, or legacy JSON).
DATA_FIELD = b"__data__"

Store = Callable[[str, EntryId, bytes], Awaitable[bool]]  # ArchiveEvent
StoreBatch = Callable[[str, Sequence[tuple[EntryId, bytes]]], Awaitable[BatchArchived]]


def entry_body(fields: dict[bytes, bytes]) -> tuple[bytes, dict[str, str]]:
    """The message body and headers of a stream entry written by FastStream (what its
    single-entry parser hands a handler as the message body)."""
    body, headers = BinaryMessageFormatV1.parse(fields.get(DATA_FIELD, b""))
    return body, {str(k): str(v) for k, v in headers.items()}


def stream_router(
    *,
    consumer: str,
    reclaim_idle_ms: int,
    store: Store,
    store_batch: StoreBatch,
    streams: StreamShards = ONE_SHARD,
) -> RedisRouter:
    router = RedisRouter()

    def entry_handler_for(stream: str) -> Callable[[RedisStreamMessage], Awaitable[None]]:
        """The reclaim path: one entry another consumer left pending."""

        async def archive(message: RedisStreamMessage) -> None:
            entry_id = EntryId.parse(message.raw_message["message_ids"][0])
            stored = await store(stream, entry_id, message.body)
            EVENTS_ARCHIVED.labels(stream, "stored" if stored else "duplicate").inc()
            log.debug("event_archived" if stored else "event_already_archived", entry=str(entry_id))

        return archive

    def batch_handler_for(
        stream: str, group: str
    ) -> Callable[[RedisBatchStreamMessage], Awaitable[None]]:
        async def archive_batch(message: RedisBatchStreamMessage) -> None:
            entries: list[tuple[EntryId, bytes]] = []
            raw = message.raw_message
            for entry_id, fields in zip(raw["message_ids"], raw["data"], strict=True):
                body, headers = entry_body(fields)
                meant_for = headers.get(RETRY_FOR_GROUP)
                if meant_for and meant_for != group:
                    # A requeued dead letter of another group: archived the first time.
                    continue
                entries.append((EntryId.parse(entry_id), body))
            outcome = await store_batch(stream, entries)
            # Parked after the commit and before the batch's ack: a failure here leaves the
            # whole batch pending, and the reclaim path stores (idempotently) or parks each.
            for poison in outcome.poison:
                await park(
                    cast(Redis, message.consumer),
                    stream=stream,
                    group=group,
                    entry_id=str(poison.entry_id),
                    body=poison.body,
                    error=poison.error,
                    deliveries=1,
                )
            EVENTS_ARCHIVED.labels(stream, "stored").inc(outcome.stored)
            EVENTS_ARCHIVED.labels(stream, "duplicate").inc(outcome.duplicates)
            log.debug(
                "events_archived",
                entries=len(raw["message_ids"]),
                stored=outcome.stored,
                duplicates=outcome.duplicates,
                dead_lettered=len(outcome.poison),
            )

        return archive_batch

    subscriptions = [
        (group, streams.subscription_title(name, shard))
        for name, groups in (
            ("articles", streams.articles_groups(ARCHIVE_GROUP)),
            ("enriched", streams.enriched_groups(ARCHIVE_GROUP)),
        )
        for shard, group in enumerate(groups)
    ]
    for group, name in subscriptions:
        subscribe_batches_with_reclaim(
            router,
            batch_handler_for(group.stream, group.group),
            entry_handler_for(group.stream),
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
