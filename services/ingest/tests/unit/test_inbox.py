"""The inbox records versions once, remembers webhook ids, and forgets them after the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsroom.ingest.adapters.database import Database
from newsroom.ingest.adapters.inbox import InboxStore, Outbox
from newsroom.ingest.domain.decisions import Outcome
from newsroom.shared.article import Article

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def article(version: int) -> Article:
    return Article(
        source="wire",
        uri="urn:test:inbox",
        version=str(version),
        versioncreated=datetime(2024, 5, 1, 9, version, tzinfo=UTC),
        headline=f"Version {version}",
        body_text="Text.",
    )


async def test_two_versions_in_one_body_are_received_then_updated(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        inbox = InboxStore(database)
        results = await inbox.record(
            source="wire",
            articles=[article(1), article(2), article(1)],
            delivery_id=None,
            correlation_id="c",
            now=NOW,
        )
        assert [result.outcome for result in results] == [
            Outcome.RECEIVED,
            Outcome.UPDATED,
            Outcome.DUPLICATE,
        ]
        assert len({result.slug for result in results}) == 1
        assert [event.event_id for event in await Outbox(database).peek(10)] == [
            results[0].event_id,
            results[1].event_id,
        ]
    finally:
        await database.dispose()


async def test_a_webhook_id_is_remembered_then_forgotten(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        inbox = InboxStore(database)

        async def deliver(*articles: Article) -> list[tuple[Outcome, bool]]:
            results = await inbox.record(
                source="wire", articles=articles, delivery_id="msg_1", correlation_id="c", now=NOW
            )
            return [(result.outcome, result.replayed) for result in results]

        assert await deliver(article(1)) == [(Outcome.RECEIVED, False)]
        # Same webhook id, even with another body: the first answer, as a duplicate.
        assert await deliver(article(2)) == [(Outcome.DUPLICATE, True)]
        assert await inbox.forget_deliveries(NOW - timedelta(seconds=1)) == 0
        assert await inbox.forget_deliveries(NOW + timedelta(seconds=1)) == 1
        # Forgotten: the id is new again, and versions still decide.
        assert await deliver(article(1), article(2)) == [
            (Outcome.DUPLICATE, False),
            (Outcome.UPDATED, False),
        ]
    finally:
        await database.dispose()


def test_a_relay_batch_is_bounded_in_bytes_but_never_empty() -> None:
    from newsroom.ingest.adapters.inbox import PendingEvent, _within_bytes

    def event(n: int, size: int) -> PendingEvent:
        return PendingEvent(n, f"e{n}", "newsroom:articles:0", "c", {"body": "x" * size})

    pending = [event(n, 1000) for n in range(10)]
    assert [e.outbox_id for e in _within_bytes(pending, max_bytes=3500)] == [0, 1, 2]
    assert [e.outbox_id for e in _within_bytes([event(0, 10_000)], max_bytes=100)] == [0]
