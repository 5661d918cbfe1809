"""Where a service's SQL work runs: one unit of work, the same on SQLite and PostgreSQL.

Work is a plain synchronous function of a SQLAlchemy `Connection` (Core statements, the cheapest
path) or of an ORM `Session` (entities, `version_id_col` optimistic locking), run in one step:

* SQLite (a file): every write goes to the one writer thread (`SqliteWriter`: group commit, one
  savepoint per piece of work, no asyncio lock, no thread hop per statement). Reads run in a
  worker thread on a connection of their own, in a transaction SQLAlchemy begins (BEGIN), so
  however many SELECTs a piece of work makes they see one snapshot, and only committed rows;
  they never wait behind the writer (WAL).
* PostgreSQL (asyncpg): each piece of work in its own transaction on the event loop
  (`run_sync`, the driver's own async I/O); reads at REPEATABLE READ, one snapshot (READ
  COMMITTED would take one per statement).

`synchronous` is SQLite's durability for the writer: FULL where the state was acknowledged to
someone outside (ingest's 202), NORMAL where it can be rebuilt (a read model)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import Session

from newsroom.shared.sql.engines import (
    Synchronous,
    create_engine,
    create_sqlite_sync_engine,
    is_sqlite_file,
)
from newsroom.shared.sql.sqlite_writer import SqliteWriter

T = TypeVar("T")
ConnectionWork = Callable[[Connection], T]
SessionWork = Callable[[Session], T]

POSTGRES_SNAPSHOT = "REPEATABLE READ"


def in_session(work: SessionWork[T]) -> ConnectionWork[T]:
    """Session work as connection work, in the connection's transaction (or savepoint): the
    session flushes when `work` returns and never commits or rolls back what it did not begin;
    the runner decides that."""

    def run(connection: Connection) -> T:
        with Session(
            bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
        ) as session:
            result = work(session)
            session.flush()
            return result

    return run


class UnitOfWorkRunner:
    def __init__(
        self, database_url: str, *, synchronous: Synchronous = "NORMAL", name: str = "sql"
    ) -> None:
        self.url = database_url
        self.engine: AsyncEngine = create_engine(database_url)
        self.dialect = self.engine.dialect.name
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer: SqliteWriter | None = None
        self._reader: Engine | None = None
        if is_sqlite_file(database_url):
            self._writer = SqliteWriter(database_url, synchronous, name=f"{name}-sqlite-writer")
            self._reader = create_sqlite_sync_engine(database_url, begin="DEFERRED")

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    async def write(self, work: ConnectionWork[T]) -> T:
        """`work` in a transaction; returns once it is committed (raises if it was not)."""
        if self._writer is not None:
            return await self._writer.submit(work)
        async with self.engine.begin() as connection:
            return await connection.run_sync(work)

    async def write_session(self, work: SessionWork[T]) -> T:
        """`work` with an ORM session, committed when it returns, rolled back when it raises
        (a StaleDataError of optimistic locking included)."""
        if self._writer is not None:
            return await self._writer.submit(in_session(work))
        async with self._sessions() as session, session.begin():
            return await session.run_sync(work)

    async def read(self, work: ConnectionWork[T]) -> T:
        """`work` over one snapshot of committed data, never committed itself."""
        if self._reader is not None:
            return await asyncio.to_thread(_read_in_snapshot, self._reader, work)
        async with self.engine.connect() as connection:
            if self.is_postgresql:
                await connection.execution_options(isolation_level=POSTGRES_SNAPSHOT)
            return await connection.run_sync(work)

    async def read_session(self, work: SessionWork[T]) -> T:
        """`work` with a read-only ORM session over one snapshot."""
        if self._reader is not None:
            return await asyncio.to_thread(_read_in_snapshot, self._reader, in_session(work))
        async with self._sessions() as session:
            if self.is_postgresql:
                await session.connection(execution_options={"isolation_level": POSTGRES_SNAPSHOT})
            return await session.run_sync(work)

    async def dispose(self) -> None:
        """Finish submitted writes, then close every connection."""
        if self._writer is not None:
            await self._writer.close()
        if self._reader is not None:
            self._reader.dispose()
        await self.engine.dispose()


def _read_in_snapshot(engine: Engine, work: ConnectionWork[T]) -> T:
    with engine.connect() as connection, connection.begin() as transaction:
        try:
            return work(connection)
        finally:
            transaction.rollback()  # a read commits nothing
