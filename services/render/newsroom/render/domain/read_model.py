"""What the read side hands to pages: plain data read from the read model's index columns and
tables (adapters.queries fills it in), and the rules that read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from newsroom.render.domain.keyset import KeysetPage
from newsroom.render.domain.projection import ArticleState, visible_at


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
    language: str | None  # a BCP 47 tag
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
    starts: str  # domain.periods.period_start(value): the timeline's order
    position: int  # its place in the story's timeline
    granularity: str
    mod: str | None
    text: str
    sentence: str
    entity_ids: list[str]


@dataclass(frozen=True)
class EntityData:
    """One page of an entity's stories, and what goes with them."""

    entity_id: str
    name: str
    type: str
    articles: int  # visible stories naming it (kept by the projector)
    mentions: KeysetPage[EntityMentionRow]
    related: list[RelatedEntity]  # named with it in this page's stories
    timeline: list[DatedEntry]  # this page's stories' dated entries naming it


@dataclass(frozen=True)
class SitemapMonth:
    """A month of first publication with visible stories, and its newest change."""

    month: str  # 2021-09
    stories: int
    lastmod: datetime


@dataclass(frozen=True)
class Withdrawn:
    """A story withdrawn (killed) by its source, and when."""

    article_id: str
    when: datetime


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


@dataclass(slots=True)
class StoredPage:
    """A listed story's page as the projection rendered and stored it, with what its serving
    needs: when it may be shown (its embargo's end), its Last-Modified and its ETag; and,
    when the read tells it, the read model's version it was read at (`read_at`: see
    adapters.read_model_version), so that it can be kept without reading the version first.

    Read for a client that takes gzip, a page stored with its gzip form comes without its
    html (`html` None, `size` its length): that client is sent the gzip form, and the html
    was about a third of the read's CPU on the database server and in the reading process
    (at 10k and at 1M stories)."""

    article_id: str
    visible_from: datetime | None
    modified: datetime | None
    etag: str
    html: bytes | None  # None: not read, for its gzip form (then `gzipped` and `size` are set)
    read_at: int | str | None = None
    gzipped: bytes | None = None  # its gzip form, when asked for and stored
    size: int | None = None  # the html's length in bytes, when the html was not read

    def is_visible(self, now: datetime) -> bool:
        return visible_at(True, self.visible_from, now)  # only listed stories store a page

    def is_visible_by(self, clock: Callable[[], datetime]) -> bool:
        """`is_visible` now, the clock read only for a page with an embargo (most have none:
        a stored page is read on every request of a page not in memory)."""
        return self.visible_from is None or self.is_visible(clock())
