"""The event store of record: every event of the event-log streams, once, in an append-only SQL
table that outlives Redis. The archive service writes it; replay, recovery and `newsroom status`
read it. Needs the `sql` extra."""

from newsroom.shared.eventstore.entry_ids import EntryId
from newsroom.shared.eventstore.records import (
    ArchivedBody,
    ArchivedEvent,
    EventRecord,
    record_of_entry,
)
from newsroom.shared.eventstore.store import EventStore
from newsroom.shared.eventstore.tables import CHECKPOINTS, EVENTS, METADATA

__all__ = [
    "CHECKPOINTS",
    "EVENTS",
    "METADATA",
    "ArchivedBody",
    "ArchivedEvent",
    "EntryId",
    "EventRecord",
    "EventStore",
    "record_of_entry",
]
