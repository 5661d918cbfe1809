"""Ingest's OpenAPI document, complete: the delivery's request body as ingest accepts it, every
status each route answers, the content types it really sends, and problem+json for every error.

The request body documents the ninjs (JSON) item a partner sends, narrowed to what ingest
publishes: every body this schema allows is accepted (202, or 200 for a duplicate). Ingest reads
more than the schema says (every ninjs generation, Superdesk's and AP's variants, NewsML-G2,
NITF, RSS and Atom as XML): the description lists those, whose schemas are their standards'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from newsroom.shared.problems.openapi import complete_problem_responses
from newsroom.shared.publishable import (
    MAX_BODY_TEXT_CHARS,
    MAX_HEADLINE_CHARS,
    MAX_SLUGLINE_CHARS,
    MAX_URI_CHARS,
    MAX_VERSION_CHARS,
)

# Some character a page can show: not whitespace, not one XML 1.0 forbids (those are dropped).
_VISIBLE = r"[^\s\x00-\x1f\ufffe\uffff]"


def _text(description: str, max_length: int) -> dict[str, Any]:
    return {
        "type": "string",
        "description": description,
        "maxLength": max_length,
        "pattern": _VISIBLE,
    }


# A timestamp ingest can store and every consumer can use: RFC 3339 with an offset, in years
# 1900-2999 (what a news item carries; the contract's own range is wider, see README).
_TIMESTAMP: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^(19|2[0-9])[0-9]{2}-",
}

NINJS_ITEM: dict[str, Any] = {
    "type": "object",
    "description": "A ninjs text item (1.x names; 2.x/3.x spellings are read as well).",
    "required": ["uri", "versioncreated", "headline", "body_text"],
    "properties": {
        "uri": _text("The item's identifier, stable across its versions.", MAX_URI_CHARS),
        "version": _text(
            "The version; without one, versioncreated stands in for it.", MAX_VERSION_CHARS
        ),
        "versioncreated": {**_TIMESTAMP, "description": "When this version was made."},
        "firstcreated": {**_TIMESTAMP, "description": "When the first version was made."},
        "headline": _text("The headline.", MAX_HEADLINE_CHARS),
        "slugline": _text("The desk's short name for the story.", MAX_SLUGLINE_CHARS),
        "body_text": _text("The story as plain text (or body_html as HTML).", MAX_BODY_TEXT_CHARS),
        "pubstatus": {"type": "string", "enum": ["usable", "canceled"]},
        "type": {"type": "string", "enum": ["text"]},
    },
}

ITEM_RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["article_id", "version", "event_id", "status", "links"],
    "properties": {
        "article_id": {"type": "string"},
        "version": {"type": "string"},
        "event_id": {"type": "string"},
        "status": {"type": "string", "enum": ["accepted", "duplicate"]},
        "links": {
            "type": "object",
            "properties": {"page": {"type": "string"}, "api": {"type": "string"}},
        },
        "items": {"type": "array", "items": {"type": "object"}},
    },
}

DELIVERY_REQUEST: dict[str, Any] = {
    "required": True,
    "description": "The wire item as the partner's system sends it, signed over these exact "
    "bytes. Besides the ninjs documented here, ingest reads NewsML-G2, NITF, RSS and Atom "
    "(application/xml, application/vnd.iptc.g2.newsitem+xml, application/atom+xml, "
    "application/rss+xml), every ninjs generation, and batches (a JSON array of items, "
    '`{"items": [...]}`).',
    "content": {"application/json": {"schema": NINJS_ITEM}},
}

SIGNATURE_HEADERS = "webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)"


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def install(app: FastAPI, descriptions: dict[str, str]) -> None:
    """`app.openapi()` answers the completed document."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document["components"] = document.get("components", {})
            document["components"].setdefault("schemas", {})["ItemResult"] = ITEM_RESULT
            complete_problem_responses(document, descriptions)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


ITEM_RESULT_REF = {"$ref": "#/components/schemas/ItemResult"}
DELIVERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _json("Every article in the body was recorded already (a duplicate).", ITEM_RESULT_REF),
    202: _json(
        "Recorded: it will be published; its events are in the articles stream.", ITEM_RESULT_REF
    ),
    400: {"description": "Malformed body, Content-Length or delivery id."},
    401: {"description": f"Unknown source, or {SIGNATURE_HEADERS} missing, wrong or stale."},
    413: {"description": "The body exceeds the configured maximum."},
    415: {"description": "The body is in no wire format ingest reads."},
    422: {"description": "No publishable article; `pointer` names the field."},
}
