"""The use case behind `newsroom status` and the archive's gauges: per stream its length and
memory, the archive's high-water mark and count, each group's lag and pending entries; the
outbox backlog, the dead letters and Redis's memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from newsroom.archive.application.ports import ArchiveCounts, OutboxBacklog, RedisFigures, Streams
from newsroom.archive.domain.retention import GroupPosition, trim_point
from newsroom.shared.eventstore import EntryId


@dataclass(frozen=True)
class StreamStatus:
    stream: str
    length: int
    memory_bytes: int | None
    archived: int
    high_water_mark: EntryId | None
    groups: list[GroupPosition]
    trim_limited_by: str


@dataclass(frozen=True)
class Status:
    used_memory_bytes: int
    streams: list[StreamStatus] = field(default_factory=list)
    dead_letters: int = 0
    outbox_backlog: int | None = None


class CollectStatus:
    def __init__(
        self,
        archive: ArchiveCounts,
        streams: Streams,
        figures: RedisFigures,
        outbox_backlog: OutboxBacklog,
        *,
        dead_letters_stream: str,
    ) -> None:
        self.archive = archive
        self.streams = streams
        self.figures = figures
        self.outbox_backlog = outbox_backlog
        self.dead_letters_stream = dead_letters_stream

    async def __call__(self, names: Sequence[str]) -> Status:
        counts = await self.archive.counts()
        marks = await self.archive.high_water_marks(names)
        streams = []
        for stream in names:
            groups = await self.streams.groups(stream)
            # What holds trimming back, retention aside (it keeps a fixed number by design).
            point = trim_point(marks[stream], groups, None)
            streams.append(
                StreamStatus(
                    stream=stream,
                    length=await self.figures.length(stream),
                    memory_bytes=await self.figures.memory(stream),
                    archived=counts.get(stream, 0),
                    high_water_mark=marks[stream],
                    groups=groups,
                    trim_limited_by=point.limited_by,
                )
            )
        return Status(
            used_memory_bytes=await self.figures.used_memory(),
            streams=streams,
            dead_letters=await self.figures.length(self.dead_letters_stream),
            outbox_backlog=await self.outbox_backlog(),
        )
