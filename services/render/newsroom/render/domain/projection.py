"""The article projection: `apply(state, event) -> state`.

The state is a pure function of the *set* of events applied, never of their order: every
article version is kept in a map keyed by its event id, and what a reader sees (the current
version, whether the story is withdrawn, which enrichment is shown) is derived from that set
by the story's own clock (`versioncreated`, then version). So duplicates change nothing, an
older version arriving late only fills in the history, an enrichment of an older version never
replaces a newer one, and a withdrawal wins over anything older, whatever order Redis
delivers them in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from functools import cache, cached_property
from typing import Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_serializer

from newsroom.shared.article import Article, PubStatus, version_order_key
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleReceived,
    ArticleUpdated,
    ArticleWithdrawn,
    EnrichedEntity,
    TimelineEntry,
)

RenderEvent = ArticleReceived | ArticleUpdated | ArticleWithdrawn | ArticleEnriched
# The event types render projects (what a replay reads from the log; the rest is skipped).
RENDER_EVENT_TYPES = frozenset(
    event.TYPE for event in (ArticleReceived, ArticleUpdated, ArticleWithdrawn, ArticleEnriched)
)

VersionKey = tuple[datetime, int, str]


class ArticleStatus(StrEnum):
    PENDING = "pending"  # only an enrichment has arrived; nothing to show yet
    USABLE = "usable"
    WITHHELD = "withheld"
    WITHDRAWN = "withdrawn"


class DerivedCache(BaseModel):
    """A frozen model whose derived properties are computed once (functools.cached_property):
    a projection batch asks for an article's current version a dozen times, each a sort of its
    history. A copy made with changes must not keep the original's cached values."""

    model_config = ConfigDict(frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        if update:
            for name in _cached_properties(type(self)):
                copied.__dict__.pop(name, None)
        return copied


@cache
def _cached_properties(model: type) -> tuple[str, ...]:
    return tuple(
        name
        for klass in model.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    )


class VersionRecord(DerivedCache):
    """One version of the story as an event delivered it (a withdrawal has no article)."""

    event_id: str
    kind: Literal["received", "updated", "withdrawn"]
    version: str
    versioncreated: AwareDatetime
    arrived_at: AwareDatetime
    slug: str
    is_correction: bool = False
    ednote: str | None = None
    article: Article | None = None
    sequence: int | None = None  # ingest's count of the article's copies (None before it sent one)

    @cached_property
    def key(self) -> tuple[VersionKey, int, datetime, str]:
        # A version re-sent under the same number with other content (a lifted embargo) is a
        # later copy of ingest's: its sequence orders it after the first, whatever the clocks
        # of the ingest processes. Copies published before ingest numbered them sort first,
        # among themselves by envelope time. The event id breaks any remaining tie, so the
        # order never depends on delivery.
        return (
            version_order_key(self.versioncreated, self.version),
            self.sequence or 0,
            self.arrived_at,
            self.event_id,
        )


class Enrichment(DerivedCache):
    event_id: str
    # The article event it enriches: tells apart the enrichments of two copies of one version.
    cause_event_id: str | None = None
    version: str
    versioncreated: AwareDatetime
    model: str
    entities: tuple[EnrichedEntity, ...]
    timeline: tuple[TimelineEntry, ...]
    # The language the pipeline ran for, and whether it had an entity model for it (older
    # read models: unknown, and yes).
    language: str | None = None
    ner: bool = True

    @cached_property
    def key(self) -> tuple[VersionKey, str]:
        return version_order_key(self.versioncreated, self.version), self.event_id


class ArticleState(DerivedCache):
    """Everything render knows about one article."""

    article_id: str
    versions: tuple[VersionRecord, ...] = ()
    # The enrichments of the newest enriched version (several when that version was re-sent with
    # other content), ordered by key so the stored JSON does not depend on arrival order.
    enrichments: tuple[Enrichment, ...] = ()
    applied_event_ids: frozenset[str] = frozenset()
    last_event_time: AwareDatetime | None = None

    @field_serializer("applied_event_ids")
    def _sorted_ids(self, ids: frozenset[str]) -> list[str]:
        # Sorted so the stored JSON is the same whatever order the events came in.
        return sorted(ids)

    # ----- derived, never stored separately, so they cannot drift from the event set -----

    @cached_property
    def history(self) -> list[VersionRecord]:
        """Every version, oldest first by the story's clock."""
        return sorted(self.versions, key=lambda record: record.key)

    @cached_property
    def current(self) -> VersionRecord | None:
        """The newest version that carries an article."""
        with_article = [record for record in self.versions if record.article is not None]
        return max(with_article, key=lambda record: record.key) if with_article else None

    @cached_property
    def withdrawal(self) -> VersionRecord | None:
        kills = [record for record in self.versions if is_kill(record)]
        return max(kills, key=lambda record: record.key) if kills else None

    @property
    def article(self) -> Article | None:
        current = self.current
        return current.article if current is not None else None

    @property
    def slug(self) -> str | None:
        """Ingest fixes the slug at first sight and repeats it on every event; the oldest
        version's copy is taken so the choice never depends on arrival order."""
        history = self.history
        return history[0].slug if history else None

    @cached_property
    def status(self) -> ArticleStatus:
        current = self.current
        withdrawal = self.withdrawal
        if withdrawal is not None and (current is None or withdrawal.key >= current.key):
            return ArticleStatus.WITHDRAWN
        if current is None or current.article is None:
            return ArticleStatus.PENDING
        if current.article.pubstatus == PubStatus.WITHHELD:
            return ArticleStatus.WITHHELD
        return ArticleStatus.USABLE

    @property
    def embargo_held(self) -> bool:
        """Embargoed with no known time: hidden until a new version lifts it."""
        article = self.article
        return article is not None and article.embargo is not None and article.embargo.until is None

    @property
    def visible_from(self) -> datetime | None:
        article = self.article
        if article is None or article.embargo is None:
            return None
        return article.embargo.until

    @property
    def listed(self) -> bool:
        """Published and not held: visible once `visible_from` (if any) has passed."""
        return self.status is ArticleStatus.USABLE and not self.embargo_held

    def is_visible(self, now: datetime) -> bool:
        """Visible to readers at `now`: an embargo lifts by itself, no event needed."""
        return visible_at(self.listed, self.visible_from, now)

    @property
    def enrichment(self) -> Enrichment | None:
        """The enrichment of the newest enriched version (the highest key among its copies)."""
        return self.enrichments[-1] if self.enrichments else None

    @property
    def shown_enrichment(self) -> Enrichment | None:
        """The enrichment shown with the current version: the one made from the current copy
        when there is one, else the newest; its mentions are only linked where their text
        still matches (see domain.body)."""
        current = self.current
        if current is not None:
            for enrichment in self.enrichments:
                if enrichment.cause_event_id == current.event_id:
                    return enrichment
        return self.enrichment


def visible_at(listed: bool, visible_from: datetime | None, now: datetime) -> bool:
    """The visibility rule: a listed story (usable, not held) is shown from its embargo time on
    (at once without one); the embargo lifts by the clock, with no event. The read model's
    SQL filter (adapters.queries.visible) states this rule for the database."""
    return listed and (visible_from is None or visible_from <= now)


def is_kill(record: VersionRecord) -> bool:
    """A withdrawal event, or a version the wire itself marks canceled: the story comes down."""
    return record.kind == "withdrawn" or (
        record.article is not None and record.article.pubstatus == PubStatus.CANCELED
    )


def new_state(article_id: str) -> ArticleState:
    return ArticleState(article_id=article_id)


def apply(state: ArticleState | None, event: RenderEvent) -> ArticleState:
    """The state after `event`; the same state object when the event was already applied."""
    article_id = event.data.article_id
    if state is None:
        state = new_state(article_id)
    if state.article_id != article_id:
        raise ValueError(f"event {event.id} is about {article_id}, not {state.article_id}")
    if event.id in state.applied_event_ids:
        return state

    versions = state.versions
    enrichments = state.enrichments
    if isinstance(event, ArticleEnriched):
        candidate = Enrichment(
            event_id=event.id,
            cause_event_id=event.causationid,
            version=event.data.version,
            versioncreated=event.data.versioncreated,
            model=event.data.model,
            entities=tuple(event.data.entities),
            timeline=tuple(event.data.timeline),
            language=event.data.language,
            ner=event.data.ner,
        )
        newest = enrichments[-1].key[0] if enrichments else None
        if newest is None or candidate.key[0] > newest:
            enrichments = (candidate,)
        elif candidate.key[0] == newest:
            enrichments = tuple(sorted((*enrichments, candidate), key=lambda e: e.key))
    else:
        versions = (*versions, _version_record(event))

    last = state.last_event_time
    return state.model_copy(
        update={
            "versions": tuple(sorted(versions, key=lambda record: record.key)),
            "enrichments": enrichments,
            "applied_event_ids": state.applied_event_ids | {event.id},
            "last_event_time": event.time if last is None else max(last, event.time),
        }
    )


def _version_record(event: ArticleReceived | ArticleUpdated | ArticleWithdrawn) -> VersionRecord:
    if isinstance(event, ArticleWithdrawn):
        return VersionRecord(
            event_id=event.id,
            kind="withdrawn",
            version=event.data.version,
            versioncreated=event.data.versioncreated,
            arrived_at=event.time,
            slug=event.data.slug,
            ednote=event.data.ednote,
            sequence=event.data.sequence,
        )
    article = event.data.article
    return VersionRecord(
        event_id=event.id,
        kind="received" if isinstance(event, ArticleReceived) else "updated",
        version=article.version,
        versioncreated=article.versioncreated,
        arrived_at=event.time,
        slug=event.data.slug,
        is_correction=isinstance(event, ArticleUpdated) and _is_correction(event),
        ednote=article.ednote,
        article=article,
        sequence=event.data.sequence,
    )


def _is_correction(event: ArticleUpdated) -> bool:
    """Ingest decides (wire signals, and an ednote saying the story corrects an earlier one);
    only an event older than that field falls back to the wire's own signals."""
    if "is_correction" in event.data.model_fields_set:
        return event.data.is_correction
    return any("correct" in signal.lower() for signal in event.data.article.signals)
