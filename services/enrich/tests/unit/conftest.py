"""Fixtures of the enrich unit tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newsroom.enrich.application.enrich_article import texts_of_article
from newsroom.enrich.domain.enrichment import ArticleTexts
from newsroom.ingest.domain.formats import parse_wire_items

CorpusTexts = Callable[..., ArticleTexts]


@pytest.fixture
def corpus_texts(corpus_dir: Path) -> CorpusTexts:
    """What enrich reads of a corpus item, as the worker builds it from ingest's article."""

    def texts(name: str, timezone: str = "UTC") -> ArticleTexts:
        article = parse_wire_items(
            (corpus_dir / name).read_bytes(), None, source="t", default_timezone=timezone
        )[0]
        return texts_of_article(article)

    return texts
