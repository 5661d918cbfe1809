"""Engine and sessions for the read model: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from newsroom.shared.sql import create_engine

__all__ = ["create_engine", "session_factory"]


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
