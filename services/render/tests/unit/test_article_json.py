"""The API's story document: what it hands on from the wire (bounded, only web addresses, the
body once), and that it is what the OpenAPI document says it is."""

from __future__ import annotations

import json
from typing import Any

from newsroom.render.domain.bounds import MAX_ITEMS, MAX_TEXT
from newsroom.render.domain.json_views import article_json
from newsroom.render.domain.projection import apply
from newsroom.render.entrypoints.schemas import ArticleDocument
from newsroom.shared.article import Picture


def document(seed: Any, *events: Any, **article_fields: Any) -> dict[str, Any]:
    article = seed.v1_article.model_copy(update=article_fields)
    received = seed.received(article)
    state = apply(None, received)
    for event in events:
        state = apply(state, event)
    return article_json(state)


def test_a_dangerous_picture_address_is_never_handed_on(seed):
    pictures = [
        Picture(href="javascript:alert(document.domain)", caption="x"),
        Picture(href="data:text/html;base64,PHNjcmlwdD4=", caption="y"),
        Picture(href="https://upload.example.org/iss.jpg", caption="z"),
    ]
    data = document(seed, pictures=pictures)
    assert [p["href"] for p in data["article"]["pictures"]] == [
        None,
        None,
        "https://upload.example.org/iss.jpg",
    ]
    assert "javascript:" not in json.dumps(data)


def test_oversized_wire_values_are_bounded(seed):
    data = document(
        seed,
        headline="Space " * 200_000,  # 1,200,000 characters
        keywords=[f"k{i}" for i in range(10_000)],
        byline="x" * 100_000,
    )
    assert len(data["headline"]) == MAX_TEXT
    assert data["headline"].endswith("…")
    assert len(data["article"]["headline"]) == MAX_TEXT
    assert len(data["article"]["byline"]) == MAX_TEXT
    assert len(data["article"]["keywords"]) == MAX_ITEMS
    assert len(json.dumps(data)) < 100_000


def test_the_body_is_in_the_document_once_as_html_and_once_as_text(seed):
    data = document(seed)
    body_text = seed.v1_article.body_text
    assert data["body_text"] == body_text
    assert "body_html" not in data["article"]
    assert "body_text" not in data["article"]
    opening = body_text[:200]
    assert opening in data["body"]
    assert json.dumps(data, ensure_ascii=False).count(opening) == 2


def test_the_document_is_what_the_openapi_schema_says(seed):
    v1, v2 = seed.v1(), seed.v2()
    enriched = seed.enriched(v2)
    enriched = enriched.model_copy(
        update={"data": enriched.data.model_copy(update={"language": "en", "ner": True})}
    )
    state = apply(apply(apply(None, v1), v2), enriched)
    for data in (article_json(state), document(seed), article_json(apply(state, seed.kill()))):
        # Strict: a member the schema does not declare fails, as does a wrong type.
        ArticleDocument.model_validate(data)
    assert article_json(state)["enrichment"] == {
        "version": enriched.data.version,
        "model": "test-model",
        "language": "en",
        "ner": True,
    }
