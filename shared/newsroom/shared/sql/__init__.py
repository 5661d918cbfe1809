"""SQL plumbing for the services that own SQL state (ingest's inbox, render's read model): one
engine recipe, column types that mean the same on SQLite and PostgreSQL, and one unit-of-work
runner with SQLite's single writer (group commit) and the PostgreSQL path.

Needs the `sql` extra: `newsroom-shared[sql]`."""

from newsroom.shared.sql.engines import (
    Begin,
    Synchronous,
    apply_sqlite_pragmas,
    create_engine,
    create_sqlite_sync_engine,
    is_sqlite,
    is_sqlite_file,
)
from newsroom.shared.sql.runner import UnitOfWorkRunner, in_session
from newsroom.shared.sql.sqlite_writer import SqliteWriter
from newsroom.shared.sql.types import AutoId, UtcDateTime

__all__ = [
    "AutoId",
    "Begin",
    "SqliteWriter",
    "Synchronous",
    "UnitOfWorkRunner",
    "UtcDateTime",
    "apply_sqlite_pragmas",
    "create_engine",
    "create_sqlite_sync_engine",
    "in_session",
    "is_sqlite",
    "is_sqlite_file",
]
