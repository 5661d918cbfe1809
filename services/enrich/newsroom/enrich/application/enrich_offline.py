"""The offline use case: enrichment without Redis, for `newsroom enrich` and
`newsroom-enrich extract`, as JSON.

    from newsroom.enrich.bootstrap import offline_enricher
    from newsroom.enrich.application.enrich_offline import enrich_article
    result = enrich_article(headline=..., body=..., dateline=date(2021, 9, 20),
                            enricher=offline_enricher())

A `language` given here is read as asked (`newsroom enrich --language`), never checked against
the text; without one, the item's own language (checked), else the identified one. The JSON
says which: `language`, `language_source` (requested, wire, detected, default) and `ner` (False:
no named-entity model reads that language, so only the wire's named things are entities)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TextIO

from newsroom.enrich.application.ports import TextEnricher
from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult


def result_json(result: EnrichmentResult, *, with_fields: bool = True) -> dict[str, Any]:
    """The JSON shape of an enrichment: how it was read (language, whether a named-entity
    model read it), flat mentions, timexes, timeline, canonical entities."""
    types = {e.id: e.type for e in result.entities}
    reading = result.reading

    def located(item: dict[str, Any], field: str) -> dict[str, Any]:
        return {"field": field, **item} if with_fields else item

    return {
        "language": reading.language,
        "language_source": reading.source,
        "ner": reading.ner,
        "entities": [
            located(
                {
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "type": types[entity_id],
                    "entity_id": entity_id,
                },
                m.field,
            )
            for entity_id, m in result.mentions
        ],
        "timexes": [
            located(
                {
                    "start": t.timex.start,
                    "end": t.timex.end,
                    "text": t.timex.text,
                    "type": t.timex.type,
                    "value": t.timex.value,
                    **({"mod": t.timex.mod} if t.timex.mod else {}),
                },
                t.field,
            )
            for t in result.timexes
        ],
        "timeline": [entry.model_dump(mode="json") for entry in result.timeline],
        "canonical_entities": [entity.model_dump(mode="json") for entity in result.entities],
    }


def enrich_article(
    *,
    headline: str,
    standfirst: str = "",
    body: str,
    dateline: date,
    enricher: TextEnricher,
    language: str | None = None,
) -> dict[str, Any]:
    """Enrichment of one article's texts as JSON; offsets index each field's text."""
    texts = ArticleTexts(
        headline=headline,
        standfirst=standfirst or "",
        body=body,
        dateline=dateline,
        language=language,
        language_requested=language is not None,
    )
    return result_json(enricher.enrich(texts))


def enrich_texts(texts: ArticleTexts, enricher: TextEnricher) -> dict[str, Any]:
    """Enrichment of what enrich reads of a parsed wire item (`texts_of_article`: its
    language, dateline place and named things included) as JSON."""
    return result_json(enricher.enrich(texts))


def enrich_text(
    text: str, dateline: date, enricher: TextEnricher, language: str | None = None
) -> dict[str, Any]:
    """Enrichment of one plain text; offsets index `text` itself."""
    texts = ArticleTexts(
        headline="",
        standfirst="",
        body=text,
        dateline=dateline,
        language=language,
        language_requested=language is not None,
    )
    return result_json(enricher.enrich(texts), with_fields=False)


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for line in lines:
        if line.strip():
            chunk.append(json.loads(line))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def enrich_jsonl(
    lines: Iterable[str], out: TextIO, enricher: TextEnricher, language: str | None = None
) -> int:
    """Reads `{"id", "text", "dateline"}` lines (an optional `"language"` is the document's
    own, checked against its text; `language` here is asked for every line), writes one result
    line per document, in order. Documents go through `nlp.pipe` in chunks; returns the number
    written."""
    written = 0
    for chunk in _chunks(lines, size=max(enricher.batch_size * 4, 64)):
        articles = [
            ArticleTexts(
                headline="",
                standfirst="",
                body=doc["text"],
                dateline=date.fromisoformat(doc["dateline"][:10]),
                language=language or doc.get("language"),
                language_requested=language is not None,
            )
            for doc in chunk
        ]
        for doc, result in zip(chunk, enricher.enrich_many(articles), strict=True):
            out.write(json.dumps({"id": doc["id"], **result_json(result, with_fields=False)}))
            out.write("\n")
            written += 1
        out.flush()
    return written
