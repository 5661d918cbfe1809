"""The one engine recipe: SQLite (WAL, foreign keys, busy timeout, its folder created) or
PostgreSQL (pre-ping), asynchronous for the event loop and synchronous for work that runs whole
in one thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

Synchronous = Literal["NORMAL", "FULL"]
Begin = Literal["DEFERRED", "IMMEDIATE"]


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def is_sqlite_file(database_url: str) -> bool:
    """An SQLite database in a file: one a second engine (another thread, another driver) can
    open too. An in-memory database exists once per connection."""
    url = make_url(database_url)
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def apply_sqlite_pragmas(dbapi_connection: Any, synchronous: Synchronous = "NORMAL") -> None:
    """WAL (readers never block the writer), foreign keys, a 30 s busy timeout. synchronous=NORMAL
    survives a process crash in WAL mode but may lose the last commits on power loss; FULL fsyncs
    every COMMIT, for state that was acknowledged to someone outside (ingest's inbox)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _with_folder(url: URL) -> URL:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def create_engine(database_url: str) -> AsyncEngine:
    """SQLite (see `apply_sqlite_pragmas`) with its folder created; PostgreSQL with pre-ping."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    engine = create_async_engine(_with_folder(url), connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
        apply_sqlite_pragmas(dbapi_connection)

    return engine


def create_sqlite_sync_engine(
    database_url: str, synchronous: Synchronous = "NORMAL", *, begin: Begin | None = None
) -> Engine:
    """A synchronous pysqlite engine on the file of an `sqlite+aiosqlite` URL, with the pragmas
    of `create_engine`, for work that runs whole in one worker thread (no thread hop per
    statement, as aiosqlite makes).

    `begin` None leaves transactions to pysqlite, which opens one only before the first write
    (a reader wanting one snapshot for several SELECTs issues BEGIN itself). "DEFERRED" or
    "IMMEDIATE" makes SQLAlchemy issue that BEGIN at the start of every transaction, reads
    included, so a read transaction is one snapshot and savepoints nest (pysqlite's own
    handling cannot nest them); IMMEDIATE takes the write lock at once, for the one writer."""
    url = _with_folder(make_url(database_url).set(drivername="sqlite+pysqlite"))
    engine = create_sync_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
        if begin is not None:
            dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN, not pysqlite's
        apply_sqlite_pragmas(dbapi_connection, synchronous)

    if begin is not None:
        statement = f"BEGIN {begin}"

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql(statement)

    return engine
