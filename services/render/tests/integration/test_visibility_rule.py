"""The visibility rule is stated once (domain.projection.visible_at) and once more as SQL for
the list queries (adapters.queries.visible): on each backend the two agree on every case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.orm import ArticleRow
from newsroom.render.adapters.queries import visible
from newsroom.render.bootstrap import open_read_model
from newsroom.render.domain.projection import visible_at

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
EMBARGOES = {
    "none": None,
    "lifted": NOW - timedelta(hours=1),
    "lifting-now": NOW,
    "pending": NOW + timedelta(seconds=1),
}


async def test_the_sql_filter_shows_exactly_the_stories_the_rule_shows(database_url):
    database = open_read_model(database_url)
    try:
        await migrate(database.engine)
        cases = {
            f"{'listed' if listed else 'unlisted'}-{name}": (listed, until)
            for listed, (name, until) in product((True, False), EMBARGOES.items())
        }
        async with database.sessions() as session, session.begin():
            session.add_all(
                ArticleRow(
                    article_id=article_id,
                    status="usable",
                    listed=listed,
                    visible_from=until,
                    embargo_announced=True,
                    state="{}",
                )
                for article_id, (listed, until) in cases.items()
            )
        async with database.sessions() as session:
            shown = set(await session.scalars(select(ArticleRow.article_id).where(visible(NOW))))
    finally:
        await database.dispose()
    expected = {
        article_id
        for article_id, (listed, until) in cases.items()
        if visible_at(listed, until, NOW)
    }
    assert expected == {"listed-none", "listed-lifted", "listed-lifting-now"}
    assert shown == expected
