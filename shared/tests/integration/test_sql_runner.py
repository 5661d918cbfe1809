"""The unit-of-work runner on both backends: Core and ORM work, snapshot reads, optimistic
locking, and (SQLite) group commit that keeps one failing piece of work from undoing others."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, String, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.util import await_only

from newsroom.shared.sql import UnitOfWorkRunner

pytestmark = pytest.mark.integration


class Base(DeclarativeBase):
    pass


class Story(Base):
    __tablename__ = "runner_stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    headline: Mapped[str] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__: dict[str, Any] = {"version_id_col": revision}  # noqa: RUF012


STORIES = Story.__table__


@pytest.fixture
async def runner(database_url: str) -> AsyncIterator[UnitOfWorkRunner]:
    runner = UnitOfWorkRunner(database_url)
    async with runner.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield runner
    await runner.dispose()


def count(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(STORIES)) or 0)


def commit_elsewhere(runner: UnitOfWorkRunner, story_id: int) -> None:
    """Another process's commit, made from inside a running read."""
    statement = f"INSERT INTO runner_stories (id, headline, revision) VALUES ({story_id}, 'x', 1)"
    if not runner.is_postgresql:
        # SQLite reads run in a worker thread: a plain second connection.
        with sqlite3.connect(str(runner.engine.url.database)) as other:
            other.execute(statement)
        return

    async def on_another_connection() -> None:
        async with runner.engine.begin() as connection:
            await connection.execute(text(statement))

    # PostgreSQL work runs in SQLAlchemy's greenlet on the event loop.
    await_only(on_another_connection())


async def test_a_read_sees_one_snapshot_and_only_committed_rows(runner: UnitOfWorkRunner) -> None:
    def two_selects(connection: Connection) -> tuple[int, int]:
        before = count(connection)
        commit_elsewhere(runner, 100)
        return before, count(connection)

    assert await runner.read(two_selects) == (0, 0)
    assert await runner.read(count) == 1  # the commit did land

    def two_selects_in_a_session(session: Session) -> tuple[int, int]:
        before = len(session.scalars(select(Story)).all())
        commit_elsewhere(runner, 101)
        return before, len(session.scalars(select(Story)).all())

    assert await runner.read_session(two_selects_in_a_session) == (1, 1)
    assert await runner.read(count) == 2


async def test_core_and_orm_writes_commit_when_they_return_and_roll_back_when_they_raise(
    runner: UnitOfWorkRunner,
) -> None:
    await runner.write(lambda c: c.execute(insert(STORIES).values(id=1, headline="a", revision=1)))

    def add_then_fail(session: Session) -> None:
        session.add(Story(id=2, headline="b"))
        session.flush()
        raise RuntimeError("the use case failed after writing")

    with pytest.raises(RuntimeError):
        await runner.write_session(add_then_fail)
    await runner.write_session(lambda session: session.add(Story(id=3, headline="c")))
    headlines = await runner.read(lambda c: list(c.scalars(select(STORIES.c.headline))))
    assert sorted(headlines) == ["a", "c"]


async def test_an_update_from_a_stale_read_fails_and_changes_nothing(
    runner: UnitOfWorkRunner,
) -> None:
    await runner.write_session(lambda session: session.add(Story(id=1, headline="first")))
    stale = await runner.read_session(lambda session: session.get(Story, 1))
    assert stale is not None
    assert stale.revision == 1

    def rename(headline: str) -> Any:
        def work(session: Session) -> None:
            story = session.get(Story, 1)
            assert story is not None
            story.headline = headline

        return work

    await runner.write_session(rename("second"))

    def overwrite_from_stale(session: Session) -> None:
        session.merge(stale).headline = "lost update"  # carries revision 1

    with pytest.raises(StaleDataError):
        await runner.write_session(overwrite_from_stale)
    story = await runner.read_session(lambda session: session.get(Story, 1))
    assert story is not None
    assert (story.headline, story.revision) == ("second", 2)


async def test_concurrent_writes_succeed_or_fail_each_on_their_own(
    runner: UnitOfWorkRunner,
) -> None:
    # On SQLite these meet in one group commit (one savepoint each); on PostgreSQL they are
    # separate transactions. Either way only the duplicate key fails.
    await runner.write_session(lambda session: session.add(Story(id=1, headline="taken")))

    def add(story_id: int) -> Any:
        return lambda session: session.add(Story(id=story_id, headline=f"s{story_id}"))

    results = await asyncio.gather(
        runner.write_session(add(2)),
        runner.write_session(add(1)),
        runner.write(lambda c: c.execute(insert(STORIES).values(id=3, headline="s3", revision=1))),
        return_exceptions=True,
    )
    assert results[0] is None
    assert isinstance(results[1], Exception)
    assert not isinstance(results[2], Exception)
    ids = await runner.read(lambda c: sorted(c.scalars(select(STORIES.c.id))))
    assert ids == [1, 2, 3]


async def test_sqlite_a_stale_update_in_a_group_commit_fails_alone(tmp_path: Path) -> None:
    runner = UnitOfWorkRunner(f"sqlite+aiosqlite:///{tmp_path / 'group.db'}")
    try:
        async with runner.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await runner.write_session(lambda session: session.add(Story(id=1, headline="first")))
        stale = await runner.read_session(lambda session: session.get(Story, 1))
        await runner.write_session(lambda session: setattr(session.get(Story, 1), "headline", "b"))

        started = threading.Event()

        def hold_the_writer(connection: Connection) -> None:
            started.set()
            threading.Event().wait(0.3)  # the others queue up meanwhile: one group

        first = asyncio.create_task(runner.write(hold_the_writer))
        await asyncio.to_thread(started.wait, 5)

        def overwrite_from_stale(session: Session) -> None:
            session.merge(stale).headline = "lost update"

        results = await asyncio.gather(
            runner.write_session(lambda session: session.add(Story(id=2, headline="before"))),
            runner.write_session(overwrite_from_stale),
            runner.write_session(lambda session: session.add(Story(id=3, headline="after"))),
            return_exceptions=True,
        )
        await first
        assert isinstance(results[1], StaleDataError)
        assert results[0] is None
        assert results[2] is None
        rows = await runner.read(
            lambda c: c.execute(select(STORIES.c.id, STORIES.c.headline).order_by("id")).all()
        )
        assert [tuple(row) for row in rows] == [(1, "b"), (2, "before"), (3, "after")]
    finally:
        await runner.dispose()
