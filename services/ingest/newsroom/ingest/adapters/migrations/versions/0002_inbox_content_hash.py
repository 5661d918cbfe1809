"""Inbox rows keep the content hash of their article; one version may have several rows.

A wire may re-send a version with a kill or a lifted embargo without bumping its number: that
re-send is recorded (and published) too, so (source, uri, version) is no longer unique; the
content hash makes it so again. Rows recorded before keep a NULL hash (decisions.py then
compares their pubstatus only).

Revision ID: 0002_inbox_content_hash
Revises: 0001_inbox
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_inbox_content_hash"
down_revision: str | None = "0001_inbox"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Batch mode: SQLite changes constraints by copying the table; PostgreSQL just alters it.
    with op.batch_alter_table("inbox_items") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(64), nullable=True))
        batch.drop_constraint("uq_inbox_source_uri_version", type_="unique")
        batch.create_unique_constraint(
            "uq_inbox_source_uri_version_content", ["source", "uri", "version", "content_hash"]
        )


def downgrade() -> None:
    # Fails (unique violation) once a version has several rows: they cannot be folded back.
    with op.batch_alter_table("inbox_items") as batch:
        batch.drop_constraint("uq_inbox_source_uri_version_content", type_="unique")
        batch.create_unique_constraint("uq_inbox_source_uri_version", ["source", "uri", "version"])
        batch.drop_column("content_hash")
