"""`newsroom-render replay` as a bulk load with parallel workers, on SQLite and PostgreSQL: the
read model (with the pages `build-pages` stores after it) equals the live one, the schema ends as the migrations make it, a worker's failure
fails the replay, and the partitions share the log out exactly once."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import Connection, inspect, select, text

from newsroom.render.adapters.archive_log import ArchiveAndTailLog
from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.orm import SitemapMonthRow
from newsroom.render.adapters.stream_log import RedisStreamLog
from newsroom.render.application.partitions import Partition
from newsroom.render.bootstrap import open_read_model
from newsroom.shared.eventstore import EventStore
from newsroom.shared.settings import RenderSettings
from newsroom.shared.streams import articles_stream, enriched_stream
from render_test_support import events_applied, read_model_snapshot, synthetic_story

from .test_commands import run
from .test_projection_databases import _events_of, fresh_database_like
from .test_replay_from_archive import archive_and_trim

pytestmark = pytest.mark.integration


def _schema(connection: Connection) -> dict[str, Any]:
    """Each table's columns, indexes, unique constraints and keys, as inspected."""
    inspector = inspect(connection)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (f["referred_table"], tuple(f["constrained_columns"]))
                for f in inspector.get_foreign_keys(table)
            ),
        }
        for table in sorted(inspector.get_table_names())
    }


async def _model(url: str) -> tuple[dict[str, Any], list[tuple[Any, ...]], dict[str, Any]]:
    """The read model's content, its sitemap months and its schema."""
    database = open_read_model(url)
    try:
        async with database.sessions() as session:
            snapshot = await read_model_snapshot(session)
            # The months the sitemap serves, with their counts. Not their lastmod: that depends
            # on the transactions the events came in (a story counted in one and killed in a
            # later one moves it; both in one does not), live and replay alike.
            months = [
                (row.month, row.stories)
                for row in await session.scalars(
                    select(SitemapMonthRow)
                    .where(SitemapMonthRow.stories > 0)
                    .order_by(SitemapMonthRow.month)
                )
            ]
        async with database.engine.connect() as connection:
            schema = await connection.run_sync(_schema)
        return snapshot, months, schema
    finally:
        await database.dispose()


async def _settled(url: str) -> dict[str, datetime | None] | None:
    """PostgreSQL: each table's latest VACUUM (ANALYZE) by a command, the older of the two
    times (None for a table never settled); None on SQLite, which has no vacuum to wait for."""
    if not url.startswith("postgresql"):
        return None
    database = open_read_model(url)
    try:
        async with database.engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT relname, least(last_vacuum, last_analyze) FROM pg_stat_user_tables "
                    "WHERE last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
                )
            )
            settled = {table: at for table, at in rows}
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        return {table: settled.get(table) for table in tables}
    finally:
        await database.dispose()


async def _all_applied(live: Any, count: int) -> bool | None:
    return await events_applied(live, count) or None


async def test_parallel_replay_rebuilds_the_live_read_model_with_the_migrated_schema(
    seed, publisher, redis_url, database_url, tmp_path, start_render, eventually
):
    # and a story that stays visible, so the sitemap has a month to serve
    history = [
        *_events_of(seed),
        *synthetic_story(seed.v1().data.article, 1, entity_ids=["person/ada"]),
    ]
    # The stories' pages name the site: the live service's and the command's are the same one.
    site = RenderSettings(redis_url=redis_url).public_base_url
    async with start_render(redis_url, database_url, public_base_url=site) as live:
        # with redelivered copies, as at-least-once allows
        await publisher(*history, history[0], history[1])
        await eventually(lambda: _all_applied(live, len(history)))
    live_model, live_months, migrated_schema = await _model(database_url)
    assert live_months, "the live model has sitemap months to compare"

    async with fresh_database_like(database_url, tmp_path) as target:
        done = run("replay", "--database-url", target, "--workers", "3", redis_url=redis_url)
        assert done.returncode == 0, done.stderr
        assert f"replayed {len(history) + 2} entries: {len(history)} applied, 2 dup" in done.stdout
        # A replay stores no page (the page builder renders them after, off its clock) ...
        assert (await _model(target))[0]["article_pages"] == []
        replay_settled = await _settled(target)
        built = run("build-pages", "--database-url", target, "--workers", "2", redis_url=redis_url)
        assert built.returncode == 0, built.stderr
        if replay_settled is not None:
            # Each bulk load leaves its tables vacuumed and analysed: autovacuum has nothing
            # left to do in the first minutes of serving. The pages' table again after its
            # load (build-pages).
            pages_settled = await _settled(target)
            assert pages_settled is not None
            assert all(replay_settled.values()), replay_settled
            before, after = replay_settled["article_pages"], pages_settled["article_pages"]
            assert before is not None
            assert after is not None
            assert after > before
        listed = len(live_model["article_pages"])
        assert listed > 0
        assert f"stored {listed} pages ({listed} stories had none of this build)" in built.stdout
        # ... and the builder's pages are the projector's, byte for byte (ETag, times, build).
        replayed, months, schema = await _model(target)
    # Entities are numbered in the order they were first met (orm.EntityRow.seq: operational,
    # for cutting the sitemap's entity files), an order parallel workers do not share: the
    # replay numbers them 1..n by id, each once.
    numbers = sorted(entity.pop("seq") for entity in replayed["entities"])
    assert numbers == list(range(1, len(live_model["entities"]) + 1))
    for entity in live_model["entities"]:
        del entity["seq"]
    assert replayed == live_model
    assert months == live_months
    # The indexes dropped for the load are back, as the migrations make them.
    assert schema == migrated_schema


async def test_a_failing_worker_fails_the_replay(seed, publisher, redis_url, tmp_path):
    history = _events_of(seed)
    await publisher(*history)
    path = tmp_path / "target.db"
    target = f"sqlite+aiosqlite:///{path}"
    database = open_read_model(target)
    await migrate(database.engine)
    await database.dispose()
    # The database refuses the withdrawn story's row: its worker fails (the others do not).
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON applied_events "
        f"WHEN NEW.event_id = '{history[4].id}' BEGIN SELECT RAISE(ABORT, 'refused here'); END"
    )
    connection.commit()
    connection.close()

    failed = run("replay", "--database-url", target, "--workers", "2", redis_url=redis_url)
    assert failed.returncode == 1
    assert "replay worker" in failed.stderr
    assert "failed" in failed.stderr
    assert "refused here" in failed.stderr
    assert "run it again with --replace" in failed.stderr
    assert "replayed" not in failed.stdout


@pytest.mark.parametrize("workers", [1, 2, 3, 5])
def test_every_article_belongs_to_exactly_one_partition(workers):
    articles = [f"article-{n}" for n in range(2000)] + [None]
    partitions = [Partition(index, workers) for index in range(workers)]
    owners = [[p.index for p in partitions if p.owns(article)] for article in articles]
    assert all(len(owner) == 1 for owner in owners)
    # and the articles are shared out, not all given to one worker
    assert len({owner[0] for owner in owners}) == workers


async def _read_all(log: Any) -> tuple[int, int, list[Any]]:
    entries, skipped, events = 0, 0, []
    async for batch in log.batches(2):
        entries += batch.entries
        skipped += batch.skipped
        events += batch.events
    return entries, skipped, events


async def test_the_partitions_read_every_event_of_the_log_exactly_once(
    seed, publisher, redis_url, tmp_path
):
    history = _events_of(seed)
    await publisher(*history)
    await publisher(history[0])  # a redelivered copy
    redis = Redis.from_url(redis_url)
    # the streams alone
    whole = await _read_all(RedisStreamLog(redis))
    parts = [await _read_all(RedisStreamLog(redis, partition=Partition(i, 3))) for i in range(3)]
    # the archive's head, then the trimmed streams' tails
    store = EventStore.open(f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}")
    await store.create_schema()
    await archive_and_trim(redis, store, articles_stream(), archive=4, trim=3)
    await archive_and_trim(redis, store, enriched_stream(), archive=1, trim=1)
    archived_whole = await _read_all(ArchiveAndTailLog(store, redis))
    archived_parts = [
        await _read_all(ArchiveAndTailLog(store, redis, partition=Partition(i, 3)))
        for i in range(3)
    ]
    await store.close()
    await redis.aclose()

    for total, shares in ((whole, parts), (archived_whole, archived_parts)):
        entries, _, events = total
        assert sum(share[0] for share in shares) == entries
        shared_ids = [event.id for share in shares for event in share[2]]
        assert sorted(shared_ids) == sorted(event.id for event in events)
        # an article's events are all in one partition
        owners = {
            event.data.article_id: index for index, share in enumerate(shares) for event in share[2]
        }
        for index, share in enumerate(shares):
            assert all(owners[event.data.article_id] == index for event in share[2])
    assert len({e.id for e in archived_whole[2]}) == len({e.id for e in history})
