"""Group commit (GroupCommit.submit, what the stream handlers call): events handed in together
are committed together, yet every caller gets its own outcome, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError

from newsroom.render.adapters.migrate import migrate
from newsroom.render.bootstrap import Projection, open_read_model
from render_test_support import read_model_snapshot

pytestmark = pytest.mark.integration


async def _snapshot(database):
    async with database.sessions() as session:
        return await read_model_snapshot(session)


async def test_concurrent_submits_build_the_read_model_of_one_by_one_application(
    seed, database_url, tmp_path
):
    v1, v2 = seed.v1(), seed.v2()
    events = [v1, seed.enriched(v1), v2, seed.enriched(v2), v1]  # v1 delivered twice
    database = open_read_model(database_url)
    await migrate(database.engine)
    projection = Projection(database, public_base_url="http://render.test")
    results = await asyncio.gather(*(projection.group_commit.submit(event) for event in events))
    grouped = await _snapshot(database)
    await database.dispose()

    reference = open_read_model(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}")
    await migrate(reference.engine)
    one_by_one = Projection(reference, public_base_url="http://render.test")
    for event in events:
        await one_by_one.project.apply([event])
    expected = await _snapshot(reference)
    await reference.dispose()

    assert grouped == expected
    # Each caller learns about its own event only: applied once, the redelivery a duplicate,
    # and the PageChanged its event caused.
    assert [(r.applied, r.duplicates) for r in results] == [(1, 0)] * 4 + [(0, 1)]
    for event, result in zip(events, results, strict=True):
        assert all(page.causationid == event.id for page in result.page_changes)
    assert results[0].page_changes  # the story's first version publishes its pages


async def test_a_failing_event_fails_only_its_own_caller(seed, database_url):
    first = seed.v1()
    # Another story that claims the same slug: the read model cannot hold both.
    other = seed.embargoed()
    clash = other.model_copy(update={"data": other.data.model_copy(update={"slug": seed.slug})})
    enriched = seed.enriched(first)
    database = open_read_model(database_url)
    await migrate(database.engine)
    projection = Projection(database, public_base_url="http://render.test")

    outcomes = await asyncio.gather(
        projection.group_commit.submit(first),
        projection.group_commit.submit(clash),
        projection.group_commit.submit(enriched),
        return_exceptions=True,
    )
    snapshot = await _snapshot(database)
    await database.dispose()

    assert isinstance(outcomes[1], IntegrityError)
    assert [getattr(o, "applied", None) for o in (outcomes[0], outcomes[2])] == [1, 1]
    assert {row["article_id"] for row in snapshot["articles"]} == {first.data.article_id}
    assert {row["event_id"] for row in snapshot["applied_events"]} == {first.id, enriched.id}
