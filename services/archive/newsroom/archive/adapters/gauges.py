"""The status figures and each trim's outcome as Prometheus gauges."""

from __future__ import annotations

from newsroom.archive.adapters import metrics
from newsroom.archive.application.status import Status
from newsroom.archive.application.trim_streams import StreamTrim

_LIMITS = ("archive", "retention", "group")


def publish_status(status: Status) -> None:
    metrics.REDIS_USED_MEMORY.set(status.used_memory_bytes)
    metrics.DEAD_LETTERS.set(status.dead_letters)
    if status.outbox_backlog is not None:
        metrics.OUTBOX_BACKLOG.set(status.outbox_backlog)
    for stream in status.streams:
        metrics.STREAM_LENGTH.labels(stream.stream).set(stream.length)
        if stream.memory_bytes is not None:
            metrics.STREAM_MEMORY.labels(stream.stream).set(stream.memory_bytes)
        metrics.ARCHIVED_EVENTS.labels(stream.stream).set(stream.archived)
        if stream.high_water_mark is not None:
            metrics.HIGH_WATER_MARK.labels(stream.stream).set(stream.high_water_mark.ms)
        for group in stream.groups:
            metrics.GROUP_PENDING.labels(stream.stream, group.name).set(group.pending)
            if group.lag is not None:
                metrics.GROUP_LAG.labels(stream.stream, group.name).set(group.lag)


def publish_trim(trim: StreamTrim) -> None:
    if trim.trimmed:
        metrics.ENTRIES_TRIMMED.labels(trim.stream).inc(trim.trimmed)
    for group in trim.groups:
        metrics.GROUP_PENDING.labels(trim.stream, group.name).set(group.pending)
        if group.lag is not None:
            metrics.GROUP_LAG.labels(trim.stream, group.name).set(group.lag)
    limited_by = trim.point.limited_by
    for limit in _LIMITS:
        metrics.TRIM_HELD_BACK.labels(trim.stream, limit).set(
            1 if limited_by.split(" ")[0] == limit else 0
        )
