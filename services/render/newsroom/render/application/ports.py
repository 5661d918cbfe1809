"""What render's use cases drive: the read model (written in units of work, read in snapshot
steps), the page outbox, the event log and the page cache. The adapters implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from newsroom.render.domain.keyset import KeysetPage, Window
from newsroom.render.domain.projection import ArticleState, RenderEvent
from newsroom.render.domain.read_model import (
    DatedEntry,
    EntityData,
    EntitySummary,
    Listing,
    SitemapMonth,
    StoredArticle,
    StoredPage,
    Withdrawn,
)
from newsroom.shared.events import PageChanged

T = TypeVar("T")

Clock = Callable[[], datetime]
PublishPages = Callable[[Sequence[PageChanged]], Awaitable[None]]  # in order


# ---------------------------------------------------------------- the write side


class ArticlePages(Protocol):
    """Renders a story's page as readers get it (entrypoints.article_html)."""

    @property
    def build(self) -> str:
        """Names what pages depend on besides the story (code, templates, settings): a stored
        page is served only by a process of the same build."""
        ...

    def __call__(self, state: ArticleState) -> bytes | None:
        """The story's page (None: it has none to show)."""
        ...

    def stored_form(self, html: bytes) -> RenderedPage:
        """The page as stored, with its entity tag and its gzip form as served: serving it
        then hashes and compresses nothing (a browser's read of a page not in memory was
        compressed on each read, and compressing a 10 KB page cost more than the rest of
        its request)."""
        ...


@dataclass(frozen=True)
class RenderedPage:
    html: bytes
    etag: str
    gzipped: bytes  # the gzip form clients that take it are sent


@dataclass(frozen=True)
class RenderedPages:
    """Pages rendered in a unit of work, by article id, and the build they were rendered by."""

    build: str
    pages: dict[str, RenderedPage]


@dataclass(frozen=True)
class PageSource:
    """A story as the page builder renders it: its state at `revision` (its page is stored
    only if the story is still at that revision when the page is written)."""

    article_id: str
    revision: int
    state: ArticleState


class PageBuildStore(Protocol):
    """The stories whose stored page is missing or of another build, and where the page
    builder stores the pages it renders (application.build_pages)."""

    async def waiting(self, build: str, after: str | None, limit: int) -> list[str]:
        """Up to `limit` ids, after `after` in id order, of listed stories without a page
        stored by `build`."""
        ...

    async def count_waiting(self, build: str) -> int:
        """How many listed stories have no page stored by `build` (a scan: for commands,
        never for requests)."""
        ...

    async def sources(self, article_ids: Sequence[str]) -> list[PageSource]:
        """These stories, as they are now (those no longer listed left out)."""
        ...

    async def store(self, build: str, pages: Sequence[tuple[PageSource, RenderedPage]]) -> int:
        """Store each page, unless its story changed since its source was read (the projector
        then stored or removed the page itself); how many were stored."""
        ...


class Lease(Protocol):
    """Held by at most one process of a deployment at a time (adapters.redis_lease)."""

    def held(self) -> AbstractAsyncContextManager[bool]:
        """Enters holding the lease (True) or not, another process holding it (False)."""
        ...


class ArticleStore(Protocol):
    """The articles of one unit of work (synchronous: it runs inside one transaction)."""

    def applied(self, event_ids: Sequence[str]) -> set[str]:
        """Which of these events were applied before (the inbox)."""
        ...

    def load(self, article_ids: Iterable[str]) -> dict[str, ArticleState]: ...

    def record_applied(self, event_id: str, article_id: str, event_type: str) -> None: ...

    def save(
        self,
        states: Iterable[ArticleState],
        now_visible: dict[str, bool],
        pages: RenderedPages | None = None,
    ) -> None:
        """Write each state; `now_visible` says per article whether it is visible at save time
        (an embargo already past needs no announcement). Each story's stored page is replaced
        by its page in `pages`, or removed (None, or none for it)."""
        ...

    def touch_pages(self, paths: Iterable[str], now: datetime) -> None:
        """Record that these pages changed at `now` (their Last-Modified)."""
        ...

    def lifted_embargoes(self, now: datetime) -> list[ArticleState]:
        """Listed stories whose embargo time has passed by `now`, not yet announced."""
        ...

    def mark_embargo_announced(self, article_ids: Iterable[str]) -> None: ...


class PageOutboxWriter(Protocol):
    def enqueue(self, events: Sequence[PageChanged]) -> None:
        """Queue PageChanged in the unit of work's transaction: sent once it commits."""
        ...


class ProjectionTransaction(Protocol):
    """What a unit of work's function gets: the read model's stores in one transaction."""

    @property
    def articles(self) -> ArticleStore: ...

    @property
    def page_outbox(self) -> PageOutboxWriter: ...


class UnitOfWork(Protocol):
    """Transactions on the read model, with one writer per process."""

    @property
    def conflicts(self) -> tuple[type[Exception], ...]:
        """What a write raises when a concurrent writer (another replica) got there first: the
        work is then repeatable and will find what that writer did."""
        ...

    def writing(self) -> AbstractAsyncContextManager[None]:
        """Hold this process's one write slot (for writes, and for what must not interleave
        with them)."""
        ...

    async def write(self, work: Callable[[ProjectionTransaction], T]) -> T:
        """`work` in one transaction, committed when it returns; call it holding `writing()`."""
        ...


class PageOutbox(Protocol):
    """The sending side of the page outbox."""

    def note_queued(self) -> None:
        """A transaction that queued PageChanged committed (call it holding `writing()`)."""
        ...

    async def flush(
        self, publish: PublishPages, limit: int = 500, *, only_if_queued_here: bool = False
    ) -> int:
        """Publish waiting PageChanged, oldest first, then delete what was sent; how many."""
        ...


# ---------------------------------------------------------------- the read side


@dataclass(frozen=True)
class BySlug:
    slug: str

    @property
    def described(self) -> str:
        return f"at /articles/{self.slug}"


@dataclass(frozen=True)
class ById:
    article_id: str

    @property
    def described(self) -> str:
        return f"with id {self.article_id}"


ArticleKey = BySlug | ById


class ReadModel(Protocol):
    """The read side's queries; each one runs in one snapshot of the read model."""

    async def stored_page(
        self, slug: str, build: str, with_gzip: bool = False
    ) -> StoredPage | None:
        """The page stored with the story at `slug` by `build` (None: no such story, or no page
        stored by that build), with the read model's version it was read at where the
        database tells it in the same read; `with_gzip`: for a client that takes gzip, its
        gzip form instead of its html where one is stored (StoredPage), else the html alone."""
        ...

    async def with_article(self, key: ArticleKey, work: Callable[[StoredArticle | None], T]) -> T:
        """`work` on the article found by `key` (None: no such row), run in the same database
        step as the lookup: a page is looked up and built in one hand-off."""
        ...

    async def stories(
        self, now: datetime, window: Window, since: datetime | None = None
    ) -> KeysetPage[Listing]:
        """Visible stories, newest first publication first (first published `since`)."""
        ...

    async def sitemap_months(self) -> list[SitemapMonth]:
        """The months with visible stories, oldest first."""
        ...

    async def month_stories(
        self, now: datetime, month: tuple[int, int], part: int, size: int
    ) -> list[Listing]:
        """The `part`-th `size` visible stories first published in (year, month)."""
        ...

    async def entities_numbered(self) -> int:
        """The highest number given to an entity (numbered as first met, from 1)."""
        ...

    async def entity_ids_by_number(self, first: int, last: int) -> list[str]:
        """Entities numbered first..last that visible stories name."""
        ...

    async def withdrawn_since(self, since: datetime, limit: int) -> list[Withdrawn]:
        """Stories withdrawn since `since`, the latest first."""
        ...

    async def entities(self, window: Window) -> KeysetPage[EntitySummary]:
        """Entities named on visible stories, by id."""
        ...

    async def entity(self, entity_id: str, now: datetime, window: Window) -> EntityData | None:
        """One page of the entity's stories (None: no visible story names it)."""
        ...

    async def entity_names(self, entity_ids: set[str]) -> dict[str, str]: ...

    async def timeline(
        self, now: datetime, window: Window, period: tuple[str, str] | None
    ) -> KeysetPage[DatedEntry]:
        """Dated entries in the order of the periods they name (within `period`)."""
        ...

    async def page_modified(self, path: str) -> datetime | None:
        """When the page at `path` last changed, as the projector recorded it (None: never)."""
        ...

    async def page_revision(self, path: str) -> int | None:
        """How many changes of the page at `path` the projector recorded (None: never)."""
        ...


DocumentKey = tuple[str, str, int]  # article id, kind of document, row revision


class DocumentCache(Protocol):
    """Built documents by (article, kind, revision); used from database worker threads."""

    def get(self, key: DocumentKey) -> bytes | None: ...

    def put(self, key: DocumentKey, body: bytes) -> None: ...


@dataclass(frozen=True)
class BuiltPage:
    """A list page as served: its body, when what it shows last changed, its page links."""

    body: bytes
    modified: datetime | None
    links: dict[str, str | None]


# the request's path and query, and the revision of the page's footprint path
ListKey = tuple[str, int]


class ListCache(Protocol):
    """Built list pages by ListKey."""

    def get(self, key: ListKey) -> BuiltPage | None: ...

    def put(self, key: ListKey, page: BuiltPage) -> None: ...


# ---------------------------------------------------------------- the event log


class IncompleteLog(RuntimeError):
    """A stream no longer holds every entry ever added: a replay would build a partial model."""


@dataclass(frozen=True)
class LogBatch:
    """Consecutive entries of the log: the events render projects among them, and how many
    entries were skipped (not render's, or undecodable)."""

    entries: int
    events: list[RenderEvent]
    skipped: int


class EventLog(Protocol):
    """The event log (articles and enriched streams) read from the start."""

    async def require_complete(self) -> None:
        """Raise IncompleteLog when a stream lost entries (trimmed or deleted)."""
        ...

    async def total_entries(self) -> int: ...

    def batches(self, size: int) -> AsyncIterator[LogBatch]:
        """Every entry in log order, `size` entries at a time."""
        ...
