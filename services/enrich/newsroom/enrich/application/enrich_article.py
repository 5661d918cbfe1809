"""The use case: an article event in, at most one `ArticleEnriched` out.

Every version (received or updated) is enriched; a withdrawal needs no NLP and is not
republished (render reads withdrawals from the articles stream itself). The derived id comes
from the input event id, so a redelivery after a crash yields the same `ArticleEnriched` and
consumers drop the duplicate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult
from newsroom.shared.article import Article
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleEnrichedData,
    ArticleReceived,
    ArticleUpdated,
    ArticleWithdrawn,
)
from newsroom.shared.ids import derived_event_id

SOURCE = "urn:newsroom:enrich"

EnrichFn = Callable[[ArticleTexts], Awaitable[EnrichmentResult]]
# The model label of an article in a language no named-entity model reads.
NO_MODEL = "none"


def texts_of_article(article: Article, language: str | None = None) -> ArticleTexts:
    """What enrichment reads of a canonical article: its texts, dateline, the language it
    declares (or `language`, when one is asked for, as `newsroom enrich --language` does: it is
    then not checked against the text), its dateline's place and the things the wire names."""
    return ArticleTexts(
        headline=article.headline,
        standfirst=article.standfirst or "",
        body=article.body_text,
        dateline=article.reference_time.date(),
        language=language or article.language,
        language_requested=language is not None,
        place=article.place or article.dateline,
        wire_entities=tuple(article.entities),
    )


def article_texts(
    event: ArticleReceived | ArticleUpdated, language: str | None = None
) -> ArticleTexts:
    return texts_of_article(event.data.article, language)


def enriched_event(
    event: ArticleReceived | ArticleUpdated, result: EnrichmentResult, model: str
) -> ArticleEnriched:
    """`model` labels the default pipeline; an article read by another language's model (or by
    none) says so itself."""
    article = event.data.article
    reading = result.reading
    return ArticleEnriched.create(
        id=derived_event_id("enriched", event.id),
        source=SOURCE,
        subject=event.data.article_id,
        correlationid=event.correlationid,
        causationid=event.id,
        data=ArticleEnrichedData(
            article_id=event.data.article_id,
            version=article.version,
            versioncreated=article.versioncreated,
            model=(reading.model or model) if reading.ner else NO_MODEL,
            entities=result.entities,
            timeline=result.timeline,
            language=reading.language,
            language_source=reading.source,
            ner=reading.ner,
        ),
    )


async def enrich_article_event(
    event: ArticleReceived | ArticleUpdated | ArticleWithdrawn, enrich: EnrichFn, model: str
) -> ArticleEnriched | None:
    if isinstance(event, ArticleWithdrawn):
        return None
    result = await enrich(article_texts(event))
    return enriched_event(event, result, model)
