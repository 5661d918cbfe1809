"""Every list a page reads is served by an index: its plan on SQLite (EXPLAIN QUERY PLAN) and
on PostgreSQL (EXPLAIN, with sequential and bitmap scans and sorts priced out so the planner
shows whether an index can serve the query and its order at all: on a small table it would
rightly scan and sort) walks no table of
stories, mentions or timeline entries whole, and sorts nothing the index does not order.
The statements are the ones the read side really sends, cursors included."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Engine, event

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.page_build_store import SqlPageBuildStore
from newsroom.render.adapters.postgres_pages import STORED_PAGES
from newsroom.render.adapters.queries import (
    STORED_PAGE_ON_THE_LOOP,
    ReadModelQueries,
    stored_page,
)
from newsroom.render.adapters.read_model_version import asyncpg_arguments
from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork, UnitOfWorkRunner
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.render.domain.keyset import Window
from newsroom.render.domain.periods import period_bounds
from render_test_support import synthetic_story

pytestmark = pytest.mark.integration

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ENTITY = "person/ada-lovelace"
# Stories looked up by id must be found by their key: an index on a column most stories share
# (`listed`) is a walk of the whole archive in an index's clothes (SEARCH, not SCAN).
WALK = "pages to build"
BY_ID = "pages to build, their stories"
LISTED_TABLES = ("articles", "article_entities", "timeline_entries", "article_pages")


@dataclass
class Sent:
    statement: str
    parameters: Any


async def _statements(runner: UnitOfWorkRunner) -> list[tuple[str, Sent]]:
    """(what, statement) of every query the list pages send, with and without cursors."""
    queries = ReadModelQueries(runner)
    sent: list[Sent] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(Sent(statement, parameters))

    found: list[tuple[str, Sent]] = []

    async def capture(what: str, read: Any) -> Any:
        sent.clear()
        result = await read
        found.extend((what, s) for s in sent)
        return result

    # every engine: on SQLite, reads go through a synchronous twin of the async engine
    event.listen(Engine, "before_cursor_execute", record)
    try:
        first = await capture("stories", queries.stories(NOW, Window(10)))
        await capture("stories after", queries.stories(NOW, Window(10, after=first.next)))
        await capture("stories before", queries.stories(NOW, Window(10, before=first.next)))
        entities = await capture("entities", queries.entities(Window(2)))
        await capture("entities after", queries.entities(Window(2, after=entities.next)))
        data = await capture("entity", queries.entity(ENTITY, NOW, Window(10)))
        await capture(
            "entity after", queries.entity(ENTITY, NOW, Window(10, after=data.mentions.next))
        )
        timeline = await capture("timeline", queries.timeline(NOW, Window(10), None))
        await capture(
            "timeline after", queries.timeline(NOW, Window(10, after=timeline.next), None)
        )
        await capture(
            "timeline month",
            queries.timeline(NOW, Window(10, after=timeline.next), period_bounds(2021, 9)),
        )
        await capture("entity names", queries.entity_names({ENTITY, "place/town-1"}))
        # A story's stored page: the statement PostgreSQL is sent (SQLite files are read on the
        # event loop with the same statement in the driver's own words: explained below).
        lookup = partial(stored_page, slug="any-slug", build="any-build")
        await capture("stored page", runner.read_rows(lookup))
        # The page builder's walk (not a request's, but a million stories long): by key.
        builder = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        await capture(WALK, builder.waiting("any-build", "any-id", 200))
        await capture(BY_ID, builder.sources(["any-id", "another-id"]))
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert len(found) >= 14
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: Any, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'render.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def read_model(database_url: str, seed: Any) -> AsyncIterator[UnitOfWorkRunner]:
    runner = open_read_model(database_url)
    await migrate(runner.engine)
    events = []
    for n in range(60):
        events += synthetic_story(
            seed.v1_article,
            n,
            entity_ids=[ENTITY, f"place/town-{n % 5}"],
            dates=[(f"2021-09-{1 + n % 28:02d}", "day"), ("2021-W40", "week")],
        )
    await Projection(runner, public_base_url="http://render.test").project.apply(events)
    yield runner
    await runner.dispose()


async def _plans(
    runner: UnitOfWorkRunner, found: list[tuple[str, Sent]]
) -> list[tuple[str, str, bool]]:
    sqlite = runner.engine.dialect.name == "sqlite"

    def explain(connection: Any) -> list[tuple[str, str, bool]]:
        plans = []
        if not sqlite:
            # Priced out, not forbidden: a plan still scans or sorts when no index can help.
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                connection.exec_driver_sql(f"SET {setting} = off")
        for what, sent in found:
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = connection.exec_driver_sql(prefix + sent.statement, sent.parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            # Lookups by the ids of one page's stories (their entities, their dates) are
            # bounded by the page, and may sort what they find.
            bounded = bool(re.search(r"article_id IN", sent.statement, re.IGNORECASE))
            plans.append((what, plan, bounded))
        return plans

    async with runner.engine.connect() as connection:
        plans = await connection.run_sync(explain)
    if not sqlite:
        # Stored pages as render reads them on PostgreSQL: over asyncpg, a round's slugs at once.
        arguments = asyncpg_arguments(runner.engine)
        assert arguments is not None
        server = await asyncpg.connect(**arguments)
        try:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                await server.execute(f"SET {setting} = off")
            for with_gzip, statement in STORED_PAGES.items():
                rows = await server.fetch("EXPLAIN " + statement, ["a-slug", "b-slug"], "a-build")
                name = f"stored pages, a round's{', with their gzip forms' if with_gzip else ''}"
                plans.append((name, "\n".join(r[0] for r in rows), False))
        finally:
            await server.close()
    if sqlite:
        on_the_loop = sqlite3.connect(runner.engine.url.database or "")
        try:
            for with_gzip, statement in STORED_PAGE_ON_THE_LOOP.items():
                rows = on_the_loop.execute(
                    "EXPLAIN QUERY PLAN " + statement, ("any-slug", "any-build")
                ).fetchall()
                name = f"stored page, on the loop{', with its gzip form' if with_gzip else ''}"
                plans.append((name, "\n".join(str(r[-1]) for r in rows), False))
        finally:
            on_the_loop.close()
    return plans


async def test_every_list_query_is_served_by_an_index(read_model):
    found = await _statements(read_model)
    plans = await _plans(read_model, found)
    sqlite = read_model.engine.dialect.name == "sqlite"
    for what, plan, bounded in plans:
        print(f"--- {what}\n{plan}")  # the plans, for `pytest -s`
        for table in LISTED_TABLES:
            whole = (
                re.search(rf"\bSCAN {table}\b(?! USING)", plan)
                if sqlite
                else re.search(rf"Seq Scan on {table}\b", plan)
            )
            assert not whole, (what, plan)
        if what == WALK and not sqlite:
            # The pages' scan is bounded (by the cursor, or story by story): a merge join reading
            # article_pages from its first row each batch would make the walk quadratic.
            pages_scan = re.search(r"Scan using \w+ on article_pages.*?(?=->|$)", plan, re.S)
            assert pages_scan is not None, (what, plan)
            assert "Index Cond" in pages_scan.group(0), (what, plan)
        if what == BY_ID:
            assert re.search(r"sqlite_autoindex_articles_1|pk_articles", plan), (what, plan)
        if not bounded:  # the order comes from the index, not from sorting every match
            assert "TEMP B-TREE FOR ORDER BY" not in plan, (what, plan)
            assert not re.search(r"\bSort\b", plan), (what, plan)
