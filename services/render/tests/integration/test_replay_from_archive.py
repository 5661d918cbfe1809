"""`replay` from the event store and then the streams' tails, on SQLite and on PostgreSQL: a
log whose head was trimmed (and is only in the archive) rebuilds exactly the live read model,
each event once: no gap, no overlap."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from newsroom.render.adapters.archive_log import ArchiveAndTailLog
from newsroom.render.adapters.migrate import is_empty, migrate
from newsroom.render.application.replay import replay
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.shared.eventstore import EntryId, EventStore, record_of_entry
from newsroom.shared.streams import articles_stream, enriched_stream
from render_test_support import read_model_snapshot

from .test_projection_databases import _events_of, fresh_database_like

pytestmark = pytest.mark.integration


async def archive_and_trim(
    redis: Redis, store: EventStore, stream: str, *, archive: int, trim: int
) -> None:
    """What the archive service does: the first `archive` entries stored (their FastStream
    bodies), the first `trim` of them trimmed from Redis."""
    from faststream.redis.parser.binary import BinaryMessageFormatV1

    entries: list[tuple[bytes, dict[bytes, bytes]]] = await redis.xrange(stream)
    records = []
    for entry_id, fields in entries[:archive]:
        body, _ = BinaryMessageFormatV1.parse(fields[b"__data__"])
        records.append(record_of_entry(stream, EntryId.parse(entry_id), body))
    await store.append(records)
    if trim:
        await redis.xtrim(stream, minid=str(EntryId.parse(entries[trim - 1][0]).successor()))


async def test_replay_reads_the_archive_then_the_tail_and_equals_the_live_read_model(
    seed: Any,
    publisher: Any,
    redis_url: str,
    database_url: str,
    tmp_path: Any,
    start_render: Any,
    eventually: Any,
) -> None:
    history = _events_of(seed)
    async with start_render(redis_url, database_url) as live:
        await publisher(*history)
        await publisher(history[0], history[1])  # redelivered copies, as at-least-once allows

        async def caught_up() -> Any:
            async with live.runtime.sessions() as session:
                applied = (await read_model_snapshot(session))["applied_events"]
                if len(applied) != len(history):
                    return None
                return await read_model_snapshot(session)

        live_model = await eventually(caught_up)
        article_pages = live.runtime.article_pages  # the stories' pages, for the same site

    redis = Redis.from_url(redis_url)
    store = EventStore.open(f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}")
    await store.create_schema()
    # The articles stream: five entries (four events, then a copy of the first); four
    # archived, three trimmed: the head only in the archive, one entry in both, the copy only
    # in Redis (its event archived).
    await archive_and_trim(redis, store, articles_stream(), archive=4, trim=3)
    # The enriched stream: four entries (three events, a copy); one archived and trimmed.
    await archive_and_trim(redis, store, enriched_stream(), archive=1, trim=1)
    assert await redis.xlen(articles_stream()) == 2

    async with fresh_database_like(database_url, tmp_path) as target:
        database = open_read_model(target)
        assert await is_empty(database.engine)
        await migrate(database.engine)
        log = ArchiveAndTailLog(store, redis)
        await log.require_complete()  # the trimmed head is in the archive: no refusal
        # Four article and one enrichment events archived; one copy and three enriched entries
        # only in the streams.
        assert await log.total_entries() == 9
        projection = Projection(
            database, public_base_url="x", emit_pages=False, article_pages=article_pages
        )
        stats = await replay(log, projection.project.apply, batch=2)
        async with database.sessions() as session:
            replayed = await read_model_snapshot(session)
        await database.dispose()
    await store.close()
    await redis.aclose()

    assert replayed == live_model
    assert stats.applied == len(history)  # no gap
    assert stats.duplicates == 0  # no overlap: archived events were not read again from Redis
