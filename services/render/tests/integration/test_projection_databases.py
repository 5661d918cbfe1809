"""The projection through the SQL read model, on SQLite and on PostgreSQL: any delivery order
gives the read model of in-order delivery, duplicates and racing replicas change nothing, and
`replay` rebuilds from the streams exactly what the live service built."""

from __future__ import annotations

import asyncio
import random
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import delete

from newsroom.render.adapters.migrate import is_empty, migrate
from newsroom.render.adapters.orm import Base
from newsroom.render.adapters.stream_log import RedisStreamLog
from newsroom.render.application.replay import replay
from newsroom.render.bootstrap import Projection, open_read_model
from render_test_support import read_model_snapshot

pytestmark = pytest.mark.integration


def _events_of(seed):
    v1, v2 = seed.v1(), seed.v2()
    other = seed.embargoed(datetime(2030, 1, 1, tzinfo=UTC))
    return [v1, seed.enriched(v1), v2, seed.enriched(v2), seed.kill(), other, seed.enriched(other)]


async def _project(url, batches, *, fresh=True):
    database = open_read_model(url)
    try:
        await migrate(database.engine)
        if fresh:
            async with database.sessions() as session, session.begin():
                for table in reversed(Base.metadata.sorted_tables):
                    await session.execute(delete(table))
        projection = Projection(database, public_base_url="http://render.test")
        for batch in batches:
            await projection.project.apply(batch)
        async with database.sessions() as session:
            return await read_model_snapshot(session)
    finally:
        await database.dispose()


def test_read_model_is_the_same_whatever_the_delivery_order(seed, database_url):
    history = _events_of(seed)
    expected = asyncio.run(_project(database_url, [[e] for e in history]))
    assert {row["status"] for row in expected["articles"]} == {"withdrawn", "usable"}

    @given(data=st.data())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    def any_order(data):
        extra = data.draw(st.lists(st.sampled_from(history), max_size=4))
        delivered = data.draw(st.permutations(history + extra))
        cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(delivered) - 1)), max_size=3)))
        batches = [
            delivered[a:b]
            for a, b in zip([0, *cuts], [*cuts, len(delivered)], strict=True)
            if a < b
        ]
        assert asyncio.run(_project(database_url, batches)) == expected

    any_order()


async def test_a_redelivered_event_changes_nothing_and_counts_as_duplicate(seed, database_url):
    database = open_read_model(database_url)
    await migrate(database.engine)
    projection = Projection(database, public_base_url="http://render.test")
    v1 = seed.v1()
    first = await projection.project.apply([v1])
    async with database.sessions() as session:
        before = await read_model_snapshot(session)
    again = await projection.project.apply([v1])
    async with database.sessions() as session:
        after = await read_model_snapshot(session)
    await database.dispose()
    assert (first.applied, again.applied, again.duplicates) == (1, 0, 1)
    assert again.page_changes == []
    assert after == before


async def test_two_replicas_racing_on_the_same_events_agree(seed, database_url):
    # Two replicas: each its own connections and its own writer.
    databases = [open_read_model(database_url) for _ in range(2)]
    await migrate(databases[0].engine)
    history = _events_of(seed)
    replicas = [Projection(d, public_base_url="http://render.test") for d in databases]
    orders = [history, list(reversed(history))]
    random.Random(7).shuffle(orders[1])

    async def run(projection, events):
        for event in events:
            await projection.project.apply([event])

    await asyncio.gather(*(run(p, o) for p, o in zip(replicas, orders, strict=True)))
    async with databases[0].sessions() as session:
        raced = await read_model_snapshot(session)
    for database in databases:
        await database.dispose()
    assert raced == await _project(database_url, [history], fresh=True)


async def test_replay_rebuilds_exactly_the_live_read_model(
    seed, publisher, redis_url, database_url, tmp_path, start_render, eventually
):
    history = _events_of(seed)
    async with start_render(redis_url, database_url) as live:
        await publisher(*history)
        await publisher(history[0], history[1])  # redelivered copies, as at-least-once allows

        async def caught_up():
            async with live.runtime.sessions() as session:
                applied = (await read_model_snapshot(session))["applied_events"]
                if len(applied) != len(history):
                    return None
                # Read again, now that the last commit is in: SQLite reads outside a write
                # transaction are one snapshot per SELECT, so the first read may straddle it.
                return await read_model_snapshot(session)

        live_model = await eventually(caught_up)
        # the stories' pages, rendered for the same site
        article_pages = live.runtime.article_pages

    async with fresh_database_like(database_url, tmp_path) as target:
        replayed, stats, seen = await _replay_into(target, redis_url, article_pages)
    assert replayed == live_model
    assert stats.applied == len(history)
    assert stats.duplicates == 2
    assert sum(seen) == stats.entries == len(history) + 2


@asynccontextmanager
async def fresh_database_like(url, tmp_path):
    """An empty database on the same backend as `url`."""
    if url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'replayed.db'}"
        return
    import asyncpg

    server, name = url.rsplit("/", 1)
    admin = server.replace("postgresql+asyncpg://", "postgresql://", 1) + "/postgres"
    target = f"{name}_replay"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{target}"')
    try:
        yield f"{server}/{target}"
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await connection.close()


async def _replay_into(target, redis_url, article_pages):
    database = open_read_model(target)
    assert await is_empty(database.engine)
    await migrate(database.engine)
    redis = Redis.from_url(redis_url)
    seen = []
    stats = await replay(
        RedisStreamLog(redis),
        Projection(
            database, public_base_url="x", emit_pages=False, article_pages=article_pages
        ).project.apply,
        batch=3,
        progress=seen.append,
    )
    await redis.aclose()
    async with database.sessions() as session:
        replayed = await read_model_snapshot(session)
    await database.dispose()
    return replayed, stats, seen
