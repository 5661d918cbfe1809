"""Inbox rows say whether their copy carried an embargo.

Release is final (decisions.py): a held copy of a version already recorded released is a stale
re-send. Telling that needs the embargo state of each recorded copy; rows recorded before are
backfilled from the event they published, which holds the whole article.

Revision ID: 0003_inbox_embargoed
Revises: 0002_inbox_content_hash
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_inbox_embargoed"
down_revision: str | None = "0002_inbox_content_hash"
branch_labels: str | None = None
depends_on: str | None = None

_BATCH = 1000


def _embargoed(event: Any) -> bool | None:
    """From the recorded CloudEvent: data.article.embargo present or not; None if unreadable."""
    if isinstance(event, str):
        try:
            event = json.loads(event)
        except ValueError:
            return None
    article = (event or {}).get("data", {}).get("article") if isinstance(event, dict) else None
    if not isinstance(article, dict):
        return None
    return article.get("embargo") is not None


def upgrade() -> None:
    with op.batch_alter_table("inbox_items") as batch:
        batch.add_column(sa.Column("embargoed", sa.Boolean(), nullable=True))
    items = sa.table(
        "inbox_items",
        sa.column("id", sa.Integer),
        sa.column("event", sa.JSON),
        sa.column("embargoed", sa.Boolean),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(items.c.id, items.c.event)
            .where(items.c.id > last_id)
            .order_by(items.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        updates = [
            {"row_id": row.id, "value": value}
            for row in rows
            if (value := _embargoed(row.event)) is not None
        ]
        if updates:
            connection.execute(
                items.update()
                .where(items.c.id == sa.bindparam("row_id"))
                .values(embargoed=sa.bindparam("value")),
                updates,
            )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("inbox_items") as batch:
        batch.drop_column("embargoed")
