"""Kept pages answered ahead of the framework: a page or document served once is kept by its
URL, and the next GET or HEAD of that URL is answered from memory by a plain ASGI middleware,
without FastAPI's routing, dependencies or the database step.

Never stale: a kept page is tagged with the read model's version read before its request read
anything (adapters.read_model_version: SQLite's `PRAGMA data_version`, a few microseconds;
PostgreSQL's `pg_current_snapshot()`, one round trip shared by the requests waiting for it;
either moves with every commit of any connection, process or replica), and is answered only
while that version holds. The projector commits a change before its PageChanged goes out, so
once a PageChanged is published the version has moved and the next request goes down the full
path (whose caches are keyed by the rows' revisions) and keeps what it serves under the new
version. Without a version (an in-memory database, or the version unreadable for now) nothing
is kept or served kept: article pages are still answered here (stored, else built), everything
else takes the full path.

Profiling render under wrk showed a kept article page spending most of its time in the
framework's layers and in the hand-off of its revision lookup to the database thread; the
bytes themselves cost nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from newsroom.render.adapters.metrics import PAGES_RENDERED
from newsroom.render.adapters.page_cache import PageCache
from newsroom.render.entrypoints.middleware import accepts_gzip

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from newsroom.render.adapters.read_model_version import ReadModelVersion, Version
    from newsroom.render.entrypoints.caching import Representation, Wire

# Where the middleware leaves the version it read for the route to keep its page under.
VERSION_KEY = "newsroom.read_model_version"
KEPT_PAGES_KEY = "newsroom.kept_pages"
METHODS = ("GET", "HEAD")
# Probes and metrics must answer whatever the database does: they never wait for its version
# (on PostgreSQL a round trip, up to its timeout when the server stalls).
NEVER_KEPT = frozenset({"/healthz", "/readyz", "/metrics"})
ARTICLES = "/articles/"


@dataclass(frozen=True, slots=True)
class Keep:
    """How a route's page may be kept: the `page` label it counts under in
    newsroom_render_pages_rendered_total (None: not counted), the times outside which it
    must be built again whatever the database says (a story's embargo end; the day a feed's
    deleted entries age by), and the read model's version its rows were read at when the read
    told it (a stored article page), which it is kept under rather than the request's."""

    page: str | None = None
    shown_from: datetime | None = None
    shown_until: datetime | None = None
    read_at: Version | None = None


# A story's page by its slug; the flags: its stored page was just read and is not there, and
# the client takes gzip (a stored page is then read as its gzip form).
BuildArticle = Callable[[str, bool, bool], Awaitable[tuple["Representation", "Keep"]]]
StoredArticle = Callable[[str, bool], Awaitable[tuple["Representation", "Keep"] | None]]
# A request's If-None-Match, If-Modified-Since and Accept-Encoding: all its answer depends on.
Asked = tuple[str | None, str | None, str | None]
WIRE_FORMS_KEPT = 8  # answers kept a page, by what was asked (most clients ask alike)
# What kept pages may hold in all. The wire forms share the page's two bodies (identity and
# gzip), so a page weighs at most twice its body.
KEPT_BYTES = 256 * 1024 * 1024


@dataclass(slots=True)
class KeptPage:
    representation: Representation
    version: Version | None  # None: answered once, never kept
    shown_from: datetime | None
    shown_until: datetime | None
    counter: Any  # the prometheus child of its page label, or None
    # Answers as sent, by what was asked: a hit costs a dict lookup, not a response's making.
    wire: dict[Asked, Wire] = field(default_factory=dict)

    def answer(self, asked: Asked, minimum_compressed: int) -> Wire:
        wire = self.wire.get(asked)
        if wire is None:
            wire = self.representation.wire(*asked, minimum_compressed)
            if len(self.wire) < WIRE_FORMS_KEPT:
                self.wire[asked] = wire
        return wire


@cache
def _counter(page: str) -> Any:
    """The pages-rendered counter's child for `page` (`labels()` takes a lock and builds a key
    on every call: a few microseconds on each page kept)."""
    return PAGES_RENDERED.labels(page, "200")


def _weight(page: KeptPage) -> int:
    return 2 * page.representation.size


def target_of(scope: Scope) -> str:
    """The key of a request: its path and query, as the list cache keys them."""
    query: bytes = scope.get("query_string", b"")
    path: str = scope["path"]
    return f"{path}?{query.decode('latin-1')}" if query else path


class KeptPages:
    """The kept pages by URL (an LRU of `size`), and the read model's version they hold for."""

    def __init__(self, version: ReadModelVersion, clock: Callable[[], datetime], size: int) -> None:
        self.version = version
        self.clock = clock
        self._pages: PageCache[str, KeptPage] = PageCache(size, max_bytes=KEPT_BYTES, weigh=_weight)
        # The pages being built, by URL and version, each with what its waiters wait on.
        self._building: dict[tuple[str, Version], asyncio.Future[None]] = {}

    @property
    def enabled(self) -> bool:
        return self._pages.size > 0

    def holds(self, target: str) -> bool:
        """Whether a page is kept for `target`, under whatever version."""
        return target in self._pages

    def find(self, target: str, version: Version) -> KeptPage | None:
        kept = self._pages.get(target)
        if kept is None or kept.version != version:
            return None
        if kept.shown_from is not None or kept.shown_until is not None:
            now = self.clock()
            if (kept.shown_from is not None and now < kept.shown_from) or (
                kept.shown_until is not None and now >= kept.shown_until
            ):
                return None
        return kept

    def keep(
        self, target: str, version: Version | None, representation: Representation, how: Keep
    ) -> KeptPage:
        """Keep the page served at `target` while the read model is at `version` (read before
        the page's request read anything; None: not known, so not kept), or at the version its
        rows were read at when the read told it (`how.read_at`)."""
        if how.read_at is not None:
            version = how.read_at
        counter = _counter(how.page) if how.page is not None else None
        page = KeptPage(representation, version, how.shown_from, how.shown_until, counter)
        if version is not None:
            self._pages.put(target, page)
            if self._building:
                self.release_waiters(target, version)
        return page

    async def built_meanwhile(self, target: str, version: Version) -> KeptPage | None:
        """The page kept by a request already building `target` under `version`, once kept
        (None: no build in flight, or it ended without keeping one: an error, a page never
        kept)."""
        building = self._building.get((target, version))
        if building is None:
            return None
        await asyncio.wait([building])  # not `await building`: a waiter's cancel would cancel it
        return self.find(target, version)

    def building(self, target: str, version: Version | None) -> asyncio.Future[None] | None:
        """Register a build of `target` under `version`, unless one is in flight (None then):
        what its waiters wait on, done once they are released."""
        if version is None or (target, version) in self._building:
            return None
        self._building[target, version] = done = asyncio.get_running_loop().create_future()
        return done

    def release_waiters(self, target: str, version: Version) -> None:
        """Release the waiters of the build of `target` under `version` (kept, or ended)."""
        building = self._building.pop((target, version), None)
        if building is not None:
            building.set_result(None)


def keep_page(scope: Scope, representation: Representation, how: Keep) -> None:
    """Keep a page a route served (200) for the next requests of its URL, if the request came
    through ServeKeptPages (which left the version it read in the scope)."""
    kept: KeptPages | None = scope.get(KEPT_PAGES_KEY)
    version: Version | None = scope.get(VERSION_KEY)
    if kept is not None and version is not None:
        kept.keep(target_of(scope), version, representation, how)


def _asked(scope: Scope) -> Asked:
    """If-None-Match, If-Modified-Since and Accept-Encoding (the first of each, as Starlette's
    `request.headers.get` reads them)."""
    if_none_match = if_modified_since = accept_encoding = None
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            if if_none_match is None:
                if_none_match = value.decode("latin-1")
        elif name == b"if-modified-since":
            if if_modified_since is None:
                if_modified_since = value.decode("latin-1")
        elif name == b"accept-encoding" and accept_encoding is None:
            accept_encoding = value.decode("latin-1")
    return if_none_match, if_modified_since, accept_encoding


class ServeKeptPages:
    """Answers a GET or HEAD of a kept page from memory, exactly as the full path would (the
    same Representation.answer, with the Vary the gzip middleware adds to a body it could have
    compressed, and no body for HEAD); everything else goes on to the app, with the version
    read so that the route keeps what it serves. It wraps the whole app (RenderApp): a hit
    needs none of it."""

    def __init__(
        self,
        app: ASGIApp,
        kept: KeptPages,
        minimum_compressed: int,
        article: BuildArticle | None = None,
        stored_article: StoredArticle | None = None,
    ) -> None:
        """`article`: builds a story's page by its slug (the /articles/{slug} route's own
        work), for a page not in memory: answered here too, without the stack.
        `stored_article`: a story's page by its slug as stored, if it is (None: not stored)."""
        self.app = app
        self.kept = kept
        self.minimum_compressed = minimum_compressed
        self.article = article
        self.stored_article = stored_article

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in METHODS
            or not self.kept.enabled
            or scope["path"] in NEVER_KEPT
        ):
            await self.app(scope, receive, send)
            return
        asked = _asked(scope)
        kept = await self._kept_or_built(scope, receive, send, asked[2])
        if kept is None:  # the full path answered
            return
        status, headers, body = kept.answer(asked, self.minimum_compressed)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(
            {
                "type": "http.response.body",
                "body": b"" if scope["method"] == "HEAD" else body,
                "more_body": False,
            }
        )

    async def _kept_or_built(
        self, scope: Scope, receive: Receive, send: Send, accept_encoding: str | None
    ) -> KeptPage | None:
        """The page kept for this request, else built (None: the full path answered). Whether
        the client takes gzip is asked only when a stored page is read: not on a kept page's
        answer, whose forms are kept by what was asked."""
        target = target_of(scope)
        slug = _article_slug(scope["path"])
        not_stored = False
        if slug is not None and self.stored_article is not None and not self.kept.holds(target):
            # A story's page kept under no version: read as stored, it brings the version it
            # was read at, so the version is not read first (on PostgreSQL a round trip of its
            # own, and the stored pages' throughput under wrk went from 11,700 to 14,400/s).
            try:
                stored = await self.stored_article(slug, accepts_gzip(accept_encoding))
            except Exception:  # a failed read: the usual path reads it again
                stored = None
            else:
                not_stored = stored is None  # the usual path builds it, without a second read
            if stored is not None:
                representation, how = stored
                return self.kept.keep(target, None, representation, how)
        version = await self.kept.version()
        kept = self.kept.find(target, version) if version is not None else None
        if kept is None and version is not None:
            kept = await self.kept.built_meanwhile(target, version)
        if kept is not None:
            if kept.counter is not None:
                kept.counter.inc()
            return kept
        return await self._build(scope, receive, send, target, version, not_stored, accept_encoding)

    async def _build(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        target: str,
        version: Version | None,
        not_stored: bool = False,
        accept_encoding: str | None = None,
    ) -> KeptPage | None:
        """Build the page: an article here (returned), anything else by the full path, which
        answers and keeps it (None). Requests of the same URL arriving meanwhile under the same
        version wait for this one and answer what it kept (KeptPages.built_meanwhile), instead
        of each building it too: after a PageChanged, or on a page's first request, a burst of
        readers built the same page side by side, each with its own queries, and every request
        behind them waited (a p99 of 100-300 ms against 2 ms once kept, on PostgreSQL under
        wrk). They are released when the page is kept, before this request's client has read
        it: a slow client holds up no one else."""
        if (slug := _article_slug(scope["path"])) is not None and self.article is not None:
            # Read as stored, an article costs a lookup: no waiting on another request's.
            with_gzip = accepts_gzip(accept_encoding)
            kept = await self._build_article(slug, target, version, not_stored, with_gzip)
            if kept is not None:
                return kept
        leading = self.kept.building(target, version)
        try:
            if version is not None:
                scope[VERSION_KEY] = version
                scope[KEPT_PAGES_KEY] = self.kept
            await self.app(scope, receive, send)
            return None
        finally:
            if leading is not None and not leading.done():  # kept nothing: released here
                assert version is not None
                self.kept.release_waiters(target, version)

    async def _build_article(
        self, slug: str, target: str, version: Version | None, not_stored: bool, with_gzip: bool
    ) -> KeptPage | None:
        """The story's page built (and kept, if the version is known) here; None when the full
        path must answer: no
        page to show (its problem is answered there), or a failure (answered, and logged
        once, by the stack's error handling when the route meets it again)."""
        assert self.article is not None
        try:
            representation, how = await self.article(slug, not_stored, with_gzip)
        except Exception:
            return None
        return self.kept.keep(target, version, representation, how)


def _article_slug(path: str) -> str | None:
    """The slug of an article page's path (the route's `/articles/{slug}`), else None."""
    if not path.startswith(ARTICLES):
        return None
    slug = path[len(ARTICLES) :]
    return slug if slug and "/" not in slug else None


class RenderApp(FastAPI):
    """FastAPI with the kept pages answered before it: before its per-request checks (its
    telemetry's, about a tenth of a hit's time) and its whole middleware stack, error handling
    included (a hit runs no code that can fail but the send). Misses go on to FastAPI whole."""

    _front: ServeKeptPages | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._front is None:
            from newsroom.render.entrypoints.middleware import GZIP_MINIMUM_SIZE
            from newsroom.render.entrypoints.pages import (
                article_representation,
                stored_article_representation,
            )

            site = self.state.site
            self._front = ServeKeptPages(
                partial(FastAPI.__call__, self),
                kept=site.kept,
                minimum_compressed=GZIP_MINIMUM_SIZE,
                article=partial(article_representation, site),
                stored_article=partial(stored_article_representation, site),
            )
        await self._front(scope, receive, send)
