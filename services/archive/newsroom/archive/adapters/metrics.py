"""Prometheus metrics of the archive service (default registry, served on /metrics): what it
archived and trimmed, and the status figures `newsroom status` prints, per stream and group."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_ARCHIVED = Counter(
    "newsroom_archive_events_total",
    "Stream entries archived: stored (new) or already there (duplicate)",
    ["stream", "outcome"],
)
ENTRIES_TRIMMED = Counter(
    "newsroom_archive_entries_trimmed_total", "Stream entries trimmed (XTRIM MINID)", ["stream"]
)
STREAM_LENGTH = Gauge("newsroom_stream_length", "Entries in the stream (XLEN)", ["stream"])
STREAM_MEMORY = Gauge(
    "newsroom_stream_memory_bytes", "Redis memory of the stream key (MEMORY USAGE)", ["stream"]
)
REDIS_USED_MEMORY = Gauge("newsroom_redis_used_memory_bytes", "Redis used_memory (INFO memory)")
ARCHIVED_EVENTS = Gauge(
    "newsroom_archive_stored_events", "Events stored in the archive", ["stream"]
)
HIGH_WATER_MARK = Gauge(
    "newsroom_archive_high_water_mark_ms",
    "Milliseconds part of the newest stream entry id archived",
    ["stream"],
)
GROUP_LAG = Gauge(
    "newsroom_stream_group_lag", "Entries not yet delivered to the group", ["stream", "group"]
)
GROUP_PENDING = Gauge(
    "newsroom_stream_group_pending",
    "Entries delivered to the group and not acknowledged",
    ["stream", "group"],
)
TRIM_HELD_BACK = Gauge(
    "newsroom_archive_trim_held_back",
    "1 when the stream's trimming is held back by this limit (a group, the archive, retention)",
    ["stream", "limit"],
)
OUTBOX_BACKLOG = Gauge(
    "newsroom_status_outbox_backlog", "Events in ingest's outbox not yet in Redis"
)
DEAD_LETTERS = Gauge("newsroom_status_dead_letters", "Entries in the dead-letters stream")
