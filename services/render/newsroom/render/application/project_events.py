"""The projection use case: apply events to the read model in one transaction with the inbox
and the page outbox (PageChanged are published afterwards from the outbox, at least once)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

import structlog

from newsroom.render.adapters.metrics import APPLY_SECONDS, EVENTS_APPLIED, FAILURES
from newsroom.render.application.ports import (
    ArticlePages,
    Clock,
    PageOutbox,
    ProjectionTransaction,
    RenderedPage,
    RenderedPages,
    UnitOfWork,
)
from newsroom.render.domain.page_changes import PageChangeLog
from newsroom.render.domain.projection import ArticleState, RenderEvent, apply
from newsroom.shared.events import PageChanged

log = structlog.get_logger(__name__)

_ATTEMPTS = 6


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int
    page_changes: list[PageChanged]
    applied_types: tuple[str, ...] = ()
    applied_ids: frozenset[str] = frozenset()

    def of(self, event: RenderEvent) -> ApplyResult:
        """This result's share for one of its events (a group commit answers each caller)."""
        if event.id not in self.applied_ids:
            return ApplyResult(applied=0, duplicates=1, page_changes=[])
        return ApplyResult(
            applied=1,
            duplicates=0,
            page_changes=[page for page in self.page_changes if page.causationid == event.id],
            applied_types=(event.type,),
            applied_ids=frozenset({event.id}),
        )


class ProjectEvents:
    def __init__(
        self,
        unit_of_work: UnitOfWork,
        page_outbox: PageOutbox,
        *,
        public_base_url: str,
        clock: Clock = utcnow,
        emit_pages: bool = True,
        article_pages: ArticlePages | None = None,
    ) -> None:
        """`article_pages`: renders each saved story's page, stored with it (None: none is
        stored, and every page is built on request)."""
        self.unit_of_work = unit_of_work
        self.page_outbox = page_outbox
        self.base_url = public_base_url.rstrip("/")
        self.clock = clock
        self.emit_pages = emit_pages
        self.article_pages = article_pages

    async def apply(self, events: Sequence[RenderEvent]) -> ApplyResult:
        """Apply events (any order, duplicates allowed); retried on write conflicts with a
        concurrent replica, which then finds the events already applied."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self.unit_of_work.writing():
                    with APPLY_SECONDS.time():
                        result = await self.unit_of_work.write(
                            partial(
                                project,
                                events=events,
                                now=self.clock(),
                                base_url=self.base_url if self.emit_pages else None,
                                article_pages=self.article_pages,
                            )
                        )
                    if result.page_changes:
                        self.page_outbox.note_queued()
                # Counted once committed, so a retried transaction is not counted twice.
                # One increment per type, not per event: a replay's batch has thousands.
                for event_type, count in Counter(result.applied_types).items():
                    EVENTS_APPLIED.labels(event_type, "applied").inc(count)
                if result.duplicates:
                    EVENTS_APPLIED.labels("any", "duplicate").inc(result.duplicates)
                return result
            except self.unit_of_work.conflicts as exc:
                FAILURES.labels("conflict").inc()
                if attempt == _ATTEMPTS:
                    raise
                log.warning("projection_conflict_retrying", attempt=attempt, error=repr(exc)[:300])
                await asyncio.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")


def project(
    transaction: ProjectionTransaction,
    events: Sequence[RenderEvent],
    now: datetime,
    base_url: str | None,
    article_pages: ArticlePages | None = None,
) -> ApplyResult:
    """The whole unit of work, synchronous: skip what the inbox knows, apply the rest, save the
    states with their pages (rendered by `article_pages`), and queue the PageChanged of the
    pages that changed (`base_url` None: none, as in a replay) with the pages' new
    Last-Modified."""
    articles = transaction.articles
    seen = articles.applied([event.id for event in events])
    fresh = [event for event in events if event.id not in seen]
    if not fresh:
        return ApplyResult(applied=0, duplicates=len(events), page_changes=[])
    states: dict[str, ArticleState] = articles.load(event.data.article_id for event in fresh)
    changed: dict[str, ArticleState] = {}
    pages = PageChangeLog(base_url) if base_url is not None else None
    applied_types: list[str] = []
    applied_ids: set[str] = set()
    for event in fresh:
        article_id = event.data.article_id
        before = states.get(article_id)
        after = apply(before, event)
        if after is before:
            continue  # the same event twice in one batch
        applied_types.append(event.type)
        applied_ids.add(event.id)
        articles.record_applied(event.id, article_id, event.type)
        if pages is not None:
            pages.after_event(before, after, event, now)
        states[article_id] = changed[article_id] = after
    if changed:
        articles.save(
            changed.values(),
            {i: state.is_visible(now) for i, state in changed.items()},
            rendered_pages(article_pages, changed.values()),
        )
    page_changes = pages.events if pages is not None else []
    transaction.page_outbox.enqueue(page_changes)
    articles.touch_pages(pages.paths if pages is not None else [], now)
    return ApplyResult(
        applied=len(applied_types),
        duplicates=len(events) - len(applied_types),
        page_changes=page_changes,
        applied_types=tuple(applied_types),
        applied_ids=frozenset(applied_ids),
    )


def rendered_pages(
    article_pages: ArticlePages | None, states: Iterable[ArticleState]
) -> RenderedPages | None:
    """The pages of the stories readers may be shown (listed: an embargoed one is rendered
    now, and served once its embargo lifts); a story withdrawn or held gets none."""
    if article_pages is None:
        return None
    pages: dict[str, RenderedPage] = {}
    for state in states:
        if state.listed and (html := article_pages(state)) is not None:
            pages[state.article_id] = article_pages.stored_form(html)
    return RenderedPages(article_pages.build, pages)
