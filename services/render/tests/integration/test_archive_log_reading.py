"""Reading the event log from the archive (ArchiveAndTailLog.batches), on SQLite and on
PostgreSQL: every render event once and in log order, whatever else the archive holds; the
archive read in bounded pages, one read ahead at most."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from redis.asyncio import Redis

from newsroom.render.adapters.archive_log import ArchiveAndTailLog
from newsroom.shared.eventstore import ArchivedBody, EntryId, EventRecord, EventStore
from newsroom.shared.streams import articles_stream, enriched_stream
from render_test_support import synthetic_story

pytestmark = pytest.mark.integration

PAGE_TYPE = "newsroom.page.changed.v1"


def archived(stream: str, number: int, event: Any) -> EventRecord:
    body = event.to_message()
    return EventRecord(
        event_id=body["id"],
        stream=stream,
        entry_id=EntryId(number, 0),
        event_type=body["type"],
        subject=body["subject"],
        causation_id=body.get("causationid"),
        correlation_id=body["correlationid"],
        body=json.dumps(body),
    )


def other_type(number: int) -> EventRecord:
    """An event render does not project (a page announcement), stored as the archive would."""
    return EventRecord(
        event_id=f"page-{number}",
        stream="newsroom:pages:0",
        entry_id=EntryId(number, 0),
        event_type=PAGE_TYPE,
        subject=f"page-{number}",
        causation_id=None,
        correlation_id=f"page-{number}",
        body='{"not": "a render event"}',
    )


class CountingStore:
    """The real store, with the replay's reads counted: their page sizes and how many are in
    flight at once."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.pages: list[int] = []
        self.started = 0
        self.in_flight = 0
        self.most_in_flight = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def read_bodies(self, **arguments: Any) -> list[ArchivedBody]:
        self.started += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            rows = await self.store.read_bodies(**arguments)
        finally:
            self.in_flight -= 1
        self.pages.append(len(rows))
        return rows


async def test_every_render_event_is_read_once_in_log_order_in_bounded_pages(
    seed: Any, redis_url: str, database_url: str
) -> None:
    store = EventStore.open(database_url)
    await store.create_schema()
    expected: list[str] = []
    records: list[EventRecord] = []
    for n in range(17):
        received, enriched = synthetic_story(seed.v1_article, n)
        records.append(archived(articles_stream(), 3 * n, received))
        records.append(other_type(3 * n + 1))  # a type render skips, between its events
        records.append(archived(enriched_stream(), 3 * n + 2, enriched))
        expected += [received.id, enriched.id]
    # A render type whose body does not decode: skipped and counted, the rest still read.
    broken = archived(articles_stream(), 100, synthetic_story(seed.v1_article, 99)[0])
    records.append(replace(broken, body='{"type": "newsroom.article.received.v1"}'))
    await store.append(records)
    redis = Redis.from_url(redis_url)  # the streams are empty: all of the log is archived
    counting = CountingStore(store)
    log = ArchiveAndTailLog(counting, redis, page_rows=8)  # type: ignore[arg-type]

    read: list[str] = []
    entries = skipped = 0
    async for batch in log.batches(5):
        if not read:
            # The next page is being read already, though this caller never awaits between
            # batches: the page handed out and the one ahead.
            assert counting.started == 2
        assert batch.entries <= 5
        read += [event.id for event in batch.events]
        entries += batch.entries
        skipped += batch.skipped
    total = await log.total_entries()
    await store.close()
    await redis.aclose()

    assert read == expected  # none lost, none twice, in the order they were archived
    # The other type and the broken body counted, neither among the events.
    assert (entries, skipped) == (total, 17 + 1)
    # 52 rows in pages of 8 (the last one short; then the empty reads that end the archive
    # pass and the pass after the tail), and the next page read while the caller worked on
    # this one, never more than that.
    assert counting.pages == [8, 8, 8, 8, 8, 8, 4, 0, 0]
    assert counting.most_in_flight == 1
