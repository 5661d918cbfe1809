"""timeline entries keep TIMEX3's MOD (early / mid / late in the period)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: a batch copy of the table is not needed (and on
    # SQLite would not touch `articles`). Rows from before read as "the whole period"; a
    # replay fills the column from the events that carry it.
    op.add_column("timeline_entries", sa.Column("mod", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timeline_entries") as batch:
        batch.drop_column("mod")
