"""The list and entity page use cases: what each page shows now, and when it last changed.

A page's Last-Modified is when the projector last changed it (page_versions), so it never goes
back in time when a story leaves the page; the newest story it shows when later (an embargo
lifting by the clock, a model replayed without page versions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from newsroom.render.application.ports import Clock, ReadModel
from newsroom.render.domain.body import entity_path
from newsroom.render.domain.errors import EntityNotFound
from newsroom.render.domain.pages import (
    ARTICLES_API,
    ENTITIES_API,
    FEED,
    FRONT_PAGE,
    SITEMAP,
    TIMELINE,
)
from newsroom.render.domain.read_model import (
    DatedEntry,
    EntityData,
    EntitySummary,
    Listing,
    ListPage,
)
from newsroom.render.domain.views import entity_api_path

T = TypeVar("T")

FRONT_PAGE_SIZE = 50
FEED_SIZE = 50
SITEMAP_SIZE = 50_000

# Entity ids are "{type}/{name}": (name, type) by id.
EntityNames = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Shown(Generic[T]):
    """What a page shows, and when it last changed (None: never recorded, nothing listed)."""

    content: T
    modified: datetime | None


@dataclass(frozen=True)
class Sitemap:
    stories: list[Listing]
    entity_ids: list[str]


@dataclass(frozen=True)
class Timeline:
    entries: list[DatedEntry]
    names: EntityNames


@dataclass(frozen=True)
class EntityPage:
    entity: EntityData
    names: EntityNames  # of the entities its dated entries name


class PageReads:
    def __init__(self, read_model: ReadModel, clock: Clock) -> None:
        self.read_model = read_model
        self.clock = clock

    async def front_page(self) -> Shown[list[Listing]]:
        stories = await self.read_model.latest(self.clock(), limit=FRONT_PAGE_SIZE)
        return Shown(stories, await self._modified(FRONT_PAGE, stories))

    async def feed(self) -> Shown[list[Listing]]:
        stories = await self.read_model.latest(self.clock(), limit=FEED_SIZE)
        return Shown(stories, await self._modified(FEED, stories))

    async def sitemap(self) -> Shown[Sitemap]:
        stories, entities = await self.read_model.sitemap_entries(self.clock(), limit=SITEMAP_SIZE)
        return Shown(Sitemap(stories, entities), await self._modified(SITEMAP, stories))

    async def timeline(self) -> Shown[Timeline]:
        entries = await self.read_model.timeline(self.clock())
        names = await self._names(entries)
        return Shown(
            Timeline(entries, names),
            await self._modified(TIMELINE, (e.listing for e in entries)),
        )

    async def entity_page(self, entity_id: str) -> Shown[EntityPage]:
        data = await self._entity(entity_id)
        names = await self._names(data.timeline)
        return Shown(
            EntityPage(data, names),
            await self._modified(entity_path(entity_id), (m.listing for m in data.mentions)),
        )

    async def entity_document(self, entity_id: str) -> Shown[EntityData]:
        data = await self._entity(entity_id)
        return Shown(
            data,
            await self._modified(entity_api_path(entity_id), (m.listing for m in data.mentions)),
        )

    async def articles(self, page: int, per_page: int) -> Shown[ListPage[Listing]]:
        stories, total = await self.read_model.listing_page(
            self.clock(), limit=per_page, offset=(page - 1) * per_page
        )
        return Shown(
            ListPage(stories, total, page, per_page), await self._modified(ARTICLES_API, stories)
        )

    async def entities(self, page: int, per_page: int) -> Shown[ListPage[EntitySummary]]:
        every = await self.read_model.visible_entities(self.clock())
        chosen = every[(page - 1) * per_page : page * per_page]
        return Shown(
            ListPage(chosen, len(every), page, per_page), await self._modified(ENTITIES_API, ())
        )

    async def _entity(self, entity_id: str) -> EntityData:
        data = await self.read_model.entity(entity_id, self.clock())
        if data is None:
            raise EntityNotFound(f"No published story names {entity_id}.")
        return data

    async def _modified(self, path: str, listed: Iterable[Listing]) -> datetime | None:
        times = [s.modified for s in listed]
        if (recorded := await self.read_model.page_modified(path)) is not None:
            times.append(recorded)
        return max(times, default=None)

    async def _names(self, entries: Iterable[DatedEntry]) -> EntityNames:
        wanted = {i for entry in entries for i in entry.entity_ids}
        names = await self.read_model.entity_names(wanted)
        return {i: (name, i.split("/", 1)[0]) for i, name in names.items()}
