"""The JSON API: thin routes over the read use cases, with the JSON views of domain.json_views,
each document with ETag and Last-Modified."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from newsroom.render.adapters.metrics import PAGES_RENDERED
from newsroom.render.application.ports import ById
from newsroom.render.domain.json_views import (
    article_json,
    article_list_json,
    entity_json,
    entity_list_json,
)
from newsroom.render.domain.projection import ArticleState
from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.site import SiteDependency

JSON = "application/json"

router = APIRouter(prefix="/api")

# Beyond it an offset overflows SQLite's 64-bit integers (500); no archive has that many pages.
MAX_PAGE = 1_000_000


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _article_json(state: ArticleState) -> bytes:
    return _json(article_json(state))


@router.get("/articles")
async def articles(
    request: Request,
    site: SiteDependency,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=100),
) -> Response:
    shown = await site.pages.articles(page, per_page)
    return cached_response(request, _json(article_list_json(shown.content)), JSON, shown.modified)


@router.get("/articles/{article_id}")
async def article(article_id: str, request: Request, site: SiteDependency) -> Response:
    stored, body = await site.articles.document(ById(article_id), "api", _article_json)
    PAGES_RENDERED.labels("api-article", "200").inc()
    return cached_response(request, body, JSON, stored.modified)


@router.get("/entities")
async def entities(
    request: Request,
    site: SiteDependency,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(50, ge=1, le=500),
) -> Response:
    shown = await site.pages.entities(page, per_page)
    return cached_response(request, _json(entity_list_json(shown.content)), JSON, shown.modified)


@router.get("/entities/{entity_id:path}")
async def entity(entity_id: str, request: Request, site: SiteDependency) -> Response:
    shown = await site.pages.entity_document(entity_id)
    PAGES_RENDERED.labels("api-entity", "200").inc()
    return cached_response(
        request, _json(entity_json(entity_id, shown.content)), JSON, shown.modified
    )
