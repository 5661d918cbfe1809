"""The archive consumers over a real (private) Redis and a real database: every event of the
articles and enriched streams stored once, with its stream and entry id, acknowledged only
once committed."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from archive_test_support import article_event, enriched_event, publish, running_archive, wait_until
from newsroom.shared.eventstore import EntryId, EventStore
from newsroom.shared.streams import (
    ARCHIVE_ARTICLES,
    ARCHIVE_ENRICHED,
    DEAD_LETTERS_STREAM,
    articles_stream,
    enriched_stream,
)

pytestmark = pytest.mark.integration


async def archived(store: EventStore) -> list[tuple[str, str, EntryId]]:
    rows = await store.read(after=0, up_to=None, limit=10_000)
    return [(row.record.stream, row.record.event_id, row.record.entry_id) for row in rows]


async def test_every_event_is_stored_once_with_its_stream_and_entry_id(
    redis_url: str, database_url: str
) -> None:
    articles = [article_event(n) for n in range(20)]
    enrichments = [enriched_event(a) for a in articles[:10]]
    article_ids = await publish(redis_url, articles_stream(), articles)
    enriched_ids = await publish(redis_url, enriched_stream(), enrichments)
    # A redelivery, or a re-publication after Redis lost data: another entry, the same event.
    copy_ids = await publish(redis_url, articles_stream(), articles[:5])

    async with running_archive(redis_url, database_url) as service:

        async def all_acknowledged() -> bool:
            redis = service.redis
            for group in (ARCHIVE_ARTICLES, ARCHIVE_ENRICHED):
                info = {g["name"].decode(): g for g in await redis.xinfo_groups(group.stream)}
                if info[group.group]["lag"] or info[group.group]["pending"]:
                    return False
            return True

        await wait_until(all_acknowledged, what="every entry acknowledged")
        rows = await archived(service.store)

    assert len(rows) == 30
    by_id = {event_id: (stream, entry) for stream, event_id, entry in rows}
    assert len(by_id) == 30
    for number, (event, entry) in enumerate(zip(articles, article_ids, strict=True)):
        # Entries of one read are stored concurrently: the row keeps the entry of the copy
        # committed first.
        carried_by = {EntryId.parse(entry)}
        if number < len(copy_ids):
            carried_by.add(EntryId.parse(copy_ids[number]))
        stream, stored_entry = by_id[event["id"]]
        assert stream == articles_stream()
        assert stored_entry in carried_by
    for event, entry in zip(enrichments, enriched_ids, strict=True):
        assert by_id[event["id"]] == (enriched_stream(), EntryId.parse(entry))


async def test_an_entry_is_acknowledged_only_after_its_commit(redis_url: str, tmp_path) -> None:
    """A database that refuses writes: nothing is acknowledged, everything stays pending and
    is stored once the database takes writes again."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}"
    async with running_archive(redis_url, database_url, reclaim_idle_ms=200) as service:
        failing = service.store.append

        async def refuse(*_: object) -> int:
            raise OSError("disk full")

        service.store.append = refuse  # type: ignore[method-assign]
        redis: Redis = service.redis
        await publish(redis_url, articles_stream(), [article_event(n) for n in range(3)])

        async def all_pending() -> bool:
            summary = await redis.xpending(articles_stream(), "archive")
            return int(summary["pending"]) == 3

        await wait_until(all_pending, what="three pending entries")
        assert await archived(service.store) == []

        service.store.append = failing  # type: ignore[method-assign]

        async def all_stored() -> bool:
            summary = await redis.xpending(articles_stream(), "archive")
            return len(await archived(service.store)) == 3 and int(summary["pending"]) == 0

        await wait_until(all_stored, what="the three events stored and acknowledged")


async def test_a_flushed_redis_loses_the_groups_and_consuming_carries_on(
    redis_url: str, tmp_path
) -> None:
    """FLUSHALL under a running consumer: its groups are recreated without a restart and
    what is appended afterwards is archived."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}"
    async with running_archive(redis_url, database_url) as service:
        await publish(redis_url, articles_stream(), [article_event(1)])
        await wait_until(lambda: _count_is(service.store, 1), what="the first event archived")
        await service.redis.flushall()
        await publish(redis_url, articles_stream(), [article_event(2)])
        await publish(redis_url, enriched_stream(), [enriched_event(article_event(2))])
        await wait_until(lambda: _count_is(service.store, 3), what="events after the flush")
        groups = await service.redis.xinfo_groups(articles_stream())
        assert [g["name"] for g in groups] == [b"archive"]


async def _count_is(store: EventStore, expected: int) -> bool:
    return sum((await store.counts()).values()) == expected


async def test_an_undecodable_entry_in_a_batch_is_dead_lettered_and_the_rest_stored(
    redis_url: str, tmp_path
) -> None:
    """One read brings good events and an entry that is not one: the good ones are stored,
    that one is parked in the dead-letter stream with its reason, and nothing stays pending."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}"
    redis = Redis.from_url(redis_url)
    try:
        # Appended before the archive starts, so its first read brings all five together.
        await publish(redis_url, articles_stream(), [article_event(n) for n in range(2)])
        poison_id = (await redis.xadd(articles_stream(), {"__data__": b"\xff not json"})).decode()
        await publish(redis_url, articles_stream(), [article_event(n) for n in range(2, 4)])

        async with running_archive(redis_url, database_url, reclaim_idle_ms=60_000) as service:

            async def settled() -> bool:
                pending = await redis.xpending(articles_stream(), "archive")
                return len(await archived(service.store)) == 4 and int(pending["pending"]) == 0

            await wait_until(settled, what="four events stored and nothing pending")
            stored_ids = {event_id for _, event_id, _ in await archived(service.store)}

        assert stored_ids == {article_event(n)["id"] for n in range(4)}
        dead_letters = await redis.xrange(DEAD_LETTERS_STREAM)
        assert len(dead_letters) == 1
        fields = {k.decode(): v.decode() for k, v in dead_letters[0][1].items()}
        assert fields["stream"] == articles_stream()
        assert fields["group"] == "archive"
        assert fields["entry_id"] == poison_id
        assert fields["reason"]
        groups = {g["name"].decode(): g for g in await redis.xinfo_groups(articles_stream())}
        assert groups["archive"]["lag"] == 0
    finally:
        await redis.aclose()
