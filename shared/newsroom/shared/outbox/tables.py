"""The outbox tables, defined once; each service puts them in its own metadata (and creates
them in its own migrations).

`outbox` holds events written in the same transaction as the change they announce, relayed in
`id` order (which keeps each article's events in the order they were decided) and deleted once
Redis has them. `<name>_parked` keeps rows that could not be decoded, with the error, so that
one bad row never holds back everything behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Column, Insert, MetaData, String, Table, Text, insert

from newsroom.shared.sql.types import AutoId, UtcDateTime


@dataclass(frozen=True)
class OutgoingEvent:
    """An event to append: its envelope as JSON text, the stream it goes to."""

    event_id: str
    stream: str
    correlation_id: str
    body: str


class Executes(Protocol):
    """A Core `Connection` or an ORM `Session`: what the caller's transaction runs on."""

    def execute(self, statement: Insert, parameters: list[dict[str, object]], /) -> object: ...


class OutboxTables:
    """The outbox and its parked rows in `metadata`, and appending to it."""

    def __init__(
        self, metadata: MetaData, name: str = "outbox", *, unique_event_ids: bool = False
    ) -> None:
        """`unique_event_ids`: a unique constraint on `event_id` (a second append of one event
        then fails the caller's transaction), for a service whose table has one."""
        self.outbox = Table(
            name,
            metadata,
            Column("id", AutoId, primary_key=True, autoincrement=True),
            Column("event_id", String(64), nullable=False, unique=unique_event_ids),
            Column("stream", String(200), nullable=False),
            Column("correlation_id", String(200), nullable=False),
            Column("body", Text, nullable=False),
            Column("created_at", UtcDateTime(), nullable=False),
        )
        self.parked = Table(
            f"{name}_parked",
            metadata,
            # Its own id: SQLite reuses outbox rowids once the outbox drains, so a second
            # parked row could carry an outbox id parked before.
            Column("id", AutoId, primary_key=True, autoincrement=True),
            Column("outbox_id", AutoId, nullable=False),
            Column("event_id", String(64), nullable=False),
            Column("stream", String(200), nullable=False),
            Column("body", Text, nullable=False),
            Column("error", Text, nullable=False),
            Column("parked_at", UtcDateTime(), nullable=False),
        )
        self._append = insert(self.outbox)

    def append(self, transaction: Executes, events: Sequence[OutgoingEvent], now: datetime) -> None:
        """Adds `events`, in order, in the caller's transaction: they are relayed if and only
        if it commits."""
        if not events:
            return
        transaction.execute(
            self._append,
            [
                {
                    "event_id": event.event_id,
                    "stream": event.stream,
                    "correlation_id": event.correlation_id,
                    "body": event.body,
                    "created_at": now,
                }
                for event in events
            ],
        )
