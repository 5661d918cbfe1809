"""The event log read from the event store, then from the streams' tails, for replay
(application.ports.EventLog): the head of a trimmed log comes from the archive.

No gap, no overlap, while the archive keeps archiving and trimming:
1. every archived event up to the newest position `P` when the replay starts;
2. every entry of the streams (what trimming left) whose event was not archived by `P`;
3. the events archived after `P` that step 2 did not bring (trimmed meanwhile).
Each event id is applied once (a re-published duplicate, archived or in the stream, is
skipped), and an event is in the archive, in the stream, or in both (trimming only removes
what is archived)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import cast

import structlog
from faststream.redis.parser.binary import BinaryMessageFormatV1
from pydantic import ValidationError
from redis.asyncio import Redis

from newsroom.render.adapters.log_decoding import collector_paused
from newsroom.render.adapters.stream_log import decode_partition, missing_entries, replay_streams
from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import IncompleteLog, LogBatch
from newsroom.render.domain.projection import RENDER_EVENT_TYPES, RenderEvent
from newsroom.shared.events import decode_event_json
from newsroom.shared.eventstore import ArchivedBody, EntryId, EventStore

log = structlog.get_logger(__name__)

StreamEntry = tuple[bytes, dict[bytes, bytes]]


# Rows per read of the archive: large keyset pages (few round trips, one snapshot each), yet
# bounded: at most one page being handed out and the next one read ahead, whatever the log's
# length (5,000 rows of a ~2 KB body is ~10 MB).
PAGE_ROWS = 5000


def decode_archived(row: ArchivedBody) -> RenderEvent | None:
    """The event of an archived row; None when it is not one render projects (its body was
    not even read) or does not decode."""
    if row.body is None or row.event_type not in RENDER_EVENT_TYPES:
        return None
    try:
        return cast(RenderEvent, decode_event_json(row.body, row.event_type))
    except (ValueError, ValidationError) as exc:
        log.warning("replay_archived_event_skipped", event_id=row.event_id, error=repr(exc)[:300])
        return None


def _message_id(fields: dict[bytes, bytes]) -> str | None:
    """The event id FastStream carries in the entry's headers (None: not there)."""
    raw = fields.get(b"__data__")
    if raw is None:
        return None
    try:
        _body, headers = BinaryMessageFormatV1.parse(raw)
    except ValueError:
        return None
    value = headers.get("message_id")
    return None if value is None else str(value)


class ArchiveAndTailLog:
    def __init__(
        self,
        store: EventStore,
        redis: Redis,
        streams: Sequence[str] | None = None,
        *,
        page_rows: int = PAGE_ROWS,
        partition: Partition = WHOLE_LOG,
    ) -> None:
        """`partition`: only the events of its articles (a parallel replay's worker); an
        archived row is filtered by its subject column, a stream entry by its envelope's
        subject, both before the event is decoded."""
        self.store = store
        self.redis = redis
        self.streams = list(streams) if streams is not None else replay_streams()
        self.page_rows = page_rows
        self.partition = partition

    async def require_complete(self) -> None:
        """Raise IncompleteLog when a stream lost entries the archive cannot have supplied:
        it has none of that stream."""
        marks = await self.store.high_water_marks(self.streams)
        for stream in self.streams:
            gap = await missing_entries(self.redis, stream)
            if gap and marks[stream] is None:
                raise IncompleteLog(
                    f"cannot replay: {stream} lost {gap} entries and the archive holds none "
                    "of that stream (is ARCHIVE_DATABASE_URL the archive service's database?)"
                )

    async def total_entries(self) -> int:
        """The archived events and the stream entries not among them (for a progress bar)."""
        total = sum((await self.store.counts()).values())
        for stream in self.streams:
            first = cast(list[StreamEntry], await self.redis.xrange(stream, count=1))
            if first:
                in_both = await self.store.count_from(stream, EntryId.parse(first[0][0]))
                total += max(0, int(await self.redis.xlen(stream)) - in_both)
        return total

    async def batches(self, size: int) -> AsyncIterator[LogBatch]:
        snapshot = await self.store.last_position()
        async for batch in self._archived(after=0, up_to=snapshot, size=size, skip=set()):
            yield batch
        from_tail: set[str] = set()
        for stream in self.streams:
            async for entries in self._stream(stream, size):
                yield await self._tail_batch(stream, entries, snapshot, from_tail)
        async for batch in self._archived(after=snapshot, up_to=None, size=size, skip=from_tail):
            yield batch

    async def _archived(
        self, *, after: int, up_to: int | None, size: int, skip: set[str]
    ) -> AsyncIterator[LogBatch]:
        owns = self.partition.owns
        async for rows in self._pages(after=after, up_to=up_to, rows=max(size, self.page_rows)):
            for start in range(0, len(rows), size):
                if start:
                    # Lets the read ahead run on (PostgreSQL's rows arrive on this loop) when
                    # the caller does not await between batches.
                    await asyncio.sleep(0)
                # Rows the tail already brought are not entries of this pass.
                fresh = [
                    row
                    for row in rows[start : start + size]
                    if row.event_id not in skip and owns(row.subject or None)
                ]
                with collector_paused():
                    events = [event for row in fresh if (event := decode_archived(row)) is not None]
                yield LogBatch(entries=len(fresh), events=events, skipped=len(fresh) - len(events))

    async def _pages(
        self, *, after: int, up_to: int | None, rows: int
    ) -> AsyncIterator[list[ArchivedBody]]:
        """The archived rows after `after` up to `up_to`, a page of `rows` at a time; the next
        page is read while the caller decodes and applies this one (SQLite reads in a worker
        thread, PostgreSQL waits on the network), never more than one ahead."""

        def read_after(position: int) -> asyncio.Task[list[ArchivedBody]]:
            return asyncio.ensure_future(
                self.store.read_bodies(
                    after=position, up_to=up_to, limit=rows, event_types=RENDER_EVENT_TYPES
                )
            )

        ahead = read_after(after)
        try:
            while page := await ahead:
                ahead = read_after(page[-1].position)
                await asyncio.sleep(0)  # the read starts now, not when the next page is due
                yield page
        finally:
            if not ahead.done():
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ahead

    async def _stream(self, stream: str, size: int) -> AsyncIterator[list[StreamEntry]]:
        start = "-"
        while True:
            chunk = cast(
                list[StreamEntry], await self.redis.xrange(stream, min=start, max="+", count=size)
            )
            if not chunk:
                return
            yield chunk
            start = "(" + chunk[-1][0].decode()

    async def _tail_batch(
        self, stream: str, entries: list[StreamEntry], snapshot: int, from_tail: set[str]
    ) -> LogBatch:
        # The event id is the entry's message_id header: what the archive already has is not
        # decoded at all (on a trimmed log, most of the tail overlaps the archive).
        headed = {entry_id: _message_id(fields) for entry_id, fields in entries}
        known = await self.store.archived_ids(
            [event_id for event_id in headed.values() if event_id], up_to=snapshot
        )
        with collector_paused():
            owned, decoded = decode_partition(
                (
                    (stream, entry_id, fields)
                    for entry_id, fields in entries
                    if headed[entry_id] not in known
                ),
                self.partition,
            )
        skipped = owned - len(decoded)
        archived = await self.store.archived_ids(
            [e.id for e in decoded if e.id not in known], up_to=snapshot
        )
        events = []
        for event in decoded:
            if event.id in archived or event.id in from_tail:
                continue  # read from the archive already, or a duplicate entry of the tail
            from_tail.add(event.id)
            events.append(event)
        # Entries already read from the archive are not counted twice.
        entries_here = skipped + len(events)
        return LogBatch(entries=entries_here, events=events, skipped=skipped)
