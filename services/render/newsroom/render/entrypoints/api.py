"""The JSON API: thin routes over the read use cases, with the JSON views of domain.json_views,
each document with ETag and Last-Modified."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from newsroom.render.adapters.metrics import PAGES_RENDERED
from newsroom.render.application.ports import BuiltPage, ById
from newsroom.render.domain.json_views import (
    article_json,
    article_list_json,
    entity_json,
    entity_list_json,
)
from newsroom.render.domain.pages import ARTICLES_API, ENTITIES_API
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import entity_api_path
from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.kept import Keep
from newsroom.render.entrypoints.lists import list_response
from newsroom.render.entrypoints.openapi import EntityDocument, ListDocument
from newsroom.render.entrypoints.paging import ArticlesPaging, EntitiesPaging, EntityPaging
from newsroom.render.entrypoints.site import SiteDependency

JSON = "application/json"

router = APIRouter(prefix="/api")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _article_json(state: ArticleState) -> bytes:
    return _json(article_json(state))


@router.get("/articles", response_class=ListDocument)
async def articles(request: Request, site: SiteDependency, paging: ArticlesPaging) -> Response:
    async def build() -> BuiltPage:
        shown = await site.pages.articles(paging.window)
        links = paging.links(ARTICLES_API, shown.content)
        return BuiltPage(_json(article_list_json(shown.content, links)), shown.modified, links)

    return await list_response(request, site, ARTICLES_API, JSON, build, keep=Keep())


@router.get("/articles/{article_id}")
async def article(article_id: str, request: Request, site: SiteDependency) -> Response:
    stored, body = await site.articles.document(ById(article_id), "api", _article_json)
    PAGES_RENDERED.labels("api-article", "200").inc()
    keep = Keep("api-article", shown_from=stored.visible_from)
    return cached_response(request, body, JSON, stored.modified, keep=keep)


@router.get("/entities", response_class=ListDocument)
async def entities(request: Request, site: SiteDependency, paging: EntitiesPaging) -> Response:
    async def build() -> BuiltPage:
        shown = await site.pages.entities(paging.window)
        links = paging.links(ENTITIES_API, shown.content)
        return BuiltPage(_json(entity_list_json(shown.content, links)), shown.modified, links)

    return await list_response(request, site, ENTITIES_API, JSON, build, keep=Keep())


@router.get("/entities/{entity_id:path}", response_class=EntityDocument)
async def entity(
    entity_id: str, request: Request, site: SiteDependency, paging: EntityPaging
) -> Response:
    path = entity_api_path(entity_id)

    async def build() -> BuiltPage:
        shown = await site.pages.entity_document(entity_id, paging.window)
        links = paging.links(path, shown.content.mentions)
        document = entity_json(entity_id, shown.content, links)
        return BuiltPage(_json(document), shown.modified, links)

    response = await list_response(request, site, path, JSON, build, keep=Keep("api-entity"))
    PAGES_RENDERED.labels("api-entity", "200").inc()
    return response
