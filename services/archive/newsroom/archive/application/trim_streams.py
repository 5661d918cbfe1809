"""The use case: trim each event-log stream up to what nothing needs any more (see
domain.retention), and remember per Redis epoch where every group stood (what recovery
re-publishes from if Redis loses its data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from newsroom.archive.application.ports import Archive, Streams
from newsroom.archive.domain.retention import (
    GroupPosition,
    TrimPoint,
    consumed_by_every_group,
    trim_point,
)
from newsroom.shared.eventstore import EntryId

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class StreamTrim:
    stream: str
    point: TrimPoint
    trimmed: int
    groups: list[GroupPosition]
    high_water_mark: EntryId | None


class TrimStreams:
    def __init__(self, archive: Archive, streams: Streams, *, retention: int) -> None:
        self.archive = archive
        self.streams = streams
        self.retention = retention
        # The last checkpoint written per (epoch, stream): an unchanged one is not written again.
        self._recorded: dict[tuple[str, str], EntryId] = {}

    async def __call__(self, names: Sequence[str]) -> list[StreamTrim]:
        epoch = await self.streams.epoch()
        marks = await self.archive.high_water_marks(names)
        results = []
        for stream in names:
            groups = await self.streams.groups(stream)
            consumed = consumed_by_every_group(groups)
            if consumed is not None and self._recorded.get((epoch, stream)) != consumed:
                await self.archive.record_checkpoint(epoch, stream, consumed)
                self._recorded[(epoch, stream)] = consumed
            floor = await self.streams.retention_floor(stream, self.retention)
            point = trim_point(marks[stream], groups, floor)
            trimmed = await self.streams.trim(stream, point.minid) if point.minid else 0
            if trimmed:
                log.info(
                    "stream_trimmed",
                    stream=stream,
                    minid=str(point.minid),
                    entries=trimmed,
                    limited_by=point.limited_by,
                )
            results.append(StreamTrim(stream, point, trimmed, groups, marks[stream]))
        return results
