"""Units of work on the read model: SQLite (WAL) by default, PostgreSQL by URL.

Units of work (a projection transaction, a page read) are plain synchronous functions of a
`Session` (or a bare `Connection`), run by `UnitOfWorkRunner` in one step:

* SQLite: the whole function runs in one worker thread on a synchronous pysqlite engine over
  the same file. aiosqlite would hand every statement to its own thread and back (a dozen
  hand-offs per transaction, each waiting for the event loop and the GIL), which profiling
  showed to be most of the cost of a page or a projected event.
* Other backends (PostgreSQL/asyncpg): `AsyncSession.run_sync`, which runs the same function
  on the event loop with the driver's own async I/O; no extra thread.

A read step sees one snapshot of the read model, however many SELECTs a page needs: on SQLite
an explicit BEGIN (pysqlite opens transactions only before writes, so each SELECT would see the
latest commit), on PostgreSQL REPEATABLE READ (READ COMMITTED takes a snapshot per statement).

`ReadModelUnitOfWork` is the write side's port (application.ports.UnitOfWork) on top: one
writer per process, and the repository and page outbox of each transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from newsroom.render.adapters.page_outbox import PageOutboxWriter
from newsroom.render.adapters.repository import ArticleRepository, ReplayTotals
from newsroom.render.adapters.write_turn import Lock, WriteTurn
from newsroom.shared.sql import create_sqlite_sync_engine

T = TypeVar("T")
Work = Callable[[Session], T]


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def sqlite_file_engine(engine: AsyncEngine) -> Engine | None:
    """A synchronous engine over the async engine's SQLite file, with the same pragmas; None
    for other backends and in-memory databases (a second engine would see another, empty,
    in-memory database)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return create_sqlite_sync_engine(url.render_as_string(hide_password=False))


# The writer's SQLite page cache (KiB). The index B-trees a projection inserts into at random
# places (an entity's stories, the inbox) outgrow SQLite's default 2 MB at tens of thousands of
# stories, and every miss is a read from the OS: a replay's rate per CPU second fell by a
# quarter from 10k to 50k stories with the default and held with a larger cache. Readers keep
# the default (one writer, many readers: the memory is spent once).
WRITER_CACHE_KIB = 65536


def sqlite_writer_engine(engine: AsyncEngine) -> Engine | None:
    """The synchronous engine the one writer uses on an SQLite file: sqlite_file_engine's,
    with the writer's larger page cache; None where sqlite_file_engine is None."""
    writer = sqlite_file_engine(engine)
    if writer is None:
        return None
    on_connect(writer, f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
    return writer


def on_connect(engine: Engine, *statements: str) -> None:
    """Run `statements` on each new DBAPI connection of `engine` (per-connection settings)."""

    @event.listens_for(engine, "connect")
    def _settings(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()


class UnitOfWorkRunner:
    """Runs a synchronous unit of work against the read model in one step (see above)."""

    def __init__(
        self,
        engine: AsyncEngine,
        sqlite_engine: Engine | None = None,
        sqlite_writer: Engine | None = None,
        write_lock: Lock | None = None,
    ) -> None:
        """`sqlite_engine`: the synchronous twin of an SQLite `engine` (sqlite_file_engine),
        for reads, and for writes too unless `sqlite_writer` (sqlite_writer_engine) is given.
        `write_lock`: shared with other processes writing the same SQLite file (WriteTurn)."""
        self.engine = engine
        self.write_lock = write_lock
        self.sessions = session_factory(engine)
        self._sync_engine = sqlite_engine
        self._sync_sessions = (
            sessionmaker(sqlite_engine, expire_on_commit=False)
            if sqlite_engine is not None
            else None
        )
        self._writer_engine = sqlite_writer
        self._write_sessions = (
            sessionmaker(sqlite_writer, expire_on_commit=False)
            if sqlite_writer is not None
            else self._sync_sessions
        )

    async def read(self, work: Work[T]) -> T:
        """`work` in a read-only session over one snapshot (never committed)."""
        if self._sync_sessions is not None:
            return await asyncio.to_thread(self._read_sync, self._sync_sessions, work)
        async with self.sessions() as session:
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            return await session.run_sync(work)

    async def read_rows(self, work: Callable[[Connection], T]) -> T:
        """`work` on a bare connection, no ORM session: the cheapest read (about a third of a
        session's overhead), for the hottest queries (an article page's one row)."""
        if self._sync_engine is not None:
            return await asyncio.to_thread(self._connect_sync, self._sync_engine, work)
        async with self.engine.connect() as connection:
            return await connection.run_sync(work)

    async def write(self, work: Work[T]) -> T:
        """`work` in one transaction, committed when it returns, rolled back when it raises."""
        if self._write_sessions is not None:
            turn = WriteTurn(self.write_lock) if self.write_lock is not None else None
            return await asyncio.to_thread(self._write_sync, self._write_sessions, work, turn)
        async with self.sessions() as session, session.begin():
            return await session.run_sync(work)

    @staticmethod
    def _read_sync(sessions: sessionmaker[Session], work: Work[T]) -> T:
        with sessions() as session:
            # Ended by the rollback the pool does when the connection goes back.
            session.connection().exec_driver_sql("BEGIN")
            return work(session)

    @staticmethod
    def _connect_sync(engine: Engine, work: Callable[[Connection], T]) -> T:
        with engine.connect() as connection:
            return work(connection)

    @staticmethod
    def _write_sync(sessions: sessionmaker[Session], work: Work[T], turn: WriteTurn | None) -> T:
        try:
            with sessions() as session, session.begin():
                if turn is not None:
                    session.info[WriteTurn.KEY] = turn
                return work(session)
        finally:
            if turn is not None:
                turn.release()  # after the commit (or the rollback)

    async def dispose(self) -> None:
        if self._writer_engine is not None:
            self._writer_engine.dispose()
        if self._sync_engine is not None:
            self._sync_engine.dispose()
        await self.engine.dispose()


class SqlProjectionTransaction:
    """The stores of one transaction (application.ports.ProjectionTransaction)."""

    def __init__(self, session: Session, *, bulk: bool = False) -> None:
        self.articles = ArticleRepository(session, bulk=bulk)
        self.page_outbox = PageOutboxWriter(session)


class ReadModelUnitOfWork:
    """The read model's writer (application.ports.UnitOfWork). One writer per process:
    concurrent subscribers (articles, enriched, reclaim) and the maintenance loop would
    otherwise contend for SQLite's single write lock and sleep in its busy handler. Replicas
    in other processes are kept apart by the inbox and optimistic locking, and their
    conflicts (`conflicts`) make the loser's unit of work repeat."""

    conflicts: tuple[type[Exception], ...] = (IntegrityError, StaleDataError, OperationalError)

    def __init__(self, runner: UnitOfWorkRunner, *, totals: ReplayTotals | None = None) -> None:
        """`totals`: a bulk replay's (see ReplayTotals): each transaction's entity and month
        counts are added to it once it commits, instead of written to their rows."""
        self.runner = runner
        self.totals = totals
        self._lock = asyncio.Lock()

    def writing(self) -> AbstractAsyncContextManager[None]:
        # asyncio.Lock is an async context manager yielding None.
        return self._lock

    async def write(self, work: Callable[[SqlProjectionTransaction], T]) -> T:
        if self.totals is None:
            return await self.runner.write(lambda session: work(SqlProjectionTransaction(session)))
        transactions: list[SqlProjectionTransaction] = []

        def bulk(session: Session) -> T:
            transactions.append(SqlProjectionTransaction(session, bulk=True))
            return work(transactions[-1])

        result = await self.runner.write(bulk)
        # Only the committed attempt counts (a retried one raised before getting here).
        committed = transactions[-1].articles.totals
        if committed is not None:
            self.totals.merge(committed)
        return result
