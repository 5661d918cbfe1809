"""Alembic, run from code: the migrations ship inside the package."""

from __future__ import annotations

import logging
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from newsroom.render.adapters.orm import Base

MIGRATIONS = str(files("newsroom.render.adapters") / "migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    # env.py runs the migrations on the connection it is handed (see migrations/env.py).
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    # Alembic announces each of its plugins at INFO; only the migrations themselves matter.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    command.upgrade(alembic_config(connection), "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def is_empty(engine: AsyncEngine) -> bool:
    """True when the database holds no read model rows (a fresh target for replay)."""

    def check(connection: Connection) -> bool:
        tables = set(inspect(connection).get_table_names())
        if "articles" not in tables:
            return True
        count = connection.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
        return int(count) == 0

    async with engine.connect() as connection:
        return await connection.run_sync(check)


async def drop_all(engine: AsyncEngine) -> None:
    """Drop the read model and Alembic's bookkeeping (replay --replace)."""

    def drop(connection: Connection) -> None:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))

    async with engine.begin() as connection:
        await connection.run_sync(drop)
