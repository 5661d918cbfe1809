"""The HTTP app: pages, feeds and JSON read from the projection, health and metrics."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from functools import partial
from typing import Any, Protocol

import structlog
from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Connection
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsroom.render.adapters.queries import (
    Listing,
    ReadModelQueries,
    StoredArticle,
    article_by_id,
    article_by_slug,
)
from newsroom.render.domain.body import entity_path
from newsroom.render.domain.projection import ArticleStatus
from newsroom.render.domain.views import article_json, article_page, entity_api_path
from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.problems import (
    PROBLEM_DESCRIPTIONS,
    Problem,
    prefers_html,
    problem_response,
    problem_type,
)
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
from newsroom.render.metrics import FAILURES, PAGES_RENDERED

log = structlog.get_logger(__name__)

FRONT_PAGE_SIZE = 50
FEED_SIZE = 50
SITEMAP_SIZE = 50_000
HTML = "text/html; charset=utf-8"


class Runtime(Protocol):
    """What the HTTP app needs from bootstrap."""

    queries: ReadModelQueries
    public_base_url: str

    def now(self) -> datetime: ...
    async def readiness(self) -> dict[str, str]: ...


def _is_page(path: str) -> bool:
    return not (
        path.startswith("/api/")
        or path.endswith((".xml", ".atom"))
        or path in {"/healthz", "/readyz", "/metrics"}
    )


def _error_page(problem: Problem, request: Request, base_url: str) -> Response:
    if _is_page(request.url.path) and prefers_html(request.headers.get("accept")):
        template = "gone.html" if problem.status == 410 else "error.html"
        body = render(
            template,
            {
                "base_url": "",
                "title": problem.title,
                "detail": problem.detail,
                "ednote": problem.extensions.get("ednote"),
            },
        )
        return HTMLResponse(body, status_code=problem.status)
    return problem_response(problem, base_url, instance=request.url.path)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _visible_article(stored: StoredArticle | None, now: datetime, what: str) -> StoredArticle:
    if stored is not None and stored.status == ArticleStatus.WITHDRAWN:
        withdrawal = stored.state.withdrawal
        raise Problem(
            410,
            "article-withdrawn",
            "Story withdrawn",
            "The source withdrew this story; it must not be shown.",
            article_id=stored.article_id,
            ednote=withdrawal.ednote if withdrawal else None,
        )
    if stored is None or not stored.is_visible(now):
        # Embargoed, held or not yet received: indistinguishable from absent on purpose.
        raise Problem(404, "article-not-found", "No such story", f"No published story {what}.")
    return stored


class PageCache:
    """Rendered article documents by (article id, kind, row revision): the revision changes
    on every save, so an entry is never stale; the LRU bound keeps memory flat. Used from
    the database worker threads, hence the lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, int]) -> bytes | None:
        with self._lock:
            body: bytes | None = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: tuple[str, str, int], body: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def create_app(
    runtime: Runtime,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    *,
    page_cache_size: int = 1024,
) -> FastAPI:
    app = FastAPI(
        title="Newsroom render",
        version="1.0.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    queries = runtime.queries
    base = runtime.public_base_url.rstrip("/")
    cache = PageCache(page_cache_size)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> Response:
        PAGES_RENDERED.labels(request.url.path.split("/")[1] or "front", str(problem.status)).inc()
        return _error_page(problem, request, base)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        names = {404: "not-found", 405: "method-not-allowed"}
        problem = Problem(
            exc.status_code,
            names.get(exc.status_code, f"http-{exc.status_code}"),
            str(exc.detail) if exc.detail else "Error",
        )
        if exc.status_code == 404:
            problem.title, problem.detail = "Not found", f"Nothing at {request.url.path}."
        return _error_page(problem, request, base)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        problem = Problem(
            422,
            "invalid-request",
            "Invalid request",
            "The request's parameters are invalid.",
            errors=errors,
        )
        return _error_page(problem, request, base)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        FAILURES.labels("http").inc()
        log.exception("http_request_failed", path=request.url.path)
        return _error_page(
            Problem(500, "internal-error", "Internal error", "The page could not be produced."),
            request,
            base,
        )

    # ------------------------------------------------------------------ operations

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> Response:
        checks = await runtime.readiness()
        if all(value == "ok" for value in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        raise Problem(503, "not-ready", "Not ready", "A dependency is unreachable.", checks=checks)

    @app.get("/problems/{name}")
    async def describe_problem(name: str) -> dict[str, str]:
        """What a problem `type` URI means."""
        description = PROBLEM_DESCRIPTIONS.get(name)
        if description is None:
            raise Problem(404, "not-found", "Not found", f"No problem type {name!r}.")
        return {"type": problem_type(base, name), "description": description}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # ------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse)
    async def front_page(request: Request) -> Response:
        stories = await queries.latest(runtime.now(), limit=FRONT_PAGE_SIZE)
        body = render("front.html", front_context(stories, base))
        PAGES_RENDERED.labels("front", "200").inc()
        return cached_response(request, body.encode(), HTML, await _page_modified("/", stories))

    async def _page_modified(path: str, listed: Iterable[Listing]) -> datetime | None:
        """A list page's Last-Modified: when the projector last changed it (page_versions),
        so it never goes back in time when a story leaves the page; the newest story it lists
        when later (an embargo lifting by the clock, a model replayed without page
        versions)."""
        times = [s.modified for s in listed]
        if (recorded := await queries.page_modified(path)) is not None:
            times.append(recorded)
        return max(times, default=None)

    async def _article_document(
        lookup: Callable[[Connection], StoredArticle | None],
        what: str,
        kind: str,
        build: Callable[[StoredArticle], bytes | None],
    ) -> tuple[StoredArticle, bytes]:
        """The visible story's document: looked up, built (or taken from the page cache) in
        one runner step, so a page costs one hand-off to the database thread, not one per
        statement and none more for the rendering."""
        now = runtime.now()

        def step(connection: Connection) -> tuple[StoredArticle, bytes]:
            stored = _visible_article(lookup(connection), now, what)
            key = (stored.article_id, kind, stored.revision)
            body = cache.get(key)
            if body is None:
                body = build(stored)
                if body is None:
                    raise Problem(404, "article-not-found", "No such story", f"No story {what}.")
                cache.put(key, body)
            return stored, body

        return await queries.runner.read_rows(step)

    def _article_html(stored: StoredArticle) -> bytes | None:
        page = article_page(stored.state)
        return (
            None if page is None else render("article.html", article_context(page, base)).encode()
        )

    @app.get("/articles/{slug}", response_class=HTMLResponse)
    async def article(slug: str, request: Request) -> Response:
        stored, body = await _article_document(
            partial(article_by_slug, slug=slug), f"at /articles/{slug}", "page", _article_html
        )
        PAGES_RENDERED.labels("article", "200").inc()
        return cached_response(request, body, HTML, stored.modified)

    @app.get("/entities/{entity_id:path}", response_class=HTMLResponse)
    async def entity(entity_id: str, request: Request) -> Response:
        data = await queries.entity(entity_id, runtime.now())
        if data is None:
            raise Problem(
                404, "entity-not-found", "No such entity", f"No published story names {entity_id}."
            )
        names = await _names(data.timeline)
        body = render("entity.html", entity_context(data, names, base))
        PAGES_RENDERED.labels("entity", "200").inc()
        return cached_response(
            request,
            body.encode(),
            HTML,
            await _page_modified(entity_path(entity_id), (m.listing for m in data.mentions)),
        )

    @app.get("/timeline", response_class=HTMLResponse)
    async def timeline(request: Request) -> Response:
        entries = await queries.timeline(runtime.now())
        names = await _names(entries)
        body = render("timeline.html", timeline_context(dated_items(entries, names), base))
        PAGES_RENDERED.labels("timeline", "200").inc()
        return cached_response(
            request,
            body.encode(),
            HTML,
            await _page_modified("/timeline", (e.listing for e in entries)),
        )

    @app.get("/feed.atom")
    async def feed(request: Request) -> Response:
        stories = await queries.latest(runtime.now(), limit=FEED_SIZE)
        body = render("feed.atom.xml", feed_context(stories, base))
        PAGES_RENDERED.labels("feed", "200").inc()
        return cached_response(
            request,
            body.encode(),
            "application/atom+xml; charset=utf-8",
            await _page_modified("/feed.atom", stories),
        )

    @app.get("/sitemap.xml")
    async def sitemap(request: Request) -> Response:
        now = runtime.now()
        stories, entities = await queries.sitemap_entries(now, limit=SITEMAP_SIZE)
        body = render("sitemap.xml", sitemap_context(stories, entities, base))
        PAGES_RENDERED.labels("sitemap", "200").inc()
        return cached_response(
            request,
            body.encode(),
            "application/xml; charset=utf-8",
            await _page_modified("/sitemap.xml", stories),
        )

    # ------------------------------------------------------------------ JSON

    @app.get("/api/articles")
    async def api_articles(
        request: Request, page: int = Query(1, ge=1), per_page: int = Query(20, ge=1, le=100)
    ) -> Response:
        now = runtime.now()
        stories, total = await queries.listing_page(
            now, limit=per_page, offset=(page - 1) * per_page
        )
        data = {
            "page": page,
            "per_page": per_page,
            "total": total,
            "items": [
                {
                    "article_id": s.article_id,
                    "slug": s.slug,
                    "headline": s.headline,
                    "standfirst": s.standfirst,
                    "urgency": s.urgency,
                    "version": s.version,
                    "versioncreated": s.versioncreated.isoformat(),
                    "links": {
                        "page": f"/articles/{s.slug}",
                        "api": f"/api/articles/{s.article_id}",
                    },
                }
                for s in stories
            ],
            "links": _pages_links("/api/articles", page, per_page, total),
        }
        return cached_response(
            request,
            _json(data),
            "application/json",
            await _page_modified("/api/articles", stories),
        )

    @app.get("/api/articles/{article_id}")
    async def api_article(article_id: str, request: Request) -> Response:
        stored, body = await _article_document(
            partial(article_by_id, article_id=article_id),
            f"with id {article_id}",
            "api",
            lambda stored: _json(article_json(stored.state)),
        )
        PAGES_RENDERED.labels("api-article", "200").inc()
        return cached_response(request, body, "application/json", stored.modified)

    @app.get("/api/entities")
    async def api_entities(
        request: Request, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=500)
    ) -> Response:
        rows = await queries.visible_entities(runtime.now())
        chosen = rows[(page - 1) * per_page : page * per_page]
        data = {
            "page": page,
            "per_page": per_page,
            "total": len(rows),
            "items": [
                {
                    "id": r[0],
                    "name": r[1],
                    "type": r[2],
                    "articles": r[3],
                    "links": {"page": entity_path(r[0]), "api": entity_api_path(r[0])},
                }
                for r in chosen
            ],
            "links": _pages_links("/api/entities", page, per_page, len(rows)),
        }
        return cached_response(
            request, _json(data), "application/json", await _page_modified("/api/entities", ())
        )

    @app.get("/api/entities/{entity_id:path}")
    async def api_entity(entity_id: str, request: Request) -> Response:
        data = await queries.entity(entity_id, runtime.now())
        if data is None:
            raise Problem(
                404, "entity-not-found", "No such entity", f"No published story names {entity_id}."
            )
        body = {
            "id": data.entity_id,
            "name": data.name,
            "type": data.type,
            "articles": [
                {
                    "article_id": m.listing.article_id,
                    "slug": m.listing.slug,
                    "headline": m.listing.headline,
                    "versioncreated": m.listing.versioncreated.isoformat(),
                    "sentence": m.sentence,
                    "mention_count": m.mention_count,
                }
                for m in data.mentions
            ],
            "related": [
                {"id": r.entity_id, "name": r.name, "type": r.type, "articles": r.articles}
                for r in data.related
            ],
            "timeline": [
                {
                    "value": e.value,
                    "granularity": e.granularity,
                    "text": e.text,
                    "sentence": e.sentence,
                    "article_id": e.listing.article_id,
                    "entity_ids": e.entity_ids,
                }
                for e in data.timeline
            ],
            "links": {"page": entity_path(entity_id)},
        }
        PAGES_RENDERED.labels("api-entity", "200").inc()
        return cached_response(
            request,
            _json(body),
            "application/json",
            await _page_modified(entity_api_path(entity_id), (m.listing for m in data.mentions)),
        )

    async def _names(entries: Any) -> dict[str, tuple[str, str]]:
        wanted = {i for entry in entries for i in entry.entity_ids}
        names = await queries.entity_names(wanted)
        return {i: (name, i.split("/", 1)[0]) for i, name in names.items()}

    return app


def _pages_links(path: str, page: int, per_page: int, total: int) -> dict[str, str | None]:
    last = max(1, -(-total // per_page))
    return {
        "self": f"{path}?page={page}&per_page={per_page}",
        "next": f"{path}?page={page + 1}&per_page={per_page}" if page < last else None,
        "prev": f"{path}?page={page - 1}&per_page={per_page}" if page > 1 else None,
    }
