"""The article store's write path on SQLite and PostgreSQL: rows handed to the driver as
plain values read back as the ORM wrote them (and match the queries' bound values), and an
article saved from a stale read is refused, so a racing replica's unit of work is retried
instead of overwriting a newer state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from newsroom.render.adapters.driver_rows import insert_rows, select_in
from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.orm import ArticleRow, PageVersionRow, SitemapMonthRow
from newsroom.render.adapters.repository import ArticleRepository
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.render.domain.projection import apply

pytestmark = pytest.mark.integration


async def test_driver_rows_are_found_by_the_queries_bound_values(database_url):
    database = open_read_model(database_url)
    try:
        await migrate(database.engine)
        moment = datetime(2021, 9, 1, 12, 0, tzinfo=UTC)  # whole seconds
        later = datetime(2021, 10, 2, 8, 30, 15, 123456, tzinfo=UTC)
        async with database.sessions() as session, session.begin():
            await session.run_sync(
                lambda s: insert_rows(
                    s.connection(),
                    SitemapMonthRow.__table__,  # type: ignore[arg-type]
                    ("month", "stories", "lastmod"),
                    [("2021-09", 3, moment), ("2021-10", 1, later)],
                )
            )
        async with database.sessions() as session:
            found = (
                await session.scalars(
                    select(SitemapMonthRow).where(SitemapMonthRow.lastmod >= moment)
                )
            ).all()
            months = await session.run_sync(
                lambda s: select_in(
                    s.connection(),
                    "SELECT month FROM sitemap_months WHERE month IN ({})",
                    ["2021-10", "2021-11"],
                )
            )
        assert sorted((row.month, row.stories, row.lastmod) for row in found) == [
            ("2021-09", 3, moment),
            ("2021-10", 1, later),
        ]
        assert months == ["2021-10"]
    finally:
        await database.dispose()


async def test_an_article_saved_from_a_stale_read_is_refused(seed, database_url):
    database = open_read_model(database_url)
    try:
        await migrate(database.engine)
        projection = Projection(database, public_base_url="http://render.test")
        v1, v2 = seed.v1(), seed.v2()
        await projection.project.apply([v1])
        article_id = v1.data.article_id

        def load(session):
            repository = ArticleRepository(session)
            return repository, repository.load([article_id])[article_id]

        async with database.sessions() as stale_session:
            stale, state = await stale_session.run_sync(load)
            # Meanwhile another replica applies v2 and commits.
            await projection.project.apply([v2])
            with pytest.raises(StaleDataError):
                await stale_session.run_sync(
                    lambda _: stale.save([apply(state, seed.kill())], {article_id: True})
                )
            await stale_session.rollback()

        async with database.sessions() as session:
            row = (
                await session.scalars(select(ArticleRow).where(ArticleRow.article_id == article_id))
            ).one()
            pages = (await session.scalars(select(PageVersionRow))).all()
        assert (row.version, row.status, row.revision) == (v2.data.article.version, "usable", 2)
        assert pages  # the live applies still touched their pages
    finally:
        await database.dispose()
