"""Fixtures of the enrich unit tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
        return ArticleTexts(
            headline=article.headline,
            standfirst=article.standfirst or "",
            body=article.body_text,
            dateline=article.reference_time.date(),
            language=article.language,
            place=article.place or article.dateline,
            wire_entities=tuple(article.entities),
        )

    return texts
