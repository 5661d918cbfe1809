"""The HTML pages, the feed and the sitemap: thin routes over the read use cases, rendered
with the templates (entrypoints.rendering), each with ETag and Last-Modified."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from newsroom.render.adapters.metrics import ARTICLE_PAGES, PAGES_RENDERED
from newsroom.render.application.ports import BuiltPage, BySlug
from newsroom.render.application.read_pages import NEWS_WINDOW
from newsroom.render.domain.body import entity_path
from newsroom.render.domain.keyset import MAX_CURSOR_LENGTH, decode_cursor
from newsroom.render.domain.pages import FEED, FRONT_PAGE, SITEMAP, TIMELINE
from newsroom.render.domain.periods import period_bounds
from newsroom.render.entrypoints.caching import Representation, answer, cached_response
from newsroom.render.entrypoints.kept import Keep
from newsroom.render.entrypoints.lists import list_response
from newsroom.render.entrypoints.middleware import accepts_gzip
from newsroom.render.entrypoints.openapi import (
    ArchiveFeed,
    AtomFeed,
    EntityPage,
    ListPage,
    SitemapFile,
    XmlDocument,
)
from newsroom.render.entrypoints.paging import (
    CURSOR,
    STORY_KEY,
    EntityPaging,
    FrontPaging,
    Paging,
    TimelinePaging,
)
from newsroom.render.entrypoints.rendering import (
    dated_items,
    entity_context,
    feed_context,
    front_context,
    render,
    sitemap_context,
    timeline_context,
    timeline_path,
)
from newsroom.render.entrypoints.site import Site, SiteDependency

HTML = "text/html; charset=utf-8"
# The counters' children for article pages, looked up once: `labels()` takes a lock and builds
# a key on every call, and an article page is the one page not kept in memory by its URL.
ARTICLES_RENDERED = PAGES_RENDERED.labels("article", "200")
ARTICLES_STORED = ARTICLE_PAGES.labels("stored")
ARTICLES_BUILT = ARTICLE_PAGES.labels("built")

router = APIRouter()


@router.get("/", response_class=ListPage)
async def front_page(request: Request, site: SiteDependency, paging: FrontPaging) -> Response:
    async def build() -> BuiltPage:
        shown = await site.pages.front_page(paging.window)
        links = paging.links("/", shown.content)
        context = front_context(shown.content.items, site.public_base_url, links)
        return BuiltPage(render("front.html", context).encode(), shown.modified, links)

    PAGES_RENDERED.labels("front", "200").inc()
    return await list_response(request, site, FRONT_PAGE, HTML, build, keep=Keep("front"))


async def stored_article_representation(
    site: Site, slug: str, with_gzip: bool = False
) -> tuple[Representation, Keep] | None:
    """The page of the story at `slug` as the projector stored it, if it may be shown now,
    and how it may be kept (under the version it was read at, when the read told it);
    `with_gzip`: for a client that takes gzip, the gzip form stored with it instead of its
    html (the html is then decompressed from it only if a client that does not take gzip asks
    for the page kept)."""
    stored = await site.articles.stored_page(slug, with_gzip)
    if stored is None:
        return None
    ARTICLES_RENDERED.inc()
    ARTICLES_STORED.inc()
    return (
        Representation(
            stored.html,
            HTML,
            stored.modified,
            etag=stored.etag,
            gzipped=stored.gzipped,
            size=stored.size,
        ),
        Keep("article", shown_from=stored.visible_from, read_at=stored.read_at),
    )


async def article_representation(
    site: Site, slug: str, not_stored: bool = False, with_gzip: bool = False
) -> tuple[Representation, Keep]:
    """The page of the story at `slug` (as the projector stored it, else from the document
    cache, else built), and how it may be kept; raises the domain's problem when there is none
    to show. The route's work, shared with the front (entrypoints.kept), which answers a page
    missing from memory with it (`not_stored`: it has just read the stored page, not there).
    `with_gzip`: the client takes gzip (a stored page is read as its gzip form)."""
    stored = None if not_stored else await stored_article_representation(site, slug, with_gzip)
    if stored is not None:
        return stored
    shown, body = await site.articles.document(BySlug(slug), "page", site.article_pages)
    ARTICLES_RENDERED.inc()  # counted once shown: a story with no page to show raised above
    ARTICLES_BUILT.inc()
    representation = Representation(body, HTML, shown.modified)
    return representation, Keep("article", shown_from=shown.visible_from)


@router.get("/articles/{slug}", response_class=HTMLResponse)
async def article(slug: str, request: Request, site: SiteDependency) -> Response:
    with_gzip = accepts_gzip(request.headers.get("accept-encoding"))
    representation, keep = await article_representation(site, slug, with_gzip=with_gzip)
    return answer(request, representation, keep)


@router.get("/entities/{entity_id:path}", response_class=EntityPage)
async def entity(
    entity_id: str, request: Request, site: SiteDependency, paging: EntityPaging
) -> Response:
    async def build() -> BuiltPage:
        shown = await site.pages.entity_page(entity_id, paging.window)
        page = shown.content
        links = paging.links(entity_path(entity_id), page.entity.mentions)
        context = entity_context(page.entity, page.names, site.public_base_url, links)
        return BuiltPage(render("entity.html", context).encode(), shown.modified, links)

    response = await list_response(
        request, site, entity_path(entity_id), HTML, build, keep=Keep("entity")
    )
    PAGES_RENDERED.labels("entity", "200").inc()
    return response


Year = Annotated[int, Path(ge=1, le=9998, description="a year")]
Month = Annotated[int, Path(ge=1, le=12, description="a month of that year")]
SitemapPart = Annotated[int, Path(ge=1, le=1_000_000, description="which file, from 1")]


async def _timeline(
    request: Request, site: Site, paging: Paging, year: int | None, month: int | None
) -> Response:
    async def build() -> BuiltPage:
        period = period_bounds(year, month) if year is not None else None
        shown = await site.pages.timeline(paging.window, period)
        links = paging.links(timeline_path(year, month), shown.content.entries)
        items = dated_items(shown.content.entries.items, shown.content.names)
        context = timeline_context(items, site.public_base_url, links, year, month)
        return BuiltPage(render("timeline.html", context).encode(), shown.modified, links)

    PAGES_RENDERED.labels("timeline", "200").inc()
    return await list_response(request, site, TIMELINE, HTML, build, keep=Keep("timeline"))


@router.get("/timeline", response_class=ListPage)
async def timeline(request: Request, site: SiteDependency, paging: TimelinePaging) -> Response:
    return await _timeline(request, site, paging, None, None)


@router.get("/timeline/{year}", response_class=ListPage)
async def timeline_year(
    year: Year, request: Request, site: SiteDependency, paging: TimelinePaging
) -> Response:
    return await _timeline(request, site, paging, year, None)


@router.get("/timeline/{year}/{month}", response_class=ListPage)
async def timeline_month(
    year: Year, month: Month, request: Request, site: SiteDependency, paging: TimelinePaging
) -> Response:
    return await _timeline(request, site, paging, year, month)


ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
ArchiveCursor = Annotated[
    str,
    Path(
        max_length=MAX_CURSOR_LENGTH,
        pattern=CURSOR,
        description="where the archive page starts (from a prev-archive link)",
    ),
]


@router.get("/feed.atom", response_class=AtomFeed)
async def feed(request: Request, site: SiteDependency) -> Response:
    """The latest stories, stories withdrawn lately as deleted entries (RFC 6721), and a
    link to the archive of older ones (RFC 5005)."""

    async def build() -> BuiltPage:
        shown = await site.pages.feed()
        context = feed_context(shown.content, site.public_base_url, None)
        return BuiltPage(render("feed.atom.xml", context).encode(), shown.modified, {})

    PAGES_RENDERED.labels("feed", "200").inc()
    # Deleted entries leave after 30 days, by the clock: a kept feed lasts a day at most.
    today = site.pages.clock().date()
    keep = Keep("feed", shown_until=datetime.combine(today + timedelta(days=1), time(), UTC))
    return await list_response(
        request, site, FEED, ATOM, build, keep=keep, variant=today.isoformat()
    )


@router.get("/feed/archive/{cursor}.atom", response_class=ArchiveFeed)
async def feed_archive(cursor: ArchiveCursor, request: Request, site: SiteDependency) -> Response:
    """An archive document (RFC 5005): the stories published before the cursor's."""
    before = decode_cursor(cursor, STORY_KEY)

    async def build() -> BuiltPage:
        shown = await site.pages.feed(before)
        context = feed_context(shown.content, site.public_base_url, cursor)
        return BuiltPage(render("feed.atom.xml", context).encode(), shown.modified, {})

    PAGES_RENDERED.labels("feed-archive", "200").inc()
    return await list_response(request, site, FEED, ATOM, build, keep=Keep("feed-archive"))


@router.get("/sitemap.xml", response_class=XmlDocument)
async def sitemap(request: Request, site: SiteDependency) -> Response:
    """The sitemap index (sitemaps.org 0.9)."""

    async def build() -> BuiltPage:
        shown = await site.pages.sitemap_index()
        context = {"base_url": site.public_base_url, "files": shown.content}
        return BuiltPage(render("sitemap_index.xml", context).encode(), shown.modified, {})

    PAGES_RENDERED.labels("sitemap", "200").inc()
    return await list_response(request, site, SITEMAP, XML, build, keep=Keep("sitemap"))


@router.get("/sitemaps/pages.xml", response_class=XmlDocument)
async def sitemap_pages(request: Request, site: SiteDependency) -> Response:
    body = render("sitemap.xml", sitemap_context([], [], site.public_base_url, ["/", "/timeline"]))
    return cached_response(request, body.encode(), XML, None, keep=Keep())


@router.get("/sitemaps/news.xml", response_class=XmlDocument)
async def sitemap_news(request: Request, site: SiteDependency) -> Response:
    """A Google News sitemap: the stories first published in the last 48 hours. Kept until
    the oldest of them leaves the window by the clock (or the read model changes)."""
    shown = await site.pages.news_sitemap()
    context = {"base_url": site.public_base_url, "stories": shown.content, "site": site}
    body = render("news_sitemap.xml", context)
    PAGES_RENDERED.labels("sitemap", "200").inc()
    oldest = min((story.firstcreated for story in shown.content), default=None)
    until = oldest + NEWS_WINDOW if oldest is not None else None
    return cached_response(
        request, body.encode(), XML, shown.modified, keep=Keep("sitemap", shown_until=until)
    )


@router.get("/sitemaps/stories/{year}/{month}/{part}.xml", response_class=SitemapFile)
async def sitemap_month(
    year: Year, month: Month, part: SitemapPart, request: Request, site: SiteDependency
) -> Response:
    """The stories first published in one month, `part` of as many as it takes."""

    async def build() -> BuiltPage:
        shown = await site.pages.month_sitemap(year, month, part)
        context = sitemap_context(shown.content, [], site.public_base_url)
        return BuiltPage(render("sitemap.xml", context).encode(), shown.modified, {})

    PAGES_RENDERED.labels("sitemap", "200").inc()
    return await list_response(request, site, SITEMAP, XML, build, keep=Keep("sitemap"))


@router.get("/sitemaps/entities/{part}.xml", response_class=SitemapFile)
async def sitemap_entities(part: SitemapPart, request: Request, site: SiteDependency) -> Response:
    async def build() -> BuiltPage:
        shown = await site.pages.entity_sitemap(part)
        context = sitemap_context([], shown.content, site.public_base_url)
        return BuiltPage(render("sitemap.xml", context).encode(), shown.modified, {})

    PAGES_RENDERED.labels("sitemap", "200").inc()
    return await list_response(request, site, SITEMAP, XML, build, keep=Keep("sitemap"))
