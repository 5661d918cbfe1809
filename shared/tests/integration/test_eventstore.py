"""The event store's contract on SQLite and PostgreSQL: append-only, once per event id, read
back in position order, high-water marks per stream, what recovery asks of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from newsroom.shared.eventstore import EntryId, EventRecord, EventStore

pytestmark = pytest.mark.integration

ARTICLES = "newsroom:articles:0"
ENRICHED = "newsroom:enriched:0"
RECEIVED = "newsroom.article.received.v1"
ENRICHED_TYPE = "newsroom.article.enriched.v1"


def record(
    event_id: str,
    entry: EntryId,
    *,
    stream: str = ARTICLES,
    event_type: str = RECEIVED,
    causation_id: str | None = None,
) -> EventRecord:
    return EventRecord(
        event_id=event_id,
        stream=stream,
        entry_id=entry,
        event_type=event_type,
        subject=f"article-{event_id}",
        causation_id=causation_id,
        correlation_id=f"delivery-{event_id}",
        body=f'{{"id": "{event_id}"}}',
    )


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    opened = EventStore.open(database_url)
    await opened.create_schema()
    await opened.create_schema()  # idempotent: every service that opens the store runs it
    yield opened
    await opened.close()


async def test_an_event_is_stored_once_whatever_entry_brings_it_again(store: EventStore) -> None:
    assert await store.append([record("a", EntryId(1, 0)), record("b", EntryId(2, 0))]) == 2
    assert await store.append([record("a", EntryId(9, 0)), record("c", EntryId(3, 0))]) == 1

    rows = await store.read(after=0, up_to=None, limit=100)
    assert [(r.record.event_id, r.record.entry_id) for r in rows] == [
        ("a", EntryId(1, 0)),
        ("b", EntryId(2, 0)),
        ("c", EntryId(3, 0)),
    ]
    assert [r.position for r in rows] == sorted(r.position for r in rows)
    assert rows[0].envelope() == {"id": "a"}
    assert await store.counts() == {ARTICLES: 3}


async def test_reading_pages_by_position_up_to_a_snapshot(store: EventStore) -> None:
    await store.append([record(f"e{n}", EntryId(n, 0)) for n in range(1, 8)])
    snapshot = await store.last_position()
    await store.append([record("late", EntryId(100, 0))])

    first = await store.read(after=0, up_to=snapshot, limit=4)
    rest = await store.read(after=first[-1].position, up_to=snapshot, limit=4)
    assert [r.record.event_id for r in first + rest] == [f"e{n}" for n in range(1, 8)]
    assert await store.archived_ids(["e1", "late", "never"], up_to=snapshot) == {"e1"}
    assert await store.archived_ids(["e1", "late", "never"]) == {"e1", "late"}


async def test_replay_reads_bodies_of_the_types_asked_for_and_counts_every_row(
    store: EventStore,
) -> None:
    await store.append(
        [
            record("a", EntryId(1, 0)),
            record("p", EntryId(2, 0), event_type="newsroom.page.changed.v1"),
            record("e", EntryId(3, 0), stream=ENRICHED, event_type=ENRICHED_TYPE),
            record("b", EntryId(4, 0)),
        ]
    )
    snapshot = await store.last_position()
    await store.append([record("late", EntryId(5, 0))])
    wanted = {RECEIVED, ENRICHED_TYPE}

    first = await store.read_bodies(after=0, up_to=snapshot, limit=3, event_types=wanted)
    rest = await store.read_bodies(
        after=first[-1].position, up_to=snapshot, limit=3, event_types=wanted
    )
    rows = first + rest
    assert [len(first), len(rest)] == [3, 1]  # pages of at most `limit`
    assert [r.position for r in rows] == sorted(r.position for r in rows)
    # Every row is there, in order; the other type's body stays in the database.
    assert [(r.event_id, r.event_type, r.body) for r in rows] == [
        ("a", RECEIVED, '{"id": "a"}'),
        ("p", "newsroom.page.changed.v1", None),
        ("e", ENRICHED_TYPE, '{"id": "e"}'),
        ("b", RECEIVED, '{"id": "b"}'),
    ]
    after_snapshot = await store.read_bodies(
        after=snapshot, up_to=None, limit=10, event_types=wanted
    )
    assert [r.event_id for r in after_snapshot] == ["late"]


async def test_high_water_mark_is_the_newest_entry_per_stream(store: EventStore) -> None:
    assert await store.high_water_marks([ARTICLES, ENRICHED]) == {ARTICLES: None, ENRICHED: None}
    await store.append(
        [
            record("a", EntryId(5, 1)),
            record("b", EntryId(5, 0)),
            record("c", EntryId(4, 9)),
            record("x", EntryId(7, 0), stream=ENRICHED, event_type=ENRICHED_TYPE),
        ]
    )
    assert await store.high_water_marks([ARTICLES, ENRICHED]) == {
        ARTICLES: EntryId(5, 1),
        ENRICHED: EntryId(7, 0),
    }


async def test_what_recovery_asks(store: EventStore) -> None:
    await store.append(
        [
            record("a1", EntryId(10, 0)),
            record("a2", EntryId(20, 0)),
            record("a3", EntryId(30, 0)),
            record(
                "e1", EntryId(11, 0), stream=ENRICHED, event_type=ENRICHED_TYPE, causation_id="a1"
            ),
            record(
                "e2", EntryId(25, 0), stream=ENRICHED, event_type=ENRICHED_TYPE, causation_id="a2"
            ),
        ]
    )
    since = await store.events_from(ARTICLES, EntryId(20, 0), after=0, limit=10)
    assert [r.record.event_id for r in since] == ["a2", "a3"]

    # Every group of the enriched stream had everything before entry 20: a2's enrichment (25)
    # may not have reached them, a3 has none.
    lacking = await store.without_derived_event(
        ARTICLES, [RECEIVED], ENRICHED, EntryId(20, 0), after=0, limit=10
    )
    assert [r.record.event_id for r in lacking] == ["a2", "a3"]


async def test_checkpoints_of_the_epoch_before(store: EventStore) -> None:
    assert await store.checkpoints_before("now") == {}
    await store.record_checkpoint("old", ARTICLES, EntryId(5, 0))
    await store.record_checkpoint("old", ARTICLES, EntryId(6, 0))
    await store.record_checkpoint("old", ENRICHED, EntryId(7, 0))
    await store.record_checkpoint("now", ARTICLES, EntryId(99, 0))
    assert await store.checkpoints_before("now") == {
        ARTICLES: EntryId(6, 0),
        ENRICHED: EntryId(7, 0),
    }
