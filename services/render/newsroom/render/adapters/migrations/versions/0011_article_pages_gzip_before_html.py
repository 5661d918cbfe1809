"""article pages: on SQLite, the gzip form stored before the html

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# SQLite stores a row's columns one after the other, and a page's html (10 KB and more) runs
# over into a chain of overflow pages that can only be walked in order. Stored after the html
# (0010 added it last), the gzip form sent to nearly every client was reached by reading the
# whole html first. Stored before it, the gzip form is read alone: render served pages not in
# memory to clients that take gzip 1.10x as fast (10k stories), and the html's read did not
# move. SQLite cannot move a column in place, and a copy of the table was too dear: at 1M
# stories it had written 24 GB of WAL in 6.5 minutes, unfinished. Stored pages are a cache of
# the stories, by build (a deploy that changes how pages look leaves them all to be stored
# again, likewise): the table is made again, empty (the DROP of a full table at 1M: 2 min,
# reading the overflow chains to free them; little is written), and the page builder (or
# `build-pages`: 8 minutes at 1M) stores them again; until then a page is built on request.
# PostgreSQL keeps both columns out of line (TOAST), where their order costs nothing: its
# table is left as it is.


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_table("article_pages")
    op.create_table(
        "article_pages",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("visible_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("build", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("gzipped", sa.LargeBinary(), nullable=True),
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
    # Nothing to undo: 0010's downgrade drops the column wherever it stands.
    pass
