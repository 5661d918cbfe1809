"""page revisions: a count of each page's changes, what kept list pages are kept under

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 02:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("page_versions") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("page_versions") as batch_op:
        batch_op.drop_column("revision")
