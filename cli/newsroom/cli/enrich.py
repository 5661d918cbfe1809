"""`newsroom enrich`: the enrichment editors and evaluators run without any service."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from newsroom.enrich.application.enrich_offline import enrich_article, enrich_text
from newsroom.enrich.bootstrap import offline_enricher
from newsroom.ingest.domain.errors import UnsupportedFormat
from newsroom.ingest.domain.formats import parse_wire_items


def enrich_file(path: Path, dateline: date | None) -> list[dict[str, Any]]:
    """A wire item in any accepted format (each article it carries), or plain text."""
    body = path.read_bytes()
    try:
        articles = parse_wire_items(body, None, source="cli")  # sniffed
    except UnsupportedFormat:
        if dateline is None:
            raise ValueError(f"{path} is plain text: give --dateline YYYY-MM-DD") from None
        text = body.decode("utf-8")
        return [
            {"dateline": dateline.isoformat(), **enrich_text(text, dateline, offline_enricher())}
        ]
    results = []
    for article in articles:
        reference = dateline or article.reference_time.date()
        results.append(
            {
                "uri": article.uri,
                "version": article.version,
                "headline": article.headline,
                "dateline": reference.isoformat(),
                **enrich_article(
                    headline=article.headline,
                    standfirst=article.standfirst or "",
                    body=article.body_text,
                    dateline=reference,
                    enricher=offline_enricher(),
                ),
            }
        )
    return results
