"""sitemap index: visible stories and last change per month, entities numbered for their
sitemap files, each story's language (news sitemap)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:45:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.text import language_tag
from newsroom.shared.sql import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sitemap_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("lastmod", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_sitemap_months")),
    )
    with op.batch_alter_table("articles") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=35)))
    with op.batch_alter_table("entities") as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_entities_seq"), ["seq"])
    _backfill()


def _backfill() -> None:
    """The months of a read model built before this revision (typed columns: SQLite hands
    back text for a bare query, PostgreSQL a datetime)."""
    articles = sa.table(
        "articles",
        sa.column("firstcreated", UtcDateTime()),
        sa.column("versioncreated", UtcDateTime()),
        sa.column("listed", sa.Boolean()),
        sa.column("embargo_announced", sa.Boolean()),
    )
    months_table = sa.table(
        "sitemap_months",
        sa.column("month", sa.String()),
        sa.column("stories", sa.Integer()),
        sa.column("lastmod", UtcDateTime()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(articles.c.firstcreated, articles.c.versioncreated).where(
            articles.c.listed == sa.true(),
            articles.c.embargo_announced == sa.true(),
            articles.c.firstcreated.is_not(None),
        )
    )
    months: dict[str, dict[str, Any]] = {}
    for firstcreated, versioncreated in rows:
        key = f"{firstcreated:%Y-%m}"
        month = months.setdefault(key, {"month": key, "stories": 0, "lastmod": versioncreated})
        month["stories"] += 1
        month["lastmod"] = max(month["lastmod"], versioncreated)
    if months:
        connection.execute(sa.insert(months_table), list(months.values()))
    languages = [
        {"key": article_id, "language": language_tag(state.article.language)}
        for article_id, raw in connection.execute(sa.text("SELECT article_id, state FROM articles"))
        if (state := ArticleState.model_validate_json(raw)).article is not None
    ]
    if languages:
        connection.execute(
            sa.text("UPDATE articles SET language = :language WHERE article_id = :key"),
            languages,
        )
    ids = connection.execute(sa.text("SELECT entity_id FROM entities ORDER BY entity_id"))
    numbered = [{"key": row[0], "seq": n} for n, row in enumerate(ids, start=1)]
    if numbered:
        connection.execute(
            sa.text("UPDATE entities SET seq = :seq WHERE entity_id = :key"), numbered
        )


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_seq"))
        batch_op.drop_column("seq")
    op.drop_table("sitemap_months")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("language")
