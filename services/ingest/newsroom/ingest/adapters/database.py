"""The ingest database: typed ORM tables for the inbox and the deliveries seen, and the shared
outbox tables beside them.

SQLite by default, PostgreSQL when DATABASE_URL says so; the work runs through the shared
`UnitOfWorkRunner` (bootstrap builds it). The schema is owned by the Alembic migrations shipped
in `newsroom.ingest.adapters.migrations`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from newsroom.shared.outbox import OutboxTables
from newsroom.shared.sql import AutoId, UtcDateTime


class Base(DeclarativeBase):
    pass


class IngestedArticle(Base):
    """One row per (source, uri): the slug fixed at the first version ingest saw. Also the row
    locked (PostgreSQL) while a version of the article is decided, so concurrent deliveries of
    one article are decided one after the other."""

    __tablename__ = "ingest_articles"

    article_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InboxItem(Base):
    """Every accepted version, recorded before ingest answers 202; the archive of the wire.
    A version re-sent with other content (a kill, an embargo lift) is a row of its own."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint(
            "source", "uri", "version", "content_hash", name="uq_inbox_source_uri_version_content"
        ),
        UniqueConstraint("event_id", name="uq_inbox_event_id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(200))
    versioncreated: Mapped[datetime] = mapped_column(UtcDateTime())
    pubstatus: Mapped[str] = mapped_column(String(20))
    # SHA-256 hex of the parsed article (decisions.content_hash); None on rows recorded
    # before revision 0002.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # The copy carried an embargo (held or timed); None on rows recorded before revision 0003.
    embargoed: Mapped[bool | None] = mapped_column(Boolean)
    article_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ingest_articles.article_id"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(100))
    delivery_id: Mapped[str | None] = mapped_column(String(200))
    correlation_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    event: Mapped[dict[str, Any]] = mapped_column(JSON)


class Delivery(Base):
    """A webhook delivery id seen from a source, with what we answered: a replay gets the
    same articles back, as a duplicate."""

    __tablename__ = "inbox_deliveries"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # SHA-256 (hex) of the body: the same id with another body is a conflict, not a replay.
    # None on ids remembered before ingest kept it.
    body_hash: Mapped[str | None] = mapped_column(String(64))


# The events recorded with the inbox, relayed to Redis (newsroom.shared.outbox).
OUTBOX = OutboxTables(Base.metadata, "outbox")
# Any constant; names "the ingest outbox relay" among PostgreSQL advisory locks (kept from
# before the shared outbox, so an old and a new process never drain at once).
RELAY_LOCK_KEY = 0x6E657773  # "news"


def table_of(entity: type[Base]) -> Table:
    """An ORM entity's Core table, for statements that need no ORM on the way."""
    table = entity.__table__
    assert isinstance(table, Table)
    return table
