"""The list and entity page use cases: what each page shows now, and when it last changed.

A page's Last-Modified is when the projector last changed it (page_versions), so it never goes
back in time when a story leaves the page; the newest story it shows when later (an embargo
lifting by the clock, a model replayed without page versions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from newsroom.render.application.ports import Clock, ReadModel
from newsroom.render.domain.body import entity_path
from newsroom.render.domain.errors import EntityNotFound, SitemapNotFound
from newsroom.render.domain.keyset import KeysetPage, Position, Window
from newsroom.render.domain.pages import (
    ARTICLES_API,
    ENTITIES_API,
    FEED,
    FRONT_PAGE,
    NEWS_SITEMAP,
    SITEMAP,
    SITEMAP_PAGES,
    TIMELINE,
    entity_sitemap_path,
    month_sitemap_path,
)
from newsroom.render.domain.read_model import (
    DatedEntry,
    EntityData,
    EntitySummary,
    Listing,
    Withdrawn,
)
from newsroom.render.domain.views import entity_api_path

T = TypeVar("T")

FEED_SIZE = 50
SITEMAP_URLS = 5_000  # sitemaps.org allows 50,000 URLs a file; 5,000 stay under 1 MB
NEWS_WINDOW = timedelta(hours=48)  # Google News sitemaps: stories of the last two days
NEWS_URLS = 1000  # and at most 1,000 of them
DELETED_FOR = timedelta(days=30)  # a killed story stays in the feed as a tombstone this long
DELETED_ENTRIES = 200

# Entity ids are "{type}/{name}": (name, type) by id.
EntityNames = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Shown(Generic[T]):
    """What a page shows, and when it last changed (None: never recorded, nothing listed)."""

    content: T
    modified: datetime | None


@dataclass(frozen=True)
class SitemapFile:
    """One file of the sitemap index: its path, and when what it lists last changed."""

    path: str
    lastmod: datetime | None


@dataclass(frozen=True)
class Feed:
    """A feed document: the latest stories (or an archive page of older ones), the stories
    withdrawn lately (subscription document only), and the archive page before it."""

    stories: list[Listing]
    deleted: list[Withdrawn]
    prev_archive: Position | None


@dataclass(frozen=True)
class Timeline:
    entries: KeysetPage[DatedEntry]
    names: EntityNames


@dataclass(frozen=True)
class EntityPage:
    entity: EntityData
    names: EntityNames  # of the entities its dated entries name


class PageReads:
    def __init__(
        self, read_model: ReadModel, clock: Clock, *, sitemap_urls: int = SITEMAP_URLS
    ) -> None:
        self.read_model = read_model
        self.clock = clock
        self.sitemap_urls = sitemap_urls

    async def front_page(self, window: Window) -> Shown[KeysetPage[Listing]]:
        stories = await self.read_model.stories(self.clock(), window)
        return Shown(stories, await self._modified(FRONT_PAGE, stories.items))

    async def feed(self, before: Position | None = None) -> Shown[Feed]:
        """The subscription feed, or (`before`: a position) the archive page of the
        FEED_SIZE stories before it (RFC 5005)."""
        now = self.clock()
        stories = await self.read_model.stories(now, Window(FEED_SIZE, after=before))
        deleted = (
            await self.read_model.withdrawn_since(now - DELETED_FOR, DELETED_ENTRIES)
            if before is None
            else []
        )
        return Shown(
            Feed(stories.items, deleted, stories.next),
            await self._modified(FEED, stories.items),
        )

    async def sitemap_index(self) -> Shown[list[SitemapFile]]:
        """The sitemap index: the site's own pages, the news sitemap, each month's stories
        (in files of at most sitemap_urls) and the entity pages (likewise)."""
        files = [SitemapFile(SITEMAP_PAGES, None), SitemapFile(NEWS_SITEMAP, None)]
        months = await self.read_model.sitemap_months()
        for month in months:
            parts = -(-month.stories // self.sitemap_urls)
            year, number = month.month.split("-")
            files += [
                SitemapFile(month_sitemap_path(int(year), int(number), part), month.lastmod)
                for part in range(1, parts + 1)
            ]
        numbered = await self.read_model.entities_numbered()
        files += [
            SitemapFile(entity_sitemap_path(part), None)
            for part in range(1, -(-numbered // self.sitemap_urls) + 1)
        ]
        modified = max((m.lastmod for m in months), default=None)
        return Shown(files, await self._modified(SITEMAP, (), modified))

    async def month_sitemap(self, year: int, month: int, part: int) -> Shown[list[Listing]]:
        """Part `part` (from 1) of the stories first published in that month."""
        stories = await self.read_model.month_stories(
            self.clock(), (year, month), part - 1, self.sitemap_urls
        )
        if not stories:
            raise SitemapNotFound(f"No sitemap {month_sitemap_path(year, month, part)}.")
        return Shown(stories, await self._modified(SITEMAP, stories))

    async def entity_sitemap(self, part: int) -> Shown[list[str]]:
        """Part `part` (from 1) of the entity pages, in the order entities were first met."""
        first = (part - 1) * self.sitemap_urls + 1
        if first > await self.read_model.entities_numbered():
            raise SitemapNotFound(f"No sitemap {entity_sitemap_path(part)}.")
        ids = await self.read_model.entity_ids_by_number(first, first + self.sitemap_urls - 1)
        return Shown(ids, await self._modified(SITEMAP, ()))

    async def news_sitemap(self) -> Shown[list[Listing]]:
        """Stories first published in the last 48 hours (Google News), newest first."""
        now = self.clock()
        stories = await self.read_model.stories(now, Window(NEWS_URLS), since=now - NEWS_WINDOW)
        return Shown(stories.items, await self._modified(SITEMAP, stories.items))

    async def timeline(
        self, window: Window, period: tuple[str, str] | None = None
    ) -> Shown[Timeline]:
        entries = await self.read_model.timeline(self.clock(), window, period)
        names = await self._names(entries.items)
        return Shown(
            Timeline(entries, names),
            await self._modified(TIMELINE, (e.listing for e in entries.items)),
        )

    async def entity_page(self, entity_id: str, window: Window) -> Shown[EntityPage]:
        data = await self._entity(entity_id, window)
        names = await self._names(data.timeline)
        return Shown(
            EntityPage(data, names),
            await self._modified(entity_path(entity_id), (m.listing for m in data.mentions.items)),
        )

    async def entity_document(self, entity_id: str, window: Window) -> Shown[EntityData]:
        data = await self._entity(entity_id, window)
        return Shown(
            data,
            await self._modified(
                entity_api_path(entity_id), (m.listing for m in data.mentions.items)
            ),
        )

    async def articles(self, window: Window) -> Shown[KeysetPage[Listing]]:
        stories = await self.read_model.stories(self.clock(), window)
        return Shown(stories, await self._modified(ARTICLES_API, stories.items))

    async def entities(self, window: Window) -> Shown[KeysetPage[EntitySummary]]:
        chosen = await self.read_model.entities(window)
        return Shown(chosen, await self._modified(ENTITIES_API, ()))

    async def _entity(self, entity_id: str, window: Window) -> EntityData:
        data = await self.read_model.entity(entity_id, self.clock(), window)
        if data is None:
            raise EntityNotFound(f"No published story names {entity_id}.")
        return data

    async def _modified(
        self, path: str, listed: Iterable[Listing], *also: datetime | None
    ) -> datetime | None:
        times = [s.modified for s in listed] + [t for t in also if t is not None]
        if (recorded := await self.read_model.page_modified(path)) is not None:
            times.append(recorded)
        return max(times, default=None)

    async def _names(self, entries: Iterable[DatedEntry]) -> EntityNames:
        wanted = {i for entry in entries for i in entry.entity_ids}
        names = await self.read_model.entity_names(wanted)
        return {i: (name, i.split("/", 1)[0]) for i, name in names.items()}
