"""The use case: which events are enriched, and the shape of what is published."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from enrich_test_support import ENTITY, RecordingEnrich, make_received, make_withdrawn
from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.application.enrich_article import EnrichFn, enrich_article_event
from newsroom.enrich.domain.enrichment import (
    FIELDS,
    MAX_MENTIONS_KEPT,
    MAX_TIMELINE_ENTRIES,
    ArticleTexts,
    EnrichmentResult,
)
from newsroom.shared.events import ArticleUpdated, ArticleUpdatedData
from newsroom.shared.ids import derived_event_id


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


def test_a_story_longer_than_the_model_accepts_is_enriched_in_pieces(
    enricher: Enricher, seed_texts: ArticleTexts, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 9: such a story used to be dead-lettered (spaCy's E088) and published bare.
    monkeypatch.setattr(enricher.nlp, "max_length", 2_000)
    copies = 6
    body = "\n\n".join([seed_texts.body] * copies)
    assert len(body) > 7 * enricher.nlp.max_length
    long_story = replace(seed_texts, body=body)

    result = enricher.enrich(long_story)

    entities = {e.id: e for e in result.entities}
    cruise = entities["person/tom-cruise"]
    once = {e.id: e for e in enricher.enrich(seed_texts).entities}["person/tom-cruise"]
    # Every copy is read (names past the model's limit too), counted in full, kept bounded.
    in_body = sum(m.field == "body" for m in once.mentions)
    assert cruise.mention_count == once.mention_count + (copies - 1) * in_body
    assert cruise.mention_count > MAX_MENTIONS_KEPT
    assert len(cruise.mentions) == MAX_MENTIONS_KEPT
    order = [(FIELDS.index(m.field), m.start) for m in cruise.mentions]
    assert order == sorted(order)  # the first ones: headline, standfirst, then the body's
    assert max(m.start for m in entities["person/jared-isaacman"].mentions) > 5 * len(
        seed_texts.body
    )
    for entity in result.entities:
        for mention in entity.mentions:
            assert body[mention.start : mention.end] == mention.text or mention.field != "body"
    dates = enricher.enrich(seed_texts).timeline
    dates_in_body = sum(t.field == "body" for t in dates)
    assert (
        len({(t.field, t.start, t.value) for t in result.timeline})
        == len(dates) + (copies - 1) * dates_in_body
    )


async def test_the_event_of_a_long_story_stays_bounded(
    enricher: Enricher, seed_texts: ArticleTexts
) -> None:
    body = "\n\n".join([seed_texts.body] * 30)
    event = make_received(1, seed_texts.headline, body)
    single = await enrich_article_event(
        make_received(2, seed_texts.headline, seed_texts.body), _enrich_with(enricher), "m"
    )
    enriched = await enrich_article_event(event, _enrich_with(enricher), "m")
    assert single is not None
    assert enriched is not None
    assert len(enriched.data.timeline) == MAX_TIMELINE_ENTRIES < 30 * len(single.data.timeline)
    assert all(len(e.mentions) <= MAX_MENTIONS_KEPT for e in enriched.data.entities)
    # Thirty times the text, not thirty times the event.
    assert len(enriched.model_dump_json()) < 8 * len(single.model_dump_json())


def _enrich_with(enricher: Enricher) -> EnrichFn:
    async def enrich(texts: ArticleTexts) -> EnrichmentResult:
        return enricher.enrich(texts)

    return enrich
