"""Running the shipped Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "newsroom.ingest.adapters:migrations")
    config.attributes["database_url"] = database_url
    return config


def run_migrations(database_url: str, revision: str = "head") -> None:
    """Upgrade the ingest schema. Synchronous, and it runs its own event loop: call it before
    starting one (or from a worker thread)."""
    command.upgrade(alembic_config(database_url), revision)
