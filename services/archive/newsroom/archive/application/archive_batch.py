"""The batch use case: the entries of one read in, their events stored in one transaction
(event ids already archived store nothing), the entries that are not events set aside."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from newsroom.archive.application.ports import Archive
from newsroom.shared.eventstore import EntryId, EventRecord, record_of_entry


@dataclass(frozen=True)
class PoisonEntry:
    """An entry whose body is not an event: no retry can store it."""

    entry_id: EntryId
    body: bytes
    error: ValueError


@dataclass(frozen=True)
class BatchArchived:
    stored: int
    duplicates: int
    poison: list[PoisonEntry] = field(default_factory=list)


class ArchiveBatch:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    async def __call__(
        self, stream: str, entries: Sequence[tuple[EntryId, bytes]]
    ) -> BatchArchived:
        """Returns once the batch's events are committed (one transaction: one fsync on
        SQLite): the caller acknowledges the entries only then. The poison entries do not
        stop the others from being stored; the caller parks them."""
        records: list[EventRecord] = []
        poison: list[PoisonEntry] = []
        for entry_id, body in entries:
            try:
                records.append(record_of_entry(stream, entry_id, body))
            except ValueError as error:  # not JSON, not UTF-8, or not an event's envelope
                poison.append(PoisonEntry(entry_id, body, error))
        stored = await self.archive.append(records)
        return BatchArchived(stored=stored, duplicates=len(records) - stored, poison=poison)
