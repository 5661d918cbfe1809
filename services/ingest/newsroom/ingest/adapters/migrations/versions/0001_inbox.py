"""Inbox, deliveries and outbox.

Revision ID: 0001_inbox
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newsroom.shared.sql import AutoId, UtcDateTime

revision: str = "0001_inbox"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_articles",
        sa.Column("article_id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "inbox_items",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("versioncreated", UtcDateTime(), nullable=False),
        sa.Column("pubstatus", sa.String(20), nullable=False),
        sa.Column(
            "article_id",
            sa.String(36),
            sa.ForeignKey("ingest_articles.article_id"),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("delivery_id", sa.String(200), nullable=True),
        sa.Column("correlation_id", sa.String(200), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.UniqueConstraint("source", "uri", "version", name="uq_inbox_source_uri_version"),
        sa.UniqueConstraint("event_id", name="uq_inbox_event_id"),
    )
    op.create_index("ix_inbox_items_article_id", "inbox_items", ["article_id"])
    op.create_table(
        "inbox_deliveries",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("delivery_id", sa.String(200), primary_key=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("correlation_id", sa.String(200), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("inbox_deliveries")
    op.drop_index("ix_inbox_items_article_id", table_name="inbox_items")
    op.drop_table("inbox_items")
    op.drop_table("ingest_articles")
