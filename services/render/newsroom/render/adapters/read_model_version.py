"""The read model's version: a value read before a request reads anything, equal to a later
reading only if nothing was committed to the read model in between. Kept pages
(entrypoints.kept) are answered only while the version they were kept under holds.

SQLite file: `PRAGMA data_version` (adapters.queries.SqliteLoopReads), a few microseconds.

PostgreSQL: `pg_current_snapshot()` as text (`xmin:xmax:xip,...`), on a dedicated asyncpg
connection with the statement prepared: one round trip. Why equal snapshots mean no commit:
in a snapshot, `xmax` is one past the newest transaction that has ended (committed or aborted)
and `xip` lists every transaction with an id below `xmax` still running (the reading
connection has none: a plain SELECT gets no transaction id). Take a transaction T (id x) that
commits between a reading S1 and a later reading S2. If x < S1.xmax, T was running at S1, so x
is in S1.xip; having ended, it is not in S2.xip. If x >= S1.xmax, T's end makes the newest
ended id at least x, so S2.xmax > x >= S1.xmax. Either way S2 != S1, and since xmax never goes
back and an ended id never runs again (ids are 64-bit: no wraparound), no later reading equals
S1 either. A commit is visible to other sessions from the moment it leaves the process array,
the same moment it leaves every later snapshot's `xip` (or raises its `xmax`), so a request
whose version equals a kept page's sees exactly the rows that page was built from. What moves
the snapshot without changing the read model (transactions on other databases of the cluster,
aborts, vacuum's own) only lowers the hit rate. LISTEN/NOTIFY would not do: a notification
arrives after the commit, at the listener's leisure, so a request in between would be served
stale. A version row bumped by the projector would: but it serialises writers and edits the
write path.

Readers never share a read already sent (its snapshot may predate a commit the caller must
see): callers arriving while one is in flight wait for the next, started after them, and share
that one (so at most one round trip is in flight, however many requests are waiting). When the
version cannot be read (the connection lost, the server down), the caller gets None, which
sends the request down the full path (never a kept page); the connection is opened again on a
later call, no sooner than RECONNECT_PAUSE after a failed attempt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

Version = int | str
SNAPSHOT = "SELECT pg_current_snapshot()::text"
TIMEOUT = 2.0  # seconds to connect, or to read, before the full path answers instead
RECONNECT_PAUSE = 0.5  # seconds between attempts to connect while the server refuses
# The SQLAlchemy asyncpg dialect's own connect arguments, which asyncpg.connect does not take.
SQLALCHEMY_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func")


class ReadModelVersion(Protocol):
    async def __call__(self) -> Version | None:
        """The version now (None: not known, so nothing may be kept or served kept)."""

    async def close(self) -> None: ...


class FreshRead:
    """Shares reads among concurrent callers, but only reads started after each caller called:
    a caller arriving while a read is in flight waits for the next one. (Single-flight helpers
    such as async-lru's share the read in flight, which could answer from before a commit the
    caller must see.) Each caller waits on a future of its own, so that one cancelled (its
    client gone) cancels only its own wait: a future shared through `asyncio.shield` cost a
    caller twice as much (2.0 against 1.0 us, 16 callers on uvloop), on every kept page."""

    def __init__(self, read: Callable[[], Awaitable[Version | None]]) -> None:
        self._read = read
        self._waiting: list[asyncio.Future[Version | None]] | None = None  # the next read's
        self._reader: asyncio.Task[None] | None = None

    async def __call__(self) -> Version | None:
        mine: asyncio.Future[Version | None] = asyncio.get_running_loop().create_future()
        if self._waiting is None:
            self._waiting = []
            if self._reader is None:
                self._reader = asyncio.create_task(self._read_for_waiting())
        self._waiting.append(mine)
        return await mine

    async def _read_for_waiting(self) -> None:
        batch = None
        try:
            while (batch := self._waiting) is not None:
                self._waiting = None  # who calls from now on waits for the next read
                version = await self._read()
                _answer(batch, version)
        finally:
            self._reader = None
            # Cancelled (closing) or failed: no caller is left waiting for ever.
            for waiting in (batch, self._waiting):
                if waiting is not None:
                    _answer(waiting, None)
            self._waiting = None

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)


def _answer(callers: list[asyncio.Future[Version | None]], version: Version | None) -> None:
    for caller in callers:
        if not caller.done():  # else cancelled, or answered already
            caller.set_result(version)


class PostgresSnapshotVersion:
    """`pg_current_snapshot()` on a connection of its own (see the module's docstring)."""

    def __init__(self, connect_args: Mapping[str, Any]) -> None:
        self._connect_args = connect_args
        self._connection: Any = None  # asyncpg.Connection
        self._statement: Any = None  # its asyncpg.PreparedStatement
        self._retry_at = 0.0
        self._failing = False
        self._fresh = FreshRead(self._read)

    async def __call__(self) -> Version | None:
        return await self._fresh()

    async def _read(self) -> str | None:
        if self._statement is None and time.monotonic() < self._retry_at:
            return None  # the last attempt to connect failed a moment ago
        try:
            if self._statement is None:
                self._retry_at = time.monotonic() + RECONNECT_PAUSE
                self._connection = await asyncpg.connect(**self._connect_args, timeout=TIMEOUT)
                self._statement = await self._connection.prepare(SNAPSHOT)
                self._retry_at = 0.0
            snapshot: str = await self._statement.fetchval(timeout=TIMEOUT)
        except Exception as exc:  # whatever went wrong, the full path answers
            if not self._failing:
                log.warning("read_model_version_unreadable", error=repr(exc)[:300])
            self._failing = True
            self._disconnect()
            return None
        if self._failing:
            log.info("read_model_version_readable")
            self._failing = False
        return snapshot

    def _disconnect(self) -> None:
        connection, self._connection, self._statement = self._connection, None, None
        if connection is not None:
            connection.terminate()  # no goodbye on a connection that may be dead

    async def close(self) -> None:
        await self._fresh.close()
        connection, self._connection, self._statement = self._connection, None, None
        if connection is not None:
            await connection.close(timeout=TIMEOUT)


class NoVersion:
    """A read model whose version is not known: nothing is kept."""

    async def __call__(self) -> Version | None:
        return None

    async def close(self) -> None:
        """Nothing to close."""


class SqliteFileVersion:
    """An SQLite file's version read on the event loop (a few microseconds: no thread hop)."""

    def __init__(self, read: Callable[[], int | None]) -> None:
        self._read = read

    async def __call__(self) -> Version | None:
        return self._read()

    async def close(self) -> None:
        """Its connection is the queries' own, closed with them."""


def read_model_version(
    engine: AsyncEngine, sqlite_version: Callable[[], int | None]
) -> ReadModelVersion:
    """The version of the read model behind `engine`: its snapshot on PostgreSQL over asyncpg
    (connected as the engine connects), else `sqlite_version` (an SQLite file's data_version;
    None for an in-memory database, where nothing is kept).

    Nothing is kept on PostgreSQL through another driver, nor with several hosts in the URL:
    the version's connection could reach another server than the queries' do, and a snapshot
    says nothing of another server's commits."""
    if engine.url.get_backend_name() != "postgresql":
        return SqliteFileVersion(sqlite_version)
    arguments = asyncpg_arguments(engine)
    return NoVersion() if arguments is None else PostgresSnapshotVersion(arguments)


def asyncpg_arguments(engine: AsyncEngine) -> dict[str, Any] | None:
    """What asyncpg.connect takes to reach the server `engine` connects to (None: not
    PostgreSQL over asyncpg with one host, so a connection of our own could reach another
    server than the engine's)."""
    if engine.url.get_backend_name() != "postgresql" or engine.dialect.driver != "asyncpg":
        return None
    _, arguments = engine.dialect.create_connect_args(engine.url)
    if isinstance(arguments.get("host"), list):
        return None
    return {name: value for name, value in arguments.items() if name not in SQLALCHEMY_ONLY}
