"""SQL plumbing for the services that own SQL state (ingest's inbox, render's read model):
one engine recipe and one aware-datetime column type, on SQLite and PostgreSQL alike.

Needs the `sql` extra: `newsroom-shared[sql]`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import BigInteger, DateTime, Dialect, Engine, Integer, TypeDecorator, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# SQLite has no BIGINT autoincrement; INTEGER PRIMARY KEY is its rowid.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend. SQLite drops the offset, so UTC is stored and put
    back on load: version ordering then compares aware datetimes everywhere."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


Synchronous = Literal["NORMAL", "FULL"]


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


def create_engine(database_url: str) -> AsyncEngine:
    """SQLite (see `apply_sqlite_pragmas`) with its folder created; PostgreSQL with pre-ping."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
        apply_sqlite_pragmas(dbapi_connection)

    return engine


def create_sqlite_sync_engine(database_url: str, synchronous: Synchronous = "NORMAL") -> Engine:
    """A synchronous pysqlite engine on the file of an `sqlite+aiosqlite` URL, with the same
    pragmas, for work that runs whole in one worker thread (no per-statement thread hops)."""
    url = make_url(database_url).set(drivername="sqlite+pysqlite")
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_sync_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
        apply_sqlite_pragmas(dbapi_connection, synchronous)

    return engine
