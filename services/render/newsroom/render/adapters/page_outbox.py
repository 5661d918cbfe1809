"""The page outbox: PageChanged written in the transaction that changed the pages
(`PageOutboxWriter`), published after it commits (`PageOutbox.flush`), at least once and with
the same event ids. A row that cannot be decoded is parked in `page_outbox_parked`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, cast

import structlog
from pydantic import ValidationError
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from newsroom.render.adapters.metrics import PAGE_CHANGES_PARKED
from newsroom.render.adapters.orm import PageOutboxRow, ParkedPageChangeRow
from newsroom.render.application.ports import Clock, PublishPages
from newsroom.shared.events import PageChanged

if TYPE_CHECKING:
    from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork

log = structlog.get_logger(__name__)

_OUTBOX = cast(Table, PageOutboxRow.__table__)


class PageOutboxWriter:
    """Queues PageChanged in a unit of work's transaction (application.ports.PageOutboxWriter)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, events: Sequence[PageChanged]) -> None:
        rows = [{"event_id": event.id, "body": event.model_dump_json()} for event in events]
        if rows:
            # Core executemany: plain rows, no ORM bookkeeping.
            self.session.execute(insert(_OUTBOX), rows)


class PageOutbox:
    """Sends what the outbox holds (application.ports.PageOutbox), as the read model's one
    writer: a flush never interleaves with a projection's transaction."""

    def __init__(self, unit_of_work: ReadModelUnitOfWork, clock: Clock) -> None:
        self.unit_of_work = unit_of_work
        self.runner = unit_of_work.runner
        self.clock = clock
        # Whether this process queued PageChanged since it last emptied the outbox (both
        # happen while writing); the periodic flush looks at the table regardless.
        self._unsent = False

    def note_queued(self) -> None:
        self._unsent = True

    async def flush(
        self, publish: PublishPages, limit: int = 500, *, only_if_queued_here: bool = False
    ) -> int:
        """Publish waiting PageChanged events, oldest first, then delete what was sent.
        A crash in between sends them again: at least once, with the same event ids.
        `only_if_queued_here` skips the database when this process queued nothing since it
        last emptied the outbox (the consumers' fast path; the periodic flush always looks)."""
        sent = 0
        async with self.unit_of_work.writing():
            if only_if_queued_here and not self._unsent:
                return 0
            while True:
                rows = await self.runner.read(partial(_outbox_head, limit=limit))
                events, parked = _decode_outbox(rows)
                if parked:
                    # An undecodable row would fail every flush and hold back every
                    # PageChanged behind it: move it aside, keep the rest flowing.
                    await self.runner.write(partial(_park, parked=parked, now=self.clock()))
                    PAGE_CHANGES_PARKED.inc(len(parked))
                    for row_id, _, error in parked:
                        log.error("page_change_parked", outbox_id=row_id, error=error)
                await publish([event for _, event in events])
                if events:
                    await self.runner.write(partial(_outbox_delete, ids=[i for i, _ in events]))
                sent += len(events)
                if len(rows) < limit:
                    self._unsent = False
                    return sent


def _outbox_head(session: Session, limit: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(PageOutboxRow.id, PageOutboxRow.body).order_by(PageOutboxRow.id).limit(limit)
    )
    return [(row.id, row.body) for row in rows]


def _decode_outbox(
    rows: list[tuple[int, str]],
) -> tuple[list[tuple[int, PageChanged]], list[tuple[int, str, str]]]:
    """(id, event) of the rows that decode, (id, body, error) of those that do not."""
    events: list[tuple[int, PageChanged]] = []
    parked: list[tuple[int, str, str]] = []
    for row_id, body in rows:
        try:
            events.append((row_id, PageChanged.model_validate_json(body)))
        except (ValidationError, ValueError) as exc:
            parked.append((row_id, body, f"{type(exc).__name__}: {exc}"[:2000]))
    return events, parked


def _park(session: Session, parked: list[tuple[int, str, str]], now: datetime) -> None:
    session.execute(
        insert(ParkedPageChangeRow),
        [
            {"outbox_id": i, "body": body, "error": error, "parked_at": now}
            for i, body, error in parked
        ],
    )
    _outbox_delete(session, [i for i, _, _ in parked])


def _outbox_delete(session: Session, ids: list[int]) -> None:
    session.execute(delete(PageOutboxRow).where(PageOutboxRow.id.in_(ids)))
