"""keyset pagination: list orders served by indexes, visibility copied onto mentions and
timeline entries, the timeline's period start, and the entities table with its counts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newsroom.render.domain.periods import period_start

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:
        batch_op.create_index(
            "ix_articles_listed_firstcreated", ["listed", "firstcreated", "article_id"]
        )
        batch_op.create_index("ix_articles_status_last_modified", ["status", "last_modified"])
    with op.batch_alter_table("article_entities") as batch_op:
        batch_op.add_column(
            sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("visible_from", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("firstcreated", sa.DateTime(timezone=True)))
        batch_op.drop_index("ix_article_entities_entity_id")
        batch_op.create_index(
            "ix_article_entities_entity_listed_firstcreated",
            ["entity_id", "listed", "firstcreated", "article_id"],
        )
    with op.batch_alter_table("timeline_entries") as batch_op:
        batch_op.add_column(sa.Column("starts", sa.Text(), nullable=False, server_default="~"))
        batch_op.add_column(
            sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("visible_from", sa.DateTime(timezone=True)))
        batch_op.drop_index("ix_timeline_entries_value")
        batch_op.create_index(
            "ix_timeline_entries_listed_starts", ["listed", "starts", "article_id", "position"]
        )
    op.create_table(
        "entities",
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entities")),
    )
    _backfill()


def _backfill() -> None:
    """The derived columns and counts of a read model built before this revision."""
    for table in ("article_entities", "timeline_entries"):
        columns = ["listed", "visible_from"] + (
            ["firstcreated"] if table != "timeline_entries" else []
        )
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = (SELECT a.{column} FROM articles a "  # noqa: S608
                f"WHERE a.article_id = {table}.article_id)"
            )
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT article_id, position, value FROM timeline_entries"))
    starts = [{"a": r[0], "p": r[1], "s": period_start(r[2])} for r in rows]
    if starts:
        connection.execute(
            sa.text(
                "UPDATE timeline_entries SET starts = :s WHERE article_id = :a AND position = :p"
            ),
            starts,
        )
    op.execute(
        "INSERT INTO entities (entity_id, name, type, articles) "
        "SELECT m.entity_id, MAX(m.name), MAX(m.type), "
        "SUM(CASE WHEN a.listed AND a.embargo_announced THEN 1 ELSE 0 END) "
        "FROM article_entities m JOIN articles a ON a.article_id = m.article_id "
        "GROUP BY m.entity_id"
    )


def downgrade() -> None:
    op.drop_table("entities")
    with op.batch_alter_table("timeline_entries") as batch_op:
        batch_op.drop_index("ix_timeline_entries_listed_starts")
        batch_op.create_index("ix_timeline_entries_value", ["value"])
        batch_op.drop_column("visible_from")
        batch_op.drop_column("listed")
        batch_op.drop_column("starts")
    with op.batch_alter_table("article_entities") as batch_op:
        batch_op.drop_index("ix_article_entities_entity_listed_firstcreated")
        batch_op.create_index("ix_article_entities_entity_id", ["entity_id"])
        batch_op.drop_column("firstcreated")
        batch_op.drop_column("visible_from")
        batch_op.drop_column("listed")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_index("ix_articles_status_last_modified")
        batch_op.drop_index("ix_articles_listed_firstcreated")
