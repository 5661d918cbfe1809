"""page versions (Last-Modified of list pages) and parked outbox rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_outbox_parked",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_outbox_parked")),
    )
    op.create_table(
        "page_versions",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_page_versions")),
    )


def downgrade() -> None:
    op.drop_table("page_versions")
    op.drop_table("page_outbox_parked")
