"""The JSON API: thin routes over the read use cases, with the JSON views of domain.json_views,
each document with ETag and Last-Modified."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from newsroom.render.adapters.metrics import PAGES_RENDERED
from newsroom.render.application.ports import ById
from newsroom.render.domain.json_views import (
    Links,
    article_json,
    article_list_json,
    entity_json,
    entity_list_json,
)
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import entity_api_path
from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.openapi import EntityDocument, ListDocument
from newsroom.render.entrypoints.paging import (
    ArticlesPaging,
    EntitiesPaging,
    EntityPaging,
    link_header,
)
from newsroom.render.entrypoints.site import Site, SiteDependency

JSON = "application/json"

router = APIRouter(prefix="/api")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _article_json(state: ArticleState) -> bytes:
    return _json(article_json(state))


def _listed(
    request: Request, site: Site, data: Any, links: Links, modified: datetime | None
) -> Response:
    response = cached_response(request, _json(data), JSON, modified)
    response.headers.update(link_header(links, site.public_base_url))
    return response


@router.get("/articles", response_class=ListDocument)
async def articles(request: Request, site: SiteDependency, paging: ArticlesPaging) -> Response:
    shown = await site.pages.articles(paging.window)
    links = paging.links("/api/articles", shown.content)
    return _listed(request, site, article_list_json(shown.content, links), links, shown.modified)


@router.get("/articles/{article_id}")
async def article(article_id: str, request: Request, site: SiteDependency) -> Response:
    stored, body = await site.articles.document(ById(article_id), "api", _article_json)
    PAGES_RENDERED.labels("api-article", "200").inc()
    return cached_response(request, body, JSON, stored.modified)


@router.get("/entities", response_class=ListDocument)
async def entities(request: Request, site: SiteDependency, paging: EntitiesPaging) -> Response:
    shown = await site.pages.entities(paging.window)
    links = paging.links("/api/entities", shown.content)
    return _listed(request, site, entity_list_json(shown.content, links), links, shown.modified)


@router.get("/entities/{entity_id:path}", response_class=EntityDocument)
async def entity(
    entity_id: str, request: Request, site: SiteDependency, paging: EntityPaging
) -> Response:
    shown = await site.pages.entity_document(entity_id, paging.window)
    PAGES_RENDERED.labels("api-entity", "200").inc()
    links = paging.links(entity_api_path(entity_id), shown.content.mentions)
    return _listed(
        request, site, entity_json(entity_id, shown.content, links), links, shown.modified
    )
