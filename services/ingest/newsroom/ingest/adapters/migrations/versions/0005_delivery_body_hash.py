"""Webhook ids remember the body they came with: the same id with another body is a conflict
(409), not a replay. Ids remembered before have none and are taken as replays, as before.

Revision ID: 0005_delivery_body_hash
Revises: 0004_shared_outbox
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_delivery_body_hash"
down_revision: str | None = "0004_shared_outbox"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_deliveries") as batch:
        batch.add_column(sa.Column("body_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_deliveries") as batch:
        batch.drop_column("body_hash")
