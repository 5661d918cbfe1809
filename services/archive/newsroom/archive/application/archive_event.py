"""The use case: a stream entry in, its event stored once (an event id already archived,
from a redelivery or a re-publication after Redis lost data, stores nothing)."""

from __future__ import annotations

from newsroom.archive.application.ports import Archive
from newsroom.shared.eventstore import EntryId, record_of_entry


class ArchiveEvent:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    async def __call__(self, stream: str, entry_id: EntryId, body: bytes | str) -> bool:
        """Whether the event was new. Returns once it is committed: the caller acknowledges
        the entry only then. ValueError when the body is not an event."""
        return await self.archive.append([record_of_entry(stream, entry_id, body)]) == 1
