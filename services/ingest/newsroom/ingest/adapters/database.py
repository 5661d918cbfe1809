"""The ingest database: typed ORM tables for the inbox, the deliveries seen and the outbox.

SQLite by default (WAL, one writer thread: `sqlite_writer`), PostgreSQL when DATABASE_URL says
so. The schema is owned by the Alembic migrations shipped in
`newsroom.ingest.adapters.migrations`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from newsroom.ingest.adapters.sqlite_writer import SqliteWriter
from newsroom.shared.sql import AutoId, UtcDateTime, create_engine, is_sqlite

__all__ = ["AutoId", "UtcDateTime", "create_engine", "is_sqlite"]

T = TypeVar("T")


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


class OutboxEntry(Base):
    """An event waiting to be appended to its stream; the relay deletes it once Redis has it.
    Relayed in `id` order, which keeps every article's events in the order ingest decided them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))
    stream: Mapped[str] = mapped_column(String(200))
    correlation_id: Mapped[str] = mapped_column(String(200))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


def table_of(entity: type[Base]) -> Table:
    """An ORM entity's Core table, for statements that need no ORM on the way."""
    table = entity.__table__
    assert isinstance(table, Table)
    return table


class Database:
    """Where the inbox's SQL work runs. Work is a plain function of a SQLAlchemy `Connection`
    (Core statements), the same on both backends:
    - SQLite: everything goes to the one writer thread (group commit, no asyncio lock, no
      thread hop per statement); reads run there too, between batches, on committed data.
      (`engine`, the aiosqlite one, then opens no connection.)
    - PostgreSQL: each piece of work in its own asyncpg transaction (`run_sync`); concurrent
      deliveries of one article queue on its row lock."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.is_sqlite = is_sqlite(database_url)
        self.engine = create_engine(database_url)
        self._writer = SqliteWriter(database_url) if self.is_sqlite else None

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work` in a transaction; returns once it is committed (raises if it was not)."""
        if self._writer is not None:
            return await self._writer.submit(work)
        async with self.engine.begin() as connection:
            return await connection.run_sync(work)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """`work` over committed data only."""
        if self._writer is not None:
            return await self._writer.submit(work, read_only=True)
        async with self.engine.connect() as connection:
            return await connection.run_sync(work)

    async def dispose(self) -> None:
        if self._writer is not None:
            await self._writer.close()
        await self.engine.dispose()
