"""The use case: which events are enriched, and the shape of what is published."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from enrich_test_support import ENTITY, RecordingEnrich, make_received, make_withdrawn
from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.application.enrich_article import enrich_article_event
from newsroom.enrich.domain.enrichment import ArticleTexts
from newsroom.shared.events import ArticleUpdated, ArticleUpdatedData
from newsroom.shared.ids import derived_event_id
from newsroom.shared.streaming.dead_letters import PoisonEvent


async def test_a_received_article_is_enriched_with_a_derived_id() -> None:
    event = make_received(1, "Ada Lovelace returns", "Ada Lovelace wrote the first program.")
    enrich = RecordingEnrich()

    enriched = await enrich_article_event(event, enrich, "model-1")

    assert enriched is not None
    assert enriched.id == derived_event_id("enriched", event.id)
    assert (enriched.causationid, enriched.correlationid) == (event.id, event.correlationid)
    assert enriched.subject == event.data.article_id == enriched.data.article_id
    assert (enriched.data.version, enriched.data.model) == ("1", "model-1")
    assert enriched.data.entities == [ENTITY]
    [texts] = enrich.seen
    assert (texts.headline, texts.body, texts.dateline.isoformat()) == (
        "Ada Lovelace returns",
        "Ada Lovelace wrote the first program.",
        "2021-09-20",
    )


async def test_every_new_version_is_enriched_again() -> None:
    first = make_received(1, "Headline", "Body one.")
    article = first.data.article.model_copy(
        update={
            "version": "2",
            "versioncreated": datetime(2021, 9, 21, tzinfo=UTC),
            "body_text": "Body two.",
        }
    )
    update = ArticleUpdated.create(
        id="update-2",
        source="urn:newsroom:ingest",
        subject=first.subject,
        correlationid="delivery-2",
        data=ArticleUpdatedData(article_id=first.subject, slug=first.data.slug, article=article),
    )
    enriched = await enrich_article_event(update, RecordingEnrich(), "m")
    assert enriched is not None
    assert enriched.data.version == "2"
    assert (
        enriched.id
        == derived_event_id("enriched", "update-2")
        != derived_event_id("enriched", first.id)
    )


async def test_a_withdrawal_needs_no_nlp_and_publishes_nothing() -> None:
    kill = make_withdrawn(make_received(1, "Headline", "Body."), "3", "kill-3")
    enrich = RecordingEnrich()
    assert await enrich_article_event(kill, enrich, "m") is None
    assert enrich.seen == []


def test_a_text_longer_than_the_model_accepts_is_poison_with_a_reason(
    enricher: Enricher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enricher.nlp, "max_length", 100)
    article = ArticleTexts(
        headline="Short", standfirst="", body="word " * 40, dateline=date(2021, 9, 20)
    )
    with pytest.raises(PoisonEvent, match="more than the model's limit of 100"):
        enricher.enrich(article)
