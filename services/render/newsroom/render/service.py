"""The projector use case: apply events to the read model in one transaction with the inbox
and the page outbox; publish PageChanged afterwards from the outbox (at least once)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from newsroom.render.adapters.orm import ArticleRow, PageOutboxRow
from newsroom.render.adapters.repository import ArticleRepository, decode_state
from newsroom.render.domain.pages import change_reason, changed_pages, footprint
from newsroom.render.domain.projection import ArticleState, RenderEvent, apply
from newsroom.render.metrics import APPLY_SECONDS, EVENTS_APPLIED, FAILURES
from newsroom.shared.events import ArticleEnriched, PageChanged, PageChangedData
from newsroom.shared.ids import derived_event_id

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]
Publish = Callable[[PageChanged], Awaitable[None]]

SOURCE = "/newsroom/render"
_ATTEMPTS = 6


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int
    page_changes: list[PageChanged]
    applied_types: tuple[str, ...] = ()


def _event_kind(event: RenderEvent) -> str:
    return {
        "newsroom.article.received.v1": "article-received",
        "newsroom.article.updated.v1": "article-updated",
        "newsroom.article.withdrawn.v1": "article-withdrawn",
        "newsroom.article.enriched.v1": "article-enriched",
    }[event.type]


class Projector:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        public_base_url: str,
        clock: Clock = utcnow,
        emit_pages: bool = True,
    ) -> None:
        self.sessions = sessions
        self.base_url = public_base_url.rstrip("/")
        self.clock = clock
        self.emit_pages = emit_pages
        # One writer per process: concurrent subscribers (articles, enriched, reclaim) would
        # otherwise contend for SQLite's single write lock and sleep in its busy handler.
        # Replicas in other processes are kept apart by the inbox and optimistic locking.
        self._write_lock = asyncio.Lock()

    async def apply(self, events: Sequence[RenderEvent]) -> ApplyResult:
        """Apply events (any order, duplicates allowed); retried on write conflicts with a
        concurrent replica, which then finds the events already applied."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self._write_lock:
                    with APPLY_SECONDS.time():
                        result = await self._apply_once(events)
                # Counted once committed, so a retried transaction is not counted twice.
                for event_type in result.applied_types:
                    EVENTS_APPLIED.labels(event_type, "applied").inc()
                if result.duplicates:
                    EVENTS_APPLIED.labels("any", "duplicate").inc(result.duplicates)
                return result
            except (IntegrityError, StaleDataError, OperationalError) as exc:
                FAILURES.labels("conflict").inc()
                if attempt == _ATTEMPTS:
                    raise
                log.warning("projection_conflict_retrying", attempt=attempt, error=repr(exc)[:300])
                await asyncio.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    async def _apply_once(self, events: Sequence[RenderEvent]) -> ApplyResult:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            repository = ArticleRepository(session)
            seen = await repository.applied([event.id for event in events])
            fresh = [event for event in events if event.id not in seen]
            if not fresh:
                return ApplyResult(applied=0, duplicates=len(events), page_changes=[])
            states: dict[str, ArticleState] = await repository.load(
                event.data.article_id for event in fresh
            )
            changed: dict[str, ArticleState] = {}
            pages: list[PageChanged] = []
            applied_types: list[str] = []
            for event in fresh:
                article_id = event.data.article_id
                before = states.get(article_id)
                after = apply(before, event)
                if after is before:
                    continue  # the same event twice in one batch
                applied_types.append(event.type)
                repository.record_applied(event.id, article_id, event.type)
                if self.emit_pages:
                    pages += self._page_changes(before, after, event, now)
                states[article_id] = changed[article_id] = after
            if changed:
                await repository.save(
                    changed.values(),
                    {i: state.is_visible(now) for i, state in changed.items()},
                )
            await repository.enqueue_page_changes(pages)
        return ApplyResult(
            applied=len(applied_types),
            duplicates=len(events) - len(applied_types),
            page_changes=pages,
            applied_types=tuple(applied_types),
        )

    def _page_changes(
        self, before: ArticleState | None, after: ArticleState, event: RenderEvent, now: datetime
    ) -> list[PageChanged]:
        reason = change_reason(before, after, now, _event_kind(event))
        changes = changed_pages(
            footprint(before, now), footprint(after, now), reason, after.article_id
        )
        version = (
            event.data.version
            if isinstance(event, ArticleEnriched)
            else (after.current.version if after.current else None)
        )
        return [
            self._page_changed(
                change.path,
                change.reason,
                after.article_id,
                version,
                cause_id=event.id,
                correlation_id=event.correlationid,
                now=now,
            )
            for change in changes
        ]

    def _page_changed(
        self,
        path: str,
        reason: str,
        article_id: str,
        version: str | None,
        *,
        cause_id: str,
        correlation_id: str,
        now: datetime,
    ) -> PageChanged:
        return PageChanged.create(
            # Deterministic: a retried or replayed cause yields the same PageChanged id.
            id=derived_event_id(f"page-changed:{path}", cause_id),
            source=SOURCE,
            subject=article_id,
            time=now,
            correlationid=correlation_id,
            causationid=cause_id,
            data=PageChangedData(
                url=self.base_url + path,
                reason=reason,
                article_id=article_id,
                article_version=version,
            ),
        )

    async def flush_outbox(self, publish: Publish, limit: int = 500) -> int:
        """Publish waiting PageChanged events, oldest first, then delete what was sent.
        A crash in between sends them again: at least once, with the same event ids."""
        sent = 0
        async with self._write_lock:
            while True:
                async with self.sessions() as session:
                    rows = list(
                        await session.scalars(
                            select(PageOutboxRow).order_by(PageOutboxRow.id).limit(limit)
                        )
                    )
                if not rows:
                    return sent
                for row in rows:
                    await publish(PageChanged.model_validate_json(row.body))
                async with self.sessions() as session, session.begin():
                    await session.execute(
                        delete(PageOutboxRow).where(PageOutboxRow.id.in_([row.id for row in rows]))
                    )
                sent += len(rows)

    async def announce_lifted_embargoes(self) -> int:
        """Queue PageChanged for stories whose embargo time has passed since they were
        saved: they appear by themselves, and caches must learn of it."""
        now = self.clock()
        async with self._write_lock, self.sessions() as session, session.begin():
            rows = list(
                await session.scalars(
                    select(ArticleRow).where(
                        ArticleRow.listed.is_(True),
                        ArticleRow.embargo_announced.is_(False),
                        ArticleRow.visible_from <= now,
                    )
                )
            )
            pages: list[PageChanged] = []
            for row in rows:
                state = decode_state(row.state)
                lifted_at = state.visible_from or now
                just_before = lifted_at - timedelta(microseconds=1)
                changes = changed_pages(
                    footprint(state, just_before),
                    footprint(state, now),
                    "embargo-lifted",
                    state.article_id,
                )
                version = state.current.version if state.current else None
                cause = f"embargo-lifted:{state.article_id}:{version}:{lifted_at.isoformat()}"
                pages += [
                    self._page_changed(
                        c.path,
                        c.reason,
                        state.article_id,
                        version,
                        cause_id=cause,
                        correlation_id=cause,
                        now=now,
                    )
                    for c in changes
                ]
                row.embargo_announced = True
            await ArticleRepository(session).enqueue_page_changes(pages)
        return len(rows)
