"""wire-supplied strings as Text: versions (up to 200 characters), slugs, entity ids, TIMEX values

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, the old type): every column holding a string from the wire or enrich.
WIDENED = [
    ("articles", "version", sa.String(length=64)),
    ("articles", "slug", sa.String(length=200)),
    ("article_entities", "entity_id", sa.String(length=300)),
    ("timeline_entries", "value", sa.String(length=64)),
]


def upgrade() -> None:
    # SQLite does not enforce VARCHAR lengths, and a batch ALTER there would copy and drop
    # `articles`, whose ON DELETE CASCADE would empty the index tables: nothing to do there.
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, old in WIDENED:
        op.alter_column(table, column, type_=sa.Text(), existing_type=old)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, old in WIDENED:
        op.alter_column(table, column, type_=old, existing_type=sa.Text())
