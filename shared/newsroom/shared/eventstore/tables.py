"""The archive's tables, in a metadata of their own (the archive database holds nothing else).

`archived_events` is append-only: a row per event id, never updated or deleted. `position`
is the order rows were committed in (a replay reads up to one position, then the streams);
`(stream, entry_ms, entry_seq)` is the stream entry the event was first archived from (the
high-water mark is its maximum per stream); `subject` is the article, `causation_id` the event
an event was derived from (an enrichment's article event).

`stream_checkpoints` remembers, per Redis epoch (see `newsroom.shared.streaming.epochs`) and
stream, the entry below which every consumer group had acknowledged everything: after Redis
loses its data, what was archived from that entry on may not have reached every group."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, MetaData, String, Table, Text

from newsroom.shared.sql.types import AutoId, UtcDateTime

METADATA = MetaData()

EVENTS = Table(
    "archived_events",
    METADATA,
    Column("position", AutoId, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("stream", String(200), nullable=False),
    Column("entry_ms", BigInteger, nullable=False),
    Column("entry_seq", BigInteger, nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("causation_id", String(64)),
    Column("correlation_id", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("archived_at", UtcDateTime(), nullable=False),
    # Replay order within a stream and the high-water mark (its maximum).
    Index("ix_archived_events_stream_entry", "stream", "entry_ms", "entry_seq"),
    # An article's history.
    Index("ix_archived_events_subject", "subject", "position"),
    # An article event's enrichment.
    Index("ix_archived_events_causation", "causation_id"),
)

CHECKPOINTS = Table(
    "stream_checkpoints",
    METADATA,
    Column("epoch", String(100), primary_key=True),
    Column("stream", String(200), primary_key=True),
    Column("entry_ms", BigInteger, nullable=False),
    Column("entry_seq", BigInteger, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)
