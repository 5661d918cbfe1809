"""Render's OpenAPI document, complete: every status a route answers, the content types it
really sends, and problem+json for every error.

A route declares what it serves by its response class, and the rest follows here:

    @router.get("/articles/{slug}", response_class=StoryPage)

- the class's media type is the 200's (`HtmlPage` text/html, `AtomFeed`, `XmlDocument`,
  `TextDocument`, `JsonDocument`), with its JSON schema when it declares one (`schema`);
- a `Document` (and FastAPI's HTMLResponse: every page here is one) revalidates: ETag,
  Last-Modified and 304;
- its `problems` are documented with their status (410 article-withdrawn, …); a path with
  parameters may answer 404, every operation 405 (with `Allow`) and 500, one with parameters
  422; statuses a route lists in `responses` (503 of /readyz) are problems too;
- every error is application/problem+json, and also text/html on pages (a browser asking for
  a page gets an HTML page).

Every GET answers HEAD as well (entrypoints.middleware); HEAD is not listed as an operation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from starlette.responses import Response

from newsroom.render.domain.errors import (
    EntityNotFound,
    SitemapNotFound,
    StoryNotFound,
    StoryWithdrawn,
)
from newsroom.render.domain.keyset import InvalidCursor
from newsroom.render.entrypoints.problems import PROBLEM_DESCRIPTIONS
from newsroom.render.entrypoints.schemas import ArticleDocument
from newsroom.shared.problems import PROBLEM_CONTENT_TYPE, Problem
from newsroom.shared.problems.fastapi import COMMON_DESCRIPTIONS

# ---------------------------------------------------------------- what routes declare


class Document(Response):
    """A page or document built from the read model: ETag and Last-Modified, and 304 on a
    matching revalidation (entrypoints.caching)."""

    revalidated: ClassVar[bool] = True
    problems: ClassVar[tuple[type[Problem], ...]] = ()
    schema: ClassVar[type[BaseModel] | None] = None


class HtmlPage(Document):
    media_type = "text/html"


class AtomFeed(Document):
    media_type = "application/atom+xml"


class XmlDocument(Document):
    media_type = "application/xml"


class TextDocument(Document):
    media_type = "text/plain"


class JsonDocument(Document):
    media_type = "application/json"


class ArchiveFeed(AtomFeed):
    problems = (InvalidCursor,)


class SitemapFile(XmlDocument):
    problems = (SitemapNotFound,)


class StoryPage(HtmlPage):
    problems = (StoryNotFound, StoryWithdrawn)


class StoryDocument(JsonDocument):
    problems = (StoryNotFound, StoryWithdrawn)
    schema = ArticleDocument


class ListPage(HtmlPage):
    """A page of a list, cut by a cursor (entrypoints.paging)."""

    problems = (InvalidCursor,)


class ListDocument(JsonDocument):
    problems = (InvalidCursor,)


class EntityPage(HtmlPage):
    problems = (EntityNotFound, InvalidCursor)


class EntityDocument(JsonDocument):
    problems = (EntityNotFound, InvalidCursor)


# ---------------------------------------------------------------- the document, completed

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` is {PUBLIC_BASE_URL}/problems/{slug}, "
    "which describes the problem.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "pointer": {"type": "string", "description": "the parameter to look at"},
        "errors": {
            "type": "array",
            "description": "invalid-request: every invalid parameter",
            "items": {
                "type": "object",
                "properties": {"loc": {"type": "array"}, "msg": {"type": "string"}},
            },
        },
        "checks": {
            "type": "object",
            "description": "not-ready: each dependency and `ok` or why not",
            "additionalProperties": {"type": "string"},
        },
        "ednote": {"type": "string", "description": "article-withdrawn: the source's note"},
        "article_id": {"type": "string"},
    },
}
CACHE_HEADERS: dict[str, Any] = {
    "ETag": {"description": "weak validator of the content", "schema": {"type": "string"}},
    "Last-Modified": {"description": "when the content last changed", "schema": {"type": "string"}},
}
ALLOW_HEADER: dict[str, Any] = {
    "Allow": {"description": "the methods this URL accepts", "schema": {"type": "string"}},
}
DESCRIPTIONS = {**COMMON_DESCRIPTIONS, **PROBLEM_DESCRIPTIONS}
_GENERIC = {
    404: "not-found",
    405: "method-not-allowed",
    422: "invalid-request",
    500: "internal-error",
}
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")
SUMMARY = (
    "Pages, feeds and JSON projected from the event log. Every GET also answers HEAD. Pages and "
    "documents carry a weak ETag and Last-Modified and answer 304 to a matching If-None-Match "
    "(or, without one, If-Modified-Since). Errors are RFC 9457 application/problem+json; a "
    "browser asking for a page (Accept preferring text/html) gets an HTML page instead. "
    "Responses are gzip-compressed when the client accepts it."
)


def install(app: FastAPI) -> None:
    """`app.openapi()` answers the completed document (generated once per route set)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        before = app.openapi_schema
        document = generate()
        if document is not before:  # freshly generated (FastAPI caches it otherwise)
            complete(document, app)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], app: FastAPI) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # FastAPI's own 422 shapes: every error is a problem here.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    document["info"]["description"] = SUMMARY
    for path, methods, response_class in _operations(app):
        for method in methods:
            operation = document["paths"][path][method.lower()]
            operation["responses"] = _responses(
                operation.get("responses", {}), path, response_class, schemas
            )


def _operations(app: FastAPI) -> Iterator[tuple[str, list[str], type[Response]]]:
    """Each documented route: its path (as the document writes it), methods, response class."""
    for context in iter_route_contexts(app.routes):
        route: Any = context  # a route context answers for the route, its prefix included
        if isinstance(context.original_route, APIRoute) and route.include_in_schema:
            response_class = route.response_class
            if isinstance(response_class, DefaultPlaceholder):
                response_class = response_class.value
            yield route.path_format, sorted(route.methods or ()), response_class


def _responses(
    declared: dict[str, Any],
    path: str,
    response_class: type[Response],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    media_type = (response_class.media_type or "application/json").split(";")[0]
    page = media_type == "text/html"
    revalidated = page or getattr(response_class, "revalidated", False)
    responses: dict[str, Any] = {}

    ok = dict(declared.get("200", {"description": "OK"}))
    model: type[BaseModel] | None = getattr(response_class, "schema", None)
    if model is not None:
        schema: dict[str, Any] = _component(model, schemas)
    elif media_type != "application/json":
        schema = {"type": "string"}
    elif issubclass(response_class, Document):
        schema = {}  # a JSON document whose class declares no schema (yet)
    else:  # FastAPI's JSONResponse: the schema of the route's return type, if it has one
        generated: dict[str, Any] = next(iter(ok.get("content", {}).values()), {})
        schema = generated.get("schema", {})
    ok["content"] = {media_type: {"schema": schema}}
    if revalidated:
        ok["headers"] = CACHE_HEADERS
    responses["200"] = ok
    if revalidated:
        responses["304"] = {
            "description": "Not modified: the ETag matches If-None-Match (or the content has "
            "not changed since If-Modified-Since).",
            "headers": CACHE_HEADERS,
        }

    slugs: dict[int, list[str]] = {405: [_GENERIC[405]], 500: [_GENERIC[500]]}
    if _PATH_PARAMETER.search(path):
        slugs.setdefault(404, []).append(_GENERIC[404])
    if "422" in declared:
        slugs[422] = [_GENERIC[422]]
    for problem in getattr(response_class, "problems", ()):
        slugs.setdefault(problem.status, []).insert(0, problem.slug)
    for code in declared:
        if code.isdigit() and int(code) >= 400:
            slugs.setdefault(int(code), [])
    for status, names in sorted(slugs.items()):
        given = declared.get(str(status), {})
        responses[str(status)] = _problem_response(status, names, given, page)
    return responses


def _problem_response(
    status: int, slugs: list[str], declared: dict[str, Any], page: bool
) -> dict[str, Any]:
    described = [f"`{slug}`: {DESCRIPTIONS[slug]}" for slug in slugs if slug in DESCRIPTIONS]
    description = declared.get("description") if not described else " ".join(described)
    content: dict[str, Any] = {
        PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    if page:
        content["text/html"] = {"schema": {"type": "string"}}
    response: dict[str, Any] = {"description": description or "Error", "content": content}
    if status == 405:
        response["headers"] = ALLOW_HEADER
    return response


def _component(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """`model`'s JSON schema among the document's components; a reference to it."""
    schema = model.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}
