"""The stream handler's logic in memory (FastStream's TestRedisBroker, no Redis): an article
version in, its ArticleEnriched out on the enriched stream with a deterministic id; a
withdrawal out nothing; an event that is not an article event never reaches the NLP.
Acks, retries, dead letters and reclaiming need a real Redis: tests/integration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from faststream.redis import RedisBroker, RedisStreamMessage, TestRedisBroker
from pydantic import ValidationError

from enrich_test_support import make_received
from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult
from newsroom.enrich.entrypoints.streams import build_router
from newsroom.shared.events import (
    ArticleWithdrawn,
    ArticleWithdrawnData,
    EnrichedEntity,
    TimelineEntry,
)
from newsroom.shared.ids import derived_event_id
from newsroom.shared.streams import articles_stream, enriched_stream

MODEL = "test-model-1.0"


class FakeNlp:
    """Records the texts it was given; finds one person in each."""

    def __init__(self) -> None:
        self.texts: list[ArticleTexts] = []

    async def __call__(self, texts: ArticleTexts) -> EnrichmentResult:
        self.texts.append(texts)
        entity = EnrichedEntity(
            id="person/yulia-peresild",
            name="Yulia Peresild",
            type="person",
            mentions=[],
            mention_count=1,
            salience=1.0,
        )
        entry = TimelineEntry(
            value="2021-10-05",
            type="DATE",
            granularity="day",
            text="Tuesday",
            field="body",
            start=24,
            end=31,
            sentence=texts.body,
        )
        return EnrichmentResult(entities=[entity], mentions=[], timexes=[], timeline=[entry])


class Captured:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, Any]] = []


@pytest.fixture
def nlp() -> FakeNlp:
    return FakeNlp()


@pytest.fixture
async def published(nlp: FakeNlp) -> AsyncIterator[tuple[RedisBroker, Captured]]:
    router = build_router(
        nlp, lambda: MODEL, consumer="enrich-test", batch_size=4, reclaim_idle_ms=60_000
    )
    broker = RedisBroker()
    broker.include_router(router)
    captured = Captured()

    @broker.subscriber(stream=enriched_stream())
    async def enriched(body: dict[str, Any], message: RedisStreamMessage) -> None:
        captured.bodies.append(body)
        captured.headers.append(dict(message.headers))

    async with TestRedisBroker(broker) as test_broker:
        yield test_broker, captured


def withdrawn() -> ArticleWithdrawn:
    return ArticleWithdrawn.create(
        id="withdrawn-1",
        source="/sources/test",
        subject="a1",
        correlationid="delivery-9",
        data=ArticleWithdrawnData(
            article_id="a1",
            slug="s",
            source="test",
            uri="urn:newsroom:test:9",
            version="2",
            versioncreated=datetime(2021, 9, 20, 12, tzinfo=UTC),
        ),
    )


async def test_an_article_version_is_enriched_once_with_a_derived_id(
    published: tuple[RedisBroker, Captured], nlp: FakeNlp
) -> None:
    broker, captured = published
    received = make_received(1, "Space Race 2", "Yulia Peresild flies on Tuesday.")
    await broker.publish(received.to_message(), stream=articles_stream())

    assert [texts.body for texts in nlp.texts] == ["Yulia Peresild flies on Tuesday."]
    assert nlp.texts[0].headline == "Space Race 2"
    assert nlp.texts[0].dateline == date(2021, 9, 20)
    [body] = captured.bodies
    assert body["type"] == "newsroom.article.enriched.v1"
    assert body["id"] == derived_event_id("enriched", received.id)
    assert captured.headers[0]["message_id"] == body["id"]
    assert body["causationid"] == received.id
    assert body["correlationid"] == received.correlationid == "delivery-1"
    assert body["subject"] == received.data.article_id
    assert body["data"]["model"] == MODEL
    assert body["data"]["version"] == "1"
    assert [entity["id"] for entity in body["data"]["entities"]] == ["person/yulia-peresild"]
    assert [entry["value"] for entry in body["data"]["timeline"]] == ["2021-10-05"]


async def test_a_withdrawal_is_not_enriched_and_publishes_nothing(
    published: tuple[RedisBroker, Captured], nlp: FakeNlp
) -> None:
    broker, captured = published
    await broker.publish(withdrawn().to_message(), stream=articles_stream())
    assert nlp.texts == []
    assert captured.bodies == []


async def test_an_event_that_is_no_article_event_never_reaches_the_nlp(
    published: tuple[RedisBroker, Captured], nlp: FakeNlp
) -> None:
    broker, captured = published
    poison = {"specversion": "1.0", "type": "newsroom.article.received.v1", "id": "poison-1"}
    with pytest.raises(ValidationError):
        await broker.publish(poison, stream=articles_stream())
    assert nlp.texts == []
    assert captured.bodies == []
