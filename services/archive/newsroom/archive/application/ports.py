"""What the use cases drive: the event store and the Redis streams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from newsroom.archive.domain.retention import GroupPosition
from newsroom.shared.eventstore import EntryId, EventRecord


class Archive(Protocol):
    async def append(self, records: Sequence[EventRecord]) -> int: ...

    async def high_water_marks(self, streams: Sequence[str]) -> dict[str, EntryId | None]: ...

    async def record_checkpoint(self, epoch: str, stream: str, entry: EntryId) -> None: ...

    async def nth_newest_entry(self, stream: str, n: int) -> EntryId | None: ...


class Streams(Protocol):
    """The Redis side: groups' positions, retention, trimming, which life of Redis's data."""

    async def groups(self, stream: str) -> list[GroupPosition]: ...

    async def trim(self, stream: str, minid: EntryId) -> int:
        """XTRIM MINID; the number of entries deleted."""
        ...

    async def epoch(self) -> str: ...


class RedisFigures(Protocol):
    """Sizes Redis reports: a stream's length and memory, the server's memory."""

    async def length(self, stream: str) -> int: ...

    async def memory(self, stream: str) -> int | None: ...

    async def used_memory(self) -> int: ...


class OutboxBacklog(Protocol):
    async def __call__(self) -> int | None:
        """Events waiting in ingest's outbox (None: not known here)."""
        ...


class ArchiveCounts(Protocol):
    async def counts(self) -> dict[str, int]: ...

    async def high_water_marks(self, streams: Sequence[str]) -> dict[str, EntryId | None]: ...
