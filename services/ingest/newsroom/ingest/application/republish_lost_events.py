"""The use case: when Redis lost its data (emptied, or a failover dropped its last writes),
put back into the articles stream everything some consumer may not have: the outbox relays it
again, and deterministic event ids make the copies harmless (the archive stores an event once,
render applies it once, enrich derives the same enrichment id).

What goes out again, after a change of Redis epoch (`newsroom.shared.streaming.epochs`):
1. every accepted event the archive lacks (the archive is the record; the inbox has them all);
2. every article event archived at or after the articles-stream checkpoint of the epoch that
   ended: every group had acknowledged what came before, not necessarily what came after;
3. every article version whose enrichment the archive lacks, or holds from at or after the
   enriched-stream checkpoint: enrich enriches it again, render gets the enrichment."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from newsroom.shared.events import ArticleReceived, ArticleUpdated
from newsroom.shared.eventstore import ArchivedEvent, EntryId
from newsroom.shared.eventstore.entry_ids import ZERO
from newsroom.shared.outbox import OutgoingEvent

log = structlog.get_logger(__name__)

ENRICHED_TYPES = (ArticleReceived.TYPE, ArticleUpdated.TYPE)


class AcceptedEvents(Protocol):
    def pages(self, size: int) -> AsyncIterator[list[OutgoingEvent]]:
        """Every accepted event in acceptance order, `size` at a time."""
        ...


class Archive(Protocol):
    async def archived_ids(
        self, event_ids: Sequence[str], *, up_to: int | None = None
    ) -> set[str]: ...

    async def checkpoints_before(self, epoch: str) -> dict[str, EntryId]: ...

    async def events_from(
        self, stream: str, entry: EntryId, *, after: int, limit: int
    ) -> list[ArchivedEvent]: ...

    async def without_derived_event(
        self,
        stream: str,
        event_types: Sequence[str],
        derived_stream: str,
        derived_from: EntryId,
        *,
        after: int,
        limit: int,
    ) -> list[ArchivedEvent]: ...


Republish = Callable[[Sequence[OutgoingEvent]], Awaitable[None]]  # into the outbox


@dataclass
class Recovery:
    not_archived: int = 0
    after_checkpoint: int = 0
    to_enrich_again: int = 0

    @property
    def total(self) -> int:
        return self.not_archived + self.after_checkpoint + self.to_enrich_again


def _outgoing(row: ArchivedEvent) -> OutgoingEvent:
    record = row.record
    return OutgoingEvent(record.event_id, record.stream, record.correlation_id, record.body)


class RepublishLostEvents:
    def __init__(
        self,
        accepted: AcceptedEvents,
        archive: Archive,
        republish: Republish,
        epoch: Callable[[], Awaitable[str]],
        *,
        shards: Sequence[tuple[str, str]],
        batch: int = 500,
    ) -> None:
        """`shards`: each shard's (articles, enriched) streams (STREAM_SHARDS)."""
        self.accepted = accepted
        self.archive = archive
        self.republish = republish
        self.epoch = epoch
        self.shards = list(shards)
        self.batch = batch
        self._seen_epoch: str | None = None

    async def check(self) -> Recovery | None:
        """Recovers when the epoch changed since the last check (the first check only
        remembers it); None when it did not."""
        current = await self.epoch()
        previous, self._seen_epoch = self._seen_epoch, current
        if previous is None or previous == current:
            return None
        log.warning("redis_data_lost", previous_epoch=previous, epoch=current)
        recovery = await self.recover(current)
        log.warning(
            "lost_events_republished",
            not_archived=recovery.not_archived,
            after_checkpoint=recovery.after_checkpoint,
            to_enrich_again=recovery.to_enrich_again,
        )
        return recovery

    async def recover(self, epoch: str) -> Recovery:
        recovery = Recovery()
        sent: set[str] = set()

        async def send(events: list[OutgoingEvent]) -> int:
            fresh = [event for event in events if event.event_id not in sent]
            if fresh:
                await self.republish(fresh)
                sent.update(event.event_id for event in fresh)
            return len(fresh)

        async for page in self.accepted.pages(self.batch):
            archived = await self.archive.archived_ids([event.event_id for event in page])
            recovery.not_archived += await send(
                [event for event in page if event.event_id not in archived]
            )

        checkpoints = await self.archive.checkpoints_before(epoch)
        for articles_stream, enriched_stream in self.shards:
            articles_from = checkpoints.get(articles_stream, ZERO)
            after = 0
            while rows := await self.archive.events_from(
                articles_stream, articles_from, after=after, limit=self.batch
            ):
                after = rows[-1].position
                recovery.after_checkpoint += await send([_outgoing(row) for row in rows])

            enriched_from = checkpoints.get(enriched_stream, ZERO)
            after = 0
            while rows := await self.archive.without_derived_event(
                articles_stream,
                ENRICHED_TYPES,
                enriched_stream,
                enriched_from,
                after=after,
                limit=self.batch,
            ):
                after = rows[-1].position
                recovery.to_enrich_again += await send([_outgoing(row) for row in rows])
        return recovery
