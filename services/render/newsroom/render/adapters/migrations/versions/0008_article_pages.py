"""article pages: each story's page rendered when projected, served without building it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty at first: until a story is projected again (or the read model replayed), its page
    # is built on request, as before.
    op.create_table(
        "article_pages",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("visible_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("build", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name=op.f("fk_article_pages_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_pages")),
        sa.UniqueConstraint("slug", name=op.f("uq_article_pages_slug")),
    )


def downgrade() -> None:
    op.drop_table("article_pages")
