"""Alembic environment: migrations run on the connection newsroom.render.adapters.migrate
hands over (async engines run them through `run_sync`)."""

from __future__ import annotations

from alembic import context

from newsroom.render.adapters.orm import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `newsroom-render migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
