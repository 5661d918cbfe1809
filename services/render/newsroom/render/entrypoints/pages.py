"""The HTML pages, the feed and the sitemap: thin routes over the read use cases, rendered
with the templates (entrypoints.rendering), each with ETag and Last-Modified."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from newsroom.render.adapters.metrics import PAGES_RENDERED
from newsroom.render.application.ports import BySlug
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import article_page
from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.openapi import AtomFeed, XmlDocument
from newsroom.render.entrypoints.rendering import (
    article_context,
    dated_items,
    entity_context,
    feed_context,
    front_context,
    render,
    sitemap_context,
    timeline_context,
)
from newsroom.render.entrypoints.site import SiteDependency

HTML = "text/html; charset=utf-8"

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def front_page(request: Request, site: SiteDependency) -> Response:
    shown = await site.pages.front_page()
    body = render("front.html", front_context(shown.content, site.public_base_url))
    PAGES_RENDERED.labels("front", "200").inc()
    return cached_response(request, body.encode(), HTML, shown.modified)


@router.get("/articles/{slug}", response_class=HTMLResponse)
async def article(slug: str, request: Request, site: SiteDependency) -> Response:
    base = site.public_base_url

    def html(state: ArticleState) -> bytes | None:
        page = article_page(state, site.publisher)
        return (
            None if page is None else render("article.html", article_context(page, base)).encode()
        )

    stored, body = await site.articles.document(BySlug(slug), "page", html)
    PAGES_RENDERED.labels("article", "200").inc()
    return cached_response(request, body, HTML, stored.modified)


@router.get("/entities/{entity_id:path}", response_class=HTMLResponse)
async def entity(entity_id: str, request: Request, site: SiteDependency) -> Response:
    shown = await site.pages.entity_page(entity_id)
    page = shown.content
    body = render("entity.html", entity_context(page.entity, page.names, site.public_base_url))
    PAGES_RENDERED.labels("entity", "200").inc()
    return cached_response(request, body.encode(), HTML, shown.modified)


@router.get("/timeline", response_class=HTMLResponse)
async def timeline(request: Request, site: SiteDependency) -> Response:
    shown = await site.pages.timeline()
    items = dated_items(shown.content.entries, shown.content.names)
    body = render("timeline.html", timeline_context(items, site.public_base_url))
    PAGES_RENDERED.labels("timeline", "200").inc()
    return cached_response(request, body.encode(), HTML, shown.modified)


@router.get("/feed.atom", response_class=AtomFeed)
async def feed(request: Request, site: SiteDependency) -> Response:
    shown = await site.pages.feed()
    body = render("feed.atom.xml", feed_context(shown.content, site.public_base_url))
    PAGES_RENDERED.labels("feed", "200").inc()
    return cached_response(
        request, body.encode(), "application/atom+xml; charset=utf-8", shown.modified
    )


@router.get("/sitemap.xml", response_class=XmlDocument)
async def sitemap(request: Request, site: SiteDependency) -> Response:
    shown = await site.pages.sitemap()
    entries = shown.content
    body = render(
        "sitemap.xml", sitemap_context(entries.stories, entries.entity_ids, site.public_base_url)
    )
    PAGES_RENDERED.labels("sitemap", "200").inc()
    return cached_response(request, body.encode(), "application/xml; charset=utf-8", shown.modified)
