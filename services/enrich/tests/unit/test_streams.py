"""The stream handler's logic in memory (FastStream's TestRedisBroker, no Redis): an article
version in, its ArticleEnriched out on the enriched stream with a deterministic id; a
withdrawal out nothing; an event that is not an article event never reaches the NLP.
Acks, retries, dead letters and reclaiming need a real Redis: tests/integration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from faststream.redis import RedisBroker, RedisStreamMessage, TestRedisBroker
from pydantic import ValidationError

from enrich_test_support import ENTITY, RecordingEnrich, make_received, make_withdrawn
from newsroom.enrich.entrypoints.streams import build_router
from newsroom.shared.ids import derived_event_id
from newsroom.shared.streams import articles_stream, enriched_stream

MODEL = "test-model-1.0"

Published = list[tuple[dict[str, Any], dict[str, Any]]]  # (body, headers)


@pytest.fixture
def nlp() -> RecordingEnrich:
    return RecordingEnrich()


@pytest.fixture
async def worker(nlp: RecordingEnrich) -> AsyncIterator[tuple[RedisBroker, Published]]:
    """The enrich router in an in-memory broker, and what it publishes to the enriched stream."""
    router = build_router(
        nlp, lambda: MODEL, consumer="enrich-test", batch_size=4, reclaim_idle_ms=60_000
    )
    broker = RedisBroker()
    broker.include_router(router)
    published: Published = []

    @broker.subscriber(stream=enriched_stream())
    async def enriched(body: dict[str, Any], message: RedisStreamMessage) -> None:
        published.append((body, dict(message.headers)))

    async with TestRedisBroker(broker) as test_broker:
        yield test_broker, published


async def test_an_article_version_is_enriched_once_with_a_derived_id(
    worker: tuple[RedisBroker, Published], nlp: RecordingEnrich
) -> None:
    broker, published = worker
    received = make_received(1, "Ada Lovelace returns", "Ada Lovelace wrote the first program.")
    await broker.publish(received.to_message(), stream=articles_stream())

    [texts] = nlp.seen
    assert (texts.headline, texts.body) == (
        "Ada Lovelace returns",
        "Ada Lovelace wrote the first program.",
    )
    assert texts.dateline == date(2021, 9, 20)
    [(body, headers)] = published
    assert body["type"] == "newsroom.article.enriched.v1"
    assert body["id"] == derived_event_id("enriched", received.id)
    assert headers["message_id"] == body["id"]
    assert body["causationid"] == received.id
    assert body["correlationid"] == received.correlationid == "delivery-1"
    assert body["subject"] == received.data.article_id
    assert (body["data"]["model"], body["data"]["version"]) == (MODEL, "1")
    assert [entity["id"] for entity in body["data"]["entities"]] == [ENTITY.id]


async def test_a_withdrawal_is_not_enriched_and_publishes_nothing(
    worker: tuple[RedisBroker, Published], nlp: RecordingEnrich
) -> None:
    broker, published = worker
    kill = make_withdrawn(make_received(1, "Headline", "Body."), "2", "kill-2")
    await broker.publish(kill.to_message(), stream=articles_stream())
    assert nlp.seen == []
    assert published == []


async def test_an_event_that_is_no_article_event_never_reaches_the_nlp(
    worker: tuple[RedisBroker, Published], nlp: RecordingEnrich
) -> None:
    broker, published = worker
    poison = {"specversion": "1.0", "type": "newsroom.article.received.v1", "id": "poison-1"}
    with pytest.raises(ValidationError):
        await broker.publish(poison, stream=articles_stream())
    assert nlp.seen == []
    assert published == []
