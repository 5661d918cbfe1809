"""The inbox records versions once, remembers webhook ids, and forgets them after the window;
each accepted version's event waits in the outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from newsroom.ingest.adapters.database import OUTBOX
from newsroom.ingest.adapters.inbox import SqlInbox
from newsroom.ingest.application.receive_delivery import ItemResult, record_delivery
from newsroom.ingest.domain.decisions import Outcome
from newsroom.shared.article import Article
from newsroom.shared.sql import UnitOfWorkRunner

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


@pytest.fixture
async def runner(sqlite_url: str) -> AsyncIterator[UnitOfWorkRunner]:
    runner = UnitOfWorkRunner(sqlite_url, synchronous="FULL")
    yield runner
    await runner.dispose()


async def record(
    inbox: SqlInbox, articles: Sequence[Article], delivery_id: str | None = None
) -> list[ItemResult]:
    return await inbox.transaction(
        lambda transaction: record_delivery(
            transaction,
            source="wire",
            articles=articles,
            delivery_id=delivery_id,
            correlation_id="c",
            now=NOW,
        )
    )


def article(version: int) -> Article:
    return Article(
        source="wire",
        uri="urn:test:inbox",
        version=str(version),
        versioncreated=datetime(2024, 5, 1, 9, version, tzinfo=UTC),
        headline=f"Version {version}",
        body_text="Text.",
    )


async def test_two_versions_in_one_body_are_received_then_updated(
    runner: UnitOfWorkRunner,
) -> None:
    results = await record(SqlInbox(runner), [article(1), article(2), article(1)])
    assert [result.outcome for result in results] == [
        Outcome.RECEIVED,
        Outcome.UPDATED,
        Outcome.DUPLICATE,
    ]
    assert len({result.slug for result in results}) == 1
    outbox = OUTBOX.outbox
    waiting = await runner.read(lambda c: c.execute(select(outbox).order_by(outbox.c.id)).all())
    assert [row.event_id for row in waiting] == [results[0].event_id, results[1].event_id]
    assert json.loads(waiting[0].body)["type"] == "newsroom.article.received.v1"
    assert waiting[0].correlation_id == "c"
    assert waiting[0].stream == "newsroom:articles:0"


async def test_a_webhook_id_is_remembered_then_forgotten(runner: UnitOfWorkRunner) -> None:
    inbox = SqlInbox(runner)

    async def deliver(*articles: Article) -> list[tuple[Outcome, bool]]:
        results = await record(inbox, articles, delivery_id="msg_1")
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
