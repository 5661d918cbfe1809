"""The outbox relay: order, removal after publish, backoff while the publisher fails."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from newsroom.ingest.adapters.database import Database
from newsroom.ingest.adapters.inbox import InboxStore, Outbox, PendingEvent
from newsroom.ingest.adapters.relay import OutboxRelay
from newsroom.shared.article import Article


class FlakyPublisher:
    """Fails while `down`; records what it published and how often it was tried."""

    def __init__(self) -> None:
        self.down = False
        self.attempts = 0
        self.published: list[str] = []

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        self.attempts += 1
        if self.down:
            raise ConnectionError("redis is down")
        self.published.extend(event.event_id for event in events)


def article(uri: str, version: int) -> Article:
    return Article(
        source="wire",
        uri=uri,
        version=str(version),
        versioncreated=datetime(2024, 1, 1, 9, version, tzinfo=UTC),
        headline=f"{uri} v{version}",
        body_text="Text.",
    )


async def record(inbox: InboxStore, *articles: Article) -> list[str]:
    results = await inbox.record(
        source="wire",
        articles=articles,
        delivery_id=None,
        correlation_id="c",
        now=datetime.now(UTC),
    )
    return [result.event_id for result in results]


async def wait_until(condition: object, within: float = 10.0) -> None:
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_relay_publishes_in_outbox_order_and_empties_it(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    inbox, outbox, publisher = InboxStore(database), Outbox(database), FlakyPublisher()
    relay = OutboxRelay(outbox, publisher, batch_size=2, poll_interval=0.05)
    expected = await record(inbox, article("a", 1), article("b", 1), article("a", 2))
    relay.start()
    try:
        await wait_until(lambda: len(publisher.published) == 3)
        assert publisher.published == expected
        assert await outbox.backlog() == 0
        # Work recorded later is picked up when the relay is notified.
        later = await record(inbox, article("a", 3))
        relay.notify()
        await wait_until(lambda: len(publisher.published) == 4)
        assert publisher.published[-1:] == later
    finally:
        await relay.stop()
        await database.dispose()


async def test_relay_backs_off_while_failing_and_delivers_once_recovered(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    inbox, outbox, publisher = InboxStore(database), Outbox(database), FlakyPublisher()
    relay = OutboxRelay(
        outbox, publisher, poll_interval=0.05, initial_backoff=0.05, max_backoff=0.4
    )
    publisher.down = True
    expected = await record(inbox, article("a", 1), article("a", 2))
    relay.start()
    try:
        await asyncio.sleep(1.5)
        # Backoff 0.05, 0.1, 0.2, 0.4, 0.4…: a handful of attempts, not a busy loop.
        assert 2 <= publisher.attempts <= 12
        assert await outbox.backlog() == 2
        publisher.down = False
        await wait_until(lambda: len(publisher.published) == 2)
        assert publisher.published == expected
        assert await outbox.backlog() == 0
    finally:
        await relay.stop()
        await database.dispose()
