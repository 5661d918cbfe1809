"""article pages: their gzip form stored with them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Every browser takes gzip, and a page not in memory was compressed on each such read: 137 us
# for a 10 KB page on this machine, more than the rest of its request. Stored compressed once,
# when the page is built. A page stored before has none until built again (the page builder
# or build-pages, the story's next event): it is compressed on read, as before.


def upgrade() -> None:
    op.add_column("article_pages", sa.Column("gzipped", sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # Already compressed: PostgreSQL compressing it again would cost CPU on every write
        # and read for nothing.
        op.execute("ALTER TABLE article_pages ALTER COLUMN gzipped SET STORAGE EXTERNAL")


def downgrade() -> None:
    with op.batch_alter_table("article_pages") as batch:
        batch.drop_column("gzipped")
