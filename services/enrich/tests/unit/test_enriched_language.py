"""What the enriched event says about the language: render shows it, and says plainly when
no entity model read the story."""

from __future__ import annotations

from enrich_test_support import make_received
from newsroom.enrich.application.enrich_article import (
    NO_MODEL,
    article_texts,
    enrich_article_event,
)
from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult, Reading
from newsroom.shared.article import WireEntity
from newsroom.shared.events import ArticleReceived


def received_in(language: str | None) -> ArticleReceived:
    event = make_received(7, "Eintracht in London", "2019 gab es Tränen in der Kurve.")
    article = event.data.article.model_copy(
        update={
            "language": language,
            "place": "London",
            "entities": [WireEntity(name="Deutschland", type="place", ids=["iso3166-1a2:DE"])],
        }
    )
    return event.model_copy(update={"data": event.data.model_copy(update={"article": article})})


def answering(reading: Reading, seen: list[ArticleTexts]):  # type: ignore[no-untyped-def]
    async def enrich(texts: ArticleTexts) -> EnrichmentResult:
        seen.append(texts)
        return EnrichmentResult(entities=[], mentions=[], timexes=[], timeline=[], reading=reading)

    return enrich


async def test_a_language_without_a_model_says_so() -> None:
    seen: list[ArticleTexts] = []
    enriched = await enrich_article_event(
        received_in("de"), answering(Reading("de", "wire", ner=False), seen), "en-model"
    )
    assert enriched is not None
    assert (enriched.data.language, enriched.data.language_source) == ("de", "wire")
    assert (enriched.data.ner, enriched.data.model) == (False, NO_MODEL)
    [texts] = seen
    assert (texts.language, texts.language_requested, texts.place) == ("de", False, "London")
    assert [e.name for e in texts.wire_entities] == ["Deutschland"]


async def test_another_languages_model_is_named() -> None:
    reading = Reading("fr", "detected", ner=True, model="fr_core_news_sm-3.8.0")
    enriched = await enrich_article_event(received_in(None), answering(reading, []), "en-model")
    assert enriched is not None
    assert (enriched.data.language, enriched.data.ner) == ("fr", True)
    assert enriched.data.model == "fr_core_news_sm-3.8.0"


def test_a_requested_language_is_marked_as_such() -> None:
    texts = article_texts(received_in("de"), language="fr")
    assert (texts.language, texts.language_requested) == ("fr", True)
