"""The outbox on both backends: appended in the caller's transaction, relayed in order, deleted
once published, an undecodable row parked instead of blocking the head, one relay at a time on
PostgreSQL, backoff while the publisher fails."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import MetaData, insert, select, text
from sqlalchemy.engine import Connection

from newsroom.shared.outbox import (
    OutboxMetrics,
    OutboxRelay,
    OutboxTables,
    OutgoingEvent,
    PartlyPublished,
    PendingEvent,
)
from newsroom.shared.sql import UnitOfWorkRunner
from support.polling import eventually

pytestmark = pytest.mark.integration

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
METADATA = MetaData()
TABLES = OutboxTables(METADATA, "test_outbox")


def metrics(registry: CollectorRegistry | None = None) -> OutboxMetrics:
    registry = registry or CollectorRegistry()
    return OutboxMetrics(
        relayed=Counter("relayed", "", registry=registry),
        failures=Counter("failures", "", registry=registry),
        backlog=Gauge("backlog", "", registry=registry),
        parked=Counter("parked", "", registry=registry),
    )


class RecordingPublisher:
    """Fails while `down`; after `fail_after` events of a batch, appends only those."""

    def __init__(self) -> None:
        self.down = False
        self.fail_after: int | None = None
        self.attempts = 0
        self.published: list[str] = []

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        self.attempts += 1
        if self.down:
            raise ConnectionError("redis is down")
        if self.fail_after is not None:
            appended = list(events[: self.fail_after])
            self.published += [event.event_id for event in appended]
            raise PartlyPublished(appended, ConnectionError("lost midway"))
        self.published += [event.event_id for event in events]


@pytest.fixture
async def runner(database_url: str) -> AsyncIterator[UnitOfWorkRunner]:
    runner = UnitOfWorkRunner(database_url)
    async with runner.engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    yield runner
    await runner.dispose()


def event(n: int) -> OutgoingEvent:
    body = json.dumps({"id": f"e{n}", "n": n})
    return OutgoingEvent(f"e{n}", "test:stream", f"c{n}", body)


async def append(runner: UnitOfWorkRunner, *numbers: int) -> list[str]:
    await runner.write(lambda c: TABLES.append(c, [event(n) for n in numbers], NOW))
    return [f"e{n}" for n in numbers]


async def test_events_go_out_in_outbox_order_with_their_stream_and_ids_and_are_deleted(
    runner: UnitOfWorkRunner,
) -> None:
    publisher = RecordingPublisher()
    relay = OutboxRelay(TABLES, runner, publisher, metrics(), batch_size=2, poll_interval=0.05)
    expected = await append(runner, 1, 2, 3)
    [first, *_] = await relay.peek(10)
    assert (first.event_id, first.stream, first.correlation_id) == ("e1", "test:stream", "c1")
    assert first.message == {"id": "e1", "n": 1}
    relay.start()
    try:
        await eventually(lambda: asyncio.sleep(0, result=len(publisher.published) == 3))
        assert publisher.published == expected
        assert await relay.backlog() == 0
        # Work committed later is picked up when the relay is notified.
        later = await append(runner, 4)
        relay.notify()
        await eventually(lambda: asyncio.sleep(0, result=len(publisher.published) == 4))
        assert publisher.published[-1:] == later
    finally:
        await relay.stop()


async def test_nothing_is_appended_when_the_callers_transaction_rolls_back(
    runner: UnitOfWorkRunner,
) -> None:
    def append_then_fail(connection: Connection) -> None:
        TABLES.append(connection, [event(1)], NOW)
        raise RuntimeError("the change failed")

    relay = OutboxRelay(TABLES, runner, RecordingPublisher(), metrics())
    with pytest.raises(RuntimeError):
        await runner.write(append_then_fail)
    assert await relay.backlog() == 0


async def test_an_undecodable_row_is_parked_and_the_rest_flows(runner: UnitOfWorkRunner) -> None:
    await append(runner, 1)
    await runner.write(
        lambda c: c.execute(
            insert(TABLES.outbox).values(
                event_id="broken", stream="test:stream", correlation_id="c", body="{not json",
                created_at=NOW,
            )
        )
    )  # fmt: skip
    await append(runner, 3)
    publisher = RecordingPublisher()
    registry = CollectorRegistry()
    relay = OutboxRelay(TABLES, runner, publisher, metrics(registry))
    assert await relay.relay_once() == 3
    assert publisher.published == ["e1", "e3"]
    assert await relay.backlog() == 0
    parked = await runner.read(lambda c: c.execute(select(TABLES.parked)).all())
    assert [(row.event_id, row.body) for row in parked] == [("broken", "{not json")]
    assert "JSONDecodeError" in parked[0].error
    assert registry.get_sample_value("parked_total") == 1


async def test_a_partly_published_batch_keeps_exactly_the_rest(runner: UnitOfWorkRunner) -> None:
    await append(runner, 1, 2, 3)
    publisher = RecordingPublisher()
    publisher.fail_after = 1
    relay = OutboxRelay(TABLES, runner, publisher, metrics())
    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert [event.event_id for event in await relay.peek(10)] == ["e2", "e3"]
    publisher.fail_after = None
    assert await relay.relay_once() == 2
    assert publisher.published == ["e1", "e2", "e3"]


async def test_the_relay_backs_off_while_failing_and_delivers_once_recovered(
    runner: UnitOfWorkRunner,
) -> None:
    publisher = RecordingPublisher()
    relay = OutboxRelay(
        TABLES,
        runner,
        publisher,
        metrics(),
        poll_interval=0.05,
        initial_backoff=0.05,
        max_backoff=0.4,
    )
    publisher.down = True
    expected = await append(runner, 1, 2)
    relay.start()
    try:
        await asyncio.sleep(1.5)
        # Backoff 0.05, 0.1, 0.2, 0.4, 0.4…: a handful of attempts, not a busy loop.
        assert 2 <= publisher.attempts <= 12
        assert await relay.backlog() == 2
        publisher.down = False
        await eventually(lambda: asyncio.sleep(0, result=len(publisher.published) == 2))
        assert publisher.published == expected
        assert await relay.backlog() == 0
    finally:
        await relay.stop()


async def test_on_postgresql_one_relay_drains_at_a_time(postgres_url: str) -> None:
    runner = UnitOfWorkRunner(postgres_url)
    try:
        async with runner.engine.begin() as connection:
            await connection.run_sync(METADATA.create_all)
        await append(runner, 1)
        publisher = RecordingPublisher()
        relay = OutboxRelay(TABLES, runner, publisher, metrics())
        async with runner.engine.connect() as other_process:
            # Another process's relay holds the outbox's lock while it drains.
            await other_process.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": relay.lock_key}
            )
            assert await relay.relay_once() == 0
            assert publisher.published == []
            await other_process.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": relay.lock_key}
            )
        assert await relay.relay_once() == 1
        assert publisher.published == ["e1"]
    finally:
        await runner.dispose()
