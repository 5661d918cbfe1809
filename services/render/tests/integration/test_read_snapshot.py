"""A read step sees one snapshot of the read model on both backends: a page built from several
SELECTs never mixes two commits of the projector, even when one lands between its SELECTs."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.unit_of_work import UnitOfWorkRunner
from newsroom.render.bootstrap import open_read_model

pytestmark = pytest.mark.integration

_COUNT = text("SELECT count(*) FROM page_versions")
_INSERT = "INSERT INTO page_versions (path, modified) VALUES ('/{n}', '2021-09-20 09:00:00')"


@pytest.fixture
async def runner(database_url: str) -> AsyncIterator[UnitOfWorkRunner]:
    runner = open_read_model(database_url)
    await migrate(runner.engine)
    yield runner
    await runner.dispose()


def commit_elsewhere(engine: AsyncEngine, n: int) -> None:
    """A projector's commit on another connection, made from inside a running read step."""
    if engine.url.get_backend_name() == "sqlite":
        # SQLite read steps run in a worker thread: a plain second connection.
        with sqlite3.connect(str(engine.url.database)) as other:
            other.execute(_INSERT.format(n=n))
        return

    async def on_another_connection() -> None:
        async with engine.begin() as connection:
            await connection.execute(text(_INSERT.format(n=n)))

    # PostgreSQL read steps run in SQLAlchemy's greenlet on the event loop.
    await_only(on_another_connection())


async def test_a_read_step_does_not_see_commits_made_while_it_runs(
    runner: UnitOfWorkRunner,
) -> None:
    def page_made_of_two_selects(session: Session) -> tuple[int, int]:
        before = int(session.execute(_COUNT).scalar_one())
        commit_elsewhere(runner.engine, before)
        return before, int(session.execute(_COUNT).scalar_one())

    first, second = await runner.read(page_made_of_two_selects)
    assert first == second == 0
    # The commit did land: the next step sees it.
    assert await runner.read(lambda s: int(s.execute(_COUNT).scalar_one())) == 1
