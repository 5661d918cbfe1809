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
from newsroom.render.domain.keyset import KeysetPage, Window
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
    entries: KeysetPage[DatedEntry]
    names: EntityNames


@dataclass(frozen=True)
class EntityPage:
    entity: EntityData
    names: EntityNames  # of the entities its dated entries name


class PageReads:
    def __init__(self, read_model: ReadModel, clock: Clock) -> None:
        self.read_model = read_model
        self.clock = clock

    async def front_page(self, window: Window) -> Shown[KeysetPage[Listing]]:
        stories = await self.read_model.stories(self.clock(), window)
        return Shown(stories, await self._modified(FRONT_PAGE, stories.items))

    async def feed(self) -> Shown[list[Listing]]:
        stories = await self.read_model.stories(self.clock(), Window(FEED_SIZE))
        return Shown(stories.items, await self._modified(FEED, stories.items))

    async def sitemap(self) -> Shown[Sitemap]:
        stories = await self.read_model.stories(self.clock(), Window(SITEMAP_SIZE))
        entities = await self.read_model.entities(Window(SITEMAP_SIZE))
        return Shown(
            Sitemap(stories.items, [e.entity_id for e in entities.items]),
            await self._modified(SITEMAP, stories.items),
        )

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

    async def _modified(self, path: str, listed: Iterable[Listing]) -> datetime | None:
        times = [s.modified for s in listed]
        if (recorded := await self.read_model.page_modified(path)) is not None:
            times.append(recorded)
        return max(times, default=None)

    async def _names(self, entries: Iterable[DatedEntry]) -> EntityNames:
        wanted = {i for entry in entries for i in entry.entity_ids}
        names = await self.read_model.entity_names(wanted)
        return {i: (name, i.split("/", 1)[0]) for i, name in names.items()}
