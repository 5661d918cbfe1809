"""Ingest's outbox backlog read from its database (the shared outbox table, `outbox`), for the
status figures; the archive never writes there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from newsroom.shared.outbox import OutboxTables
from newsroom.shared.sql import create_engine, is_sqlite_file

_OUTBOX = OutboxTables(MetaData(), "outbox").outbox


def _absent_sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    return is_sqlite_file(database_url) and not Path(url.database or "").exists()


class IngestOutboxBacklog:
    def __init__(self, database_url: str | None) -> None:
        self.engine: AsyncEngine | None = None
        # An SQLite file ingest has not created yet is not created here either.
        if database_url is not None and not _absent_sqlite_file(database_url):
            self.engine = create_engine(database_url)

    async def __call__(self) -> int | None:
        if self.engine is None:
            return None
        try:
            async with self.engine.connect() as connection:
                return int(
                    (await connection.execute(select(func.count()).select_from(_OUTBOX))).scalar()
                    or 0
                )
        except (SQLAlchemyError, OSError):
            return None  # ingest's database is not there (yet)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
