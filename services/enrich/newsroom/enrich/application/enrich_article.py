"""The use case: an article event in, at most one `ArticleEnriched` out.

Every version (received or updated) is enriched; a withdrawal needs no NLP and is not
republished (render reads withdrawals from the articles stream itself). The derived id comes
from the input event id, so a redelivery after a crash yields the same `ArticleEnriched` and
consumers drop the duplicate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult
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


def article_texts(event: ArticleReceived | ArticleUpdated) -> ArticleTexts:
    article = event.data.article
    return ArticleTexts(
        headline=article.headline,
        standfirst=article.standfirst or "",
        body=article.body_text,
        dateline=article.reference_time.date(),
    )


def enriched_event(
    event: ArticleReceived | ArticleUpdated, result: EnrichmentResult, model: str
) -> ArticleEnriched:
    article = event.data.article
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
            model=model,
            entities=result.entities,
            timeline=result.timeline,
        ),
    )


async def enrich_article_event(
    event: ArticleReceived | ArticleUpdated | ArticleWithdrawn, enrich: EnrichFn, model: str
) -> ArticleEnriched | None:
    if isinstance(event, ArticleWithdrawn):
        return None
    result = await enrich(article_texts(event))
    return enriched_event(event, result, model)
