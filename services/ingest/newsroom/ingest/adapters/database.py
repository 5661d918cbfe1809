"""The ingest database: typed ORM tables for the inbox, the deliveries seen and the outbox.

SQLite by default (WAL, one writer at a time), PostgreSQL when DATABASE_URL says so. The schema
is owned by the Alembic migrations shipped in `newsroom.ingest.adapters.migrations`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from newsroom.shared.sql import AutoId, UtcDateTime, create_engine, is_sqlite

__all__ = ["AutoId", "UtcDateTime", "create_engine", "is_sqlite"]


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
    """Every accepted version, recorded before ingest answers 202; the archive of the wire."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("source", "uri", "version", name="uq_inbox_source_uri_version"),
        UniqueConstraint("event_id", name="uq_inbox_event_id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(200))
    versioncreated: Mapped[datetime] = mapped_column(UtcDateTime())
    pubstatus: Mapped[str] = mapped_column(String(20))
    article_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ingest_articles.article_id"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(100))
    delivery_id: Mapped[str | None] = mapped_column(String(200))
    correlation_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Lets one flush insert a new article's row before its first inbox item (foreign key).
    article: Mapped[IngestedArticle] = relationship(lazy="raise")


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


class Database:
    """Engine, sessions, and the write serialisation SQLite needs."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.is_sqlite = is_sqlite(database_url)
        self.engine = create_engine(database_url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite allows one writer: queueing writers here is cheaper and fairer than letting
        # them collide on the file lock. PostgreSQL serialises per article with row locks.
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction that commits on success and rolls back on error."""
        async with contextlib.AsyncExitStack() as stack:
            if self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            session = await stack.enter_async_context(self.sessions())
            await stack.enter_async_context(session.begin())
            yield session

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
