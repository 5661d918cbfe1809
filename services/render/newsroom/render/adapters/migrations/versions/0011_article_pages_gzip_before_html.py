"""article pages: on SQLite, the gzip form stored before the html

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# SQLite stores a row's columns one after the other, and a page's html (10 KB and more) runs
# over into a chain of overflow pages that can only be walked in order. Stored after the html
# (0010 added it last), the gzip form sent to nearly every client was reached by reading the
# whole html first. Stored before it, the gzip form is read alone: render served pages not in
# memory to clients that take gzip 1.25x as fast (10k stories), and the html's read did not
# move. The table is copied once (SQLite cannot move a column in place). PostgreSQL keeps
# both out of line (TOAST), where their order costs nothing: its table is left as it is.
ORDER = ("article_id", "slug", "visible_from", "modified", "build", "etag", "gzipped", "html")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # The copy is made in a table of Alembic's naming, created before the transaction
        # that fills it: one left by a copy cut short would stop this one.
        op.execute("DROP TABLE IF EXISTS _alembic_tmp_article_pages")
        with op.batch_alter_table("article_pages", recreate="always", partial_reordering=[ORDER]):
            pass


def downgrade() -> None:
    # Nothing to undo: 0010's downgrade drops the column wherever it stands.
    pass
