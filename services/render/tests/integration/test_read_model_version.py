"""The read model's version on PostgreSQL (adapters.read_model_version): it moves with every
commit of any connection, a transaction still running at the first reading included; it is
None, never a stale value, while it cannot be read, and comes back by itself. Real PostgreSQL
(a private database on the machine's server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from newsroom.render.adapters.read_model_version import (
    PostgresSnapshotVersion,
    ReadModelVersion,
    read_model_version,
)
from newsroom.shared.sql import create_engine
from support.servers import free_port

pytestmark = pytest.mark.integration


def _no_sqlite_version() -> int | None:
    raise AssertionError("a PostgreSQL read model has no SQLite version")


@pytest.fixture
async def version(postgres_url: str) -> AsyncIterator[ReadModelVersion]:
    engine = create_engine(postgres_url)
    read = read_model_version(engine, _no_sqlite_version)
    assert isinstance(read, PostgresSnapshotVersion)
    yield read
    await read.close()
    await engine.dispose()


@pytest.fixture
async def writer(postgres_url: str) -> AsyncIterator[Any]:
    url = make_url(postgres_url)
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )
    await connection.execute("CREATE TABLE pages (path text)")
    yield connection
    await connection.close()


async def test_the_snapshot_moves_with_every_commit_of_another_connection(version, writer):
    before = await version()
    assert before is not None
    await writer.execute("INSERT INTO pages VALUES ('/')")  # committed on its own
    assert await version() != before


async def test_a_transaction_running_at_the_first_reading_moves_it_when_it_commits(version, writer):
    transaction = writer.transaction()
    await transaction.start()
    await writer.execute("INSERT INTO pages VALUES ('/')")  # it has an id now
    while_running = await version()
    assert while_running is not None
    await transaction.commit()
    assert await version() != while_running


async def test_a_lost_connection_reads_none_then_reconnects(version, writer):
    assert await version() is not None
    pids = await writer.fetch(
        "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = "
        "current_database() AND backend_type = 'client backend'"
    )
    await writer.execute(
        "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", [r["pid"] for r in pids]
    )
    assert await version() is None  # never the last value read: a commit may have followed
    assert await version() is not None


async def test_a_server_that_refuses_reads_none_at_once() -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere")
    read = read_model_version(engine, _no_sqlite_version)
    assert await read() is None
    await read.close()
    await engine.dispose()


async def test_with_several_hosts_nothing_is_kept(postgres_url: str) -> None:
    # Both hosts answer: the version's connection and the queries' could still differ.
    url = make_url(postgres_url)
    hosts = f"host={url.host}:{url.port}&host={url.host}:{url.port}"
    engine = create_engine(f"postgresql+asyncpg://{url.username}@/{url.database}?{hosts}")
    read = read_model_version(engine, _no_sqlite_version)
    assert await read() is None
    await read.close()
    await engine.dispose()
