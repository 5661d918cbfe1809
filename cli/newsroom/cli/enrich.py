"""`newsroom enrich`: the enrichment editors and evaluators run without any service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from newsroom.enrich.application.enrich_article import texts_of_article
from newsroom.enrich.application.enrich_offline import enrich_text, enrich_texts
from newsroom.enrich.bootstrap import offline_enricher
from newsroom.ingest.domain.errors import UnsupportedFormat
from newsroom.ingest.domain.formats import parse_wire_items


def enrich_file(
    path: Path, dateline: date | None, language: str | None = None
) -> list[dict[str, Any]]:
    """A wire item in any accepted format (each article it carries), or plain text.

    A wire item is read as the worker reads it (`texts_of_article`: its language, dateline
    place and the things it names); `language` (`--language`) replaces the item's own and is
    not checked against the text; `dateline` replaces its reference date."""
    body = path.read_bytes()
    try:
        articles = parse_wire_items(body, None, source="cli")  # sniffed
    except UnsupportedFormat:
        if dateline is None:
            raise ValueError(f"{path} is plain text: give --dateline YYYY-MM-DD") from None
        text = body.decode("utf-8")
        return [
            {
                "dateline": dateline.isoformat(),
                **enrich_text(text, dateline, offline_enricher(), language),
            }
        ]
    results = []
    for article in articles:
        texts = texts_of_article(article, language)
        if dateline is not None:
            texts = replace(texts, dateline=dateline)
        results.append(
            {
                "uri": article.uri,
                "version": article.version,
                "headline": article.headline,
                "dateline": texts.dateline.isoformat(),
                **enrich_texts(texts, offline_enricher()),
            }
        )
    return results
