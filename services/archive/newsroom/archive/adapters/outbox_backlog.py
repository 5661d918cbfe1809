"""Ingest's outbox backlog read from its database (the shared outbox table, `outbox`), for the
status figures; the archive never writes there."""

from __future__ import annotations

from sqlalchemy import MetaData, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from newsroom.shared.outbox import OutboxTables
from newsroom.shared.sql import create_engine

_OUTBOX = OutboxTables(MetaData(), "outbox").outbox


class IngestOutboxBacklog:
    def __init__(self, database_url: str | None) -> None:
        self.engine: AsyncEngine | None = create_engine(database_url) if database_url else None

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
