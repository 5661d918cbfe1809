"""The SQLite writer thread: group commit that answers each writer only once its rows are
committed, one failing piece of work not undoing the others, reads on committed data only."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from newsroom.shared.sql import SqliteWriter


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "writer.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)")
    return path


def committed_bodies(path: Path) -> list[str]:
    """What another connection sees: only committed rows."""
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT body FROM notes ORDER BY id")]


def insert(
    body: str, started: threading.Event | None = None, hold: float = 0.0
) -> Callable[[Connection], bool]:
    def work(connection: Connection) -> bool:
        connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})
        if started is not None:
            started.set()
        if hold:
            threading.Event().wait(hold)  # keeps the writer busy so that others queue up
        return connection.in_nested_transaction()

    return work


async def test_concurrent_writes_are_grouped_and_each_answered_after_its_commit(
    database: Path,
) -> None:
    writer = SqliteWriter(f"sqlite+aiosqlite:///{database}")
    try:
        started = threading.Event()
        first = asyncio.create_task(writer.submit(insert("first", started, hold=0.3)))
        await asyncio.to_thread(started.wait, 5)

        async def write_then_look(body: str) -> tuple[bool, list[str]]:
            in_savepoint = await writer.submit(insert(body))
            # Answered: the row is committed, visible to any other connection.
            return in_savepoint, committed_bodies(database)

        later = await asyncio.gather(*(write_then_look(f"later-{n}") for n in range(5)))
        assert await first is False  # alone in its transaction: no savepoint needed
        for n, (in_savepoint, seen) in enumerate(later):
            assert in_savepoint  # queued while the first ran: one transaction, one savepoint each
            assert f"later-{n}" in seen
        assert committed_bodies(database) == ["first"] + [f"later-{n}" for n in range(5)]
    finally:
        await writer.close()


async def test_a_failing_write_is_rolled_back_alone_and_gets_its_error(database: Path) -> None:
    writer = SqliteWriter(f"sqlite+aiosqlite:///{database}")
    try:
        await writer.submit(insert("taken"))
        started = threading.Event()
        first = asyncio.create_task(writer.submit(insert("first", started, hold=0.3)))
        await asyncio.to_thread(started.wait, 5)

        def insert_two_then_collide(connection: Connection) -> None:
            insert("half-done")(connection)
            insert("taken")(connection)  # UNIQUE violation

        results = await asyncio.gather(
            writer.submit(insert("before")),
            writer.submit(insert_two_then_collide),
            writer.submit(insert("after")),
            return_exceptions=True,
        )
        await first
        assert results[0] is True
        assert results[2] is True
        assert isinstance(results[1], Exception)
        assert "UNIQUE" in str(results[1])
        # Nothing of the failed work, everything of the others.
        assert committed_bodies(database) == ["taken", "first", "before", "after"]
    finally:
        await writer.close()


async def test_reads_run_after_their_batch_commits(database: Path) -> None:
    writer = SqliteWriter(f"sqlite+aiosqlite:///{database}")

    def bodies(connection: Connection) -> list[str]:
        return list(connection.scalars(text("SELECT body FROM notes ORDER BY id")))

    def fail_after_insert(connection: Connection) -> None:
        insert("rolled back")(connection)
        raise RuntimeError("work failed after writing")

    try:
        await writer.submit(insert("kept"))
        started = threading.Event()
        first = asyncio.create_task(writer.submit(insert("first", started, hold=0.3)))
        await asyncio.to_thread(started.wait, 5)
        seen, failed, _ = await asyncio.gather(
            writer.submit(bodies, read_only=True),
            writer.submit(fail_after_insert),
            writer.submit(insert("same batch")),
            return_exceptions=True,
        )
        await first
        assert isinstance(failed, RuntimeError)
        # Submitted first, yet run after the batch's commit: its rows, not the failed work's.
        assert seen == ["kept", "first", "same batch"]
    finally:
        await writer.close()


async def test_an_unopenable_database_fails_the_write_instead_of_hanging(tmp_path: Path) -> None:
    not_a_database = tmp_path / "plain.txt"
    not_a_database.write_text("this is not an SQLite file, and long enough to be read as one\n")
    writer = SqliteWriter(f"sqlite+aiosqlite:///{not_a_database}")
    try:
        with pytest.raises(Exception, match="not a database"):
            await asyncio.wait_for(writer.submit(insert("x")), timeout=10)
    finally:
        await writer.close()


async def test_the_writer_commits_with_synchronous_full_in_wal_mode(database: Path) -> None:
    # An answer (202) promises the rows survive a power loss: with synchronous=NORMAL a WAL
    # commit is not fsynced and the last transactions may roll back after one.
    writer = SqliteWriter(f"sqlite+aiosqlite:///{database}")

    def pragmas(connection: Connection) -> tuple[str, int]:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
        return str(journal), int(synchronous)

    try:
        assert await writer.submit(pragmas) == ("wal", 2)  # 2 = FULL
    finally:
        await writer.close()
