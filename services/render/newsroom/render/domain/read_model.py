"""What the read side hands to pages: plain data read from the read model's index columns and
tables (adapters.queries fills it in), and the rules that read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Generic, TypeVar

from newsroom.render.domain.projection import ArticleState, visible_at

T = TypeVar("T")


def effective_modified(
    last_modified: datetime | None, visible_from: datetime | None
) -> datetime | None:
    """When a story's public content last changed: its last event, or its embargo lifting."""
    times = [t for t in (last_modified, visible_from) if t is not None]
    return max(times) if times else None


@dataclass(frozen=True)
class Listing:
    """A visible story as list pages show it."""

    article_id: str
    slug: str
    headline: str
    standfirst: str | None
    byline: str | None
    urgency: int | None
    version: str
    versioncreated: datetime
    firstcreated: datetime
    modified: datetime


@dataclass(frozen=True)
class EntityMentionRow:
    listing: Listing
    sentence: str
    mention_count: int


@dataclass(frozen=True)
class RelatedEntity:
    entity_id: str
    name: str
    type: str
    articles: int


@dataclass(frozen=True)
class EntitySummary:
    """An entity named on visible stories: its name, type and how many stories name it."""

    entity_id: str
    name: str
    type: str
    articles: int


@dataclass(frozen=True)
class DatedEntry:
    listing: Listing
    value: str
    granularity: str
    mod: str | None
    text: str
    sentence: str
    entity_ids: list[str]


@dataclass(frozen=True)
class EntityData:
    entity_id: str
    name: str
    type: str
    mentions: list[EntityMentionRow]
    related: list[RelatedEntity]
    timeline: list[DatedEntry]


@dataclass(frozen=True)
class ListPage(Generic[T]):
    """One page of a paginated list, and the list's total."""

    items: list[T]
    total: int
    page: int
    per_page: int


@dataclass
class StoredArticle:
    """An article row; its projection is decoded only when a page has to be built."""

    article_id: str
    revision: int
    status: str
    listed: bool
    visible_from: datetime | None
    modified: datetime | None
    raw_state: str

    @cached_property
    def state(self) -> ArticleState:
        return ArticleState.model_validate_json(self.raw_state)

    def is_visible(self, now: datetime) -> bool:
        # The projection's rule, read from the indexed columns (no decoding).
        return visible_at(self.listed, self.visible_from, now)
