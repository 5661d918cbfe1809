"""The maintenance loop (embargo announcements, outbox flush) survives any failure, and an
outbox row that cannot be decoded is parked instead of blocking every PageChanged behind it."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy import insert, select
from structlog.testing import capture_logs

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.orm import PageOutboxRow, ParkedPageChangeRow
from newsroom.render.bootstrap import Projection, RenderRuntime
from newsroom.shared.settings import RenderSettings
from newsroom.shared.streams import pages_stream

pytestmark = pytest.mark.integration


def _failures(error: str) -> float:
    value = REGISTRY.get_sample_value(
        "newsroom_render_maintenance_failures_total", {"error": error}
    )
    return value or 0.0


async def test_the_maintenance_loop_logs_counts_and_outlives_an_unexpected_error(
    seed, redis_url, tmp_path, eventually
):
    runtime = RenderRuntime(
        RenderSettings(
            redis_url=redis_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'render.db'}",
            public_base_url="http://render.test",
        ),
        maintenance_every=0.05,
    )
    await migrate(runtime.database.engine)
    announce = runtime.projection.announce_lifted_embargoes
    calls = 0

    async def breaks_once() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug nobody foresaw")
        return await announce()

    runtime.projection.announce_lifted_embargoes = breaks_once
    before = _failures("RuntimeError")
    await runtime.projection.project.apply([seed.v1()])  # PageChanged wait in the outbox
    redis = Redis.from_url(redis_url)
    try:
        with capture_logs() as logs:
            await runtime.start()
            try:
                # The PageChanged leave only through the maintenance loop's flush, which runs
                # after the round that failed.
                assert await eventually(lambda: redis.xlen(pages_stream()))
            finally:
                await runtime.stop()
    finally:
        await redis.aclose()
    failed = [entry for entry in logs if entry["event"] == "maintenance_failed"]
    assert failed
    assert "a bug nobody foresaw" in failed[0]["error"]
    assert _failures("RuntimeError") == before + 1


async def test_an_undecodable_outbox_row_is_parked_and_the_rest_still_go_out(
    seed, sqlite_read_model, sessions
):
    projection = Projection(sqlite_read_model, public_base_url="http://render.test")
    async with sessions() as session, session.begin():
        # The oldest row, so it heads the outbox.
        await session.execute(
            insert(PageOutboxRow).values(id=1, event_id="broken", body='{"not": "an event"}')
        )
    result = await projection.project.apply([seed.v1()])
    assert result.page_changes
    sent: list[Any] = []

    async def publish(events: Any) -> None:
        sent.extend(events)

    with capture_logs() as logs:
        await projection.page_outbox.flush(publish)

    assert [event.id for event in sent] == [event.id for event in result.page_changes]
    async with sessions() as session:
        assert (await session.scalars(select(PageOutboxRow))).all() == []
        parked = (await session.scalars(select(ParkedPageChangeRow))).all()
    assert [(row.outbox_id, row.body) for row in parked] == [(1, '{"not": "an event"}')]
    assert "ValidationError" in parked[0].error
    assert any(entry["event"] == "page_change_parked" for entry in logs)
    # Nothing is left to block the next flush.
    sent.clear()
    assert await projection.page_outbox.flush(publish) == 0
    # SQLite hands out the drained outbox's row ids again: a second bad row parks as well.
    async with sessions() as session, session.begin():
        await session.execute(
            insert(PageOutboxRow).values(id=1, event_id="broken-again", body="{}")
        )
    await projection.page_outbox.flush(publish)
    async with sessions() as session:
        parked = (await session.scalars(select(ParkedPageChangeRow))).all()
    assert [row.outbox_id for row in parked] == [1, 1]
