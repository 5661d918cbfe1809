"""What enrich's use cases drive: the NLP over article texts (`adapters/nlp.py`'s `Enricher`;
the stream worker goes through `adapters/batching.py` so concurrent messages share one
`nlp.pipe` batch: `enrich_article.EnrichFn`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult


class TextEnricher(Protocol):
    """Entities and timeline of article texts, one at a time or as one batch."""

    @property
    def batch_size(self) -> int: ...

    def enrich(self, article: ArticleTexts) -> EnrichmentResult: ...

    def enrich_many(self, articles: Sequence[ArticleTexts]) -> list[EnrichmentResult]: ...
