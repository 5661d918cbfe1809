"""The outbox takes the shared shape (newsroom.shared.outbox): the event as JSON text in
`body` (decoded row by row, so one undecodable row can be parked instead of failing every
batch), event ids up to 64 characters, and `outbox_parked` for such rows. Events waiting in the
outbox are kept: their JSON moves to `body` as it is.

Revision ID: 0004_shared_outbox
Revises: 0003_inbox_embargoed
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newsroom.shared.sql import AutoId, UtcDateTime

revision: str = "0004_shared_outbox"
down_revision: str | None = "0003_inbox_embargoed"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("body", sa.Text(), nullable=True))
    # SQLite keeps JSON as its text; PostgreSQL's json type casts to its text unchanged.
    cast = "message::text" if op.get_bind().dialect.name == "postgresql" else "message"
    op.execute(f"UPDATE outbox SET body = {cast}")  # noqa: S608 - no input in this statement
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch.alter_column("event_id", existing_type=sa.String(36), type_=sa.String(64))
        batch.drop_column("message")
    op.create_table(
        "outbox_parked",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("outbox_id", AutoId, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("parked_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox_parked")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message", sa.JSON(), nullable=True))
    cast = "body::json" if op.get_bind().dialect.name == "postgresql" else "body"
    op.execute(f"UPDATE outbox SET message = {cast}")  # noqa: S608 - no input in this statement
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("message", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("event_id", existing_type=sa.String(64), type_=sa.String(36))
        batch.drop_column("body")
