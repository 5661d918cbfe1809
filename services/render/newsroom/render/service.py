"""The projector use case: apply events to the read model in one transaction with the inbox
and the page outbox; publish PageChanged afterwards from the outbox (at least once)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import structlog
from pydantic import ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from newsroom.render.adapters.database import UnitOfWorkRunner
from newsroom.render.adapters.orm import ArticleRow, PageOutboxRow, ParkedPageChangeRow
from newsroom.render.adapters.repository import ArticleRepository, decode_state
from newsroom.render.domain.pages import Footprint, change_reason, changed_pages, footprint
from newsroom.render.domain.projection import ArticleState, RenderEvent, apply
from newsroom.render.metrics import APPLY_SECONDS, EVENTS_APPLIED, FAILURES, PAGE_CHANGES_PARKED
from newsroom.shared.events import ArticleEnriched, PageChanged, PageChangedData
from newsroom.shared.ids import derived_event_id

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]
Publish = Callable[[Sequence[PageChanged]], Awaitable[None]]  # in order

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
        self.runner = UnitOfWorkRunner(sessions)
        self.base_url = public_base_url.rstrip("/")
        self.clock = clock
        self.emit_pages = emit_pages
        # One writer per process: concurrent subscribers (articles, enriched, reclaim) would
        # otherwise contend for SQLite's single write lock and sleep in its busy handler.
        # Replicas in other processes are kept apart by the inbox and optimistic locking.
        self._write_lock = asyncio.Lock()
        # Group commit (submit): events handed in while a transaction runs wait here and are
        # then applied together, one transaction for all of them.
        self._waiting: list[tuple[RenderEvent, asyncio.Future[ApplyResult]]] = []
        self._group_lock = asyncio.Lock()
        # Whether this process queued PageChanged since it last emptied the outbox (both
        # happen under the write lock); the periodic flush looks at the table regardless.
        self._unsent = False

    async def submit(self, event: RenderEvent) -> ApplyResult:
        """Apply one event, in one transaction with the events other handlers submit
        meanwhile (group commit), and answer this event's share of the result.

        Each caller still gets its own outcome: when the group's transaction fails, its events
        are applied one by one, so only the failing event's caller sees the error (and only
        its message is retried or dead-lettered). The projection is order-independent and the
        inbox makes it idempotent, so grouping changes nothing but the number of commits."""
        done: asyncio.Future[ApplyResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, done))
        async with self._group_lock:
            if not done.done():
                group, self._waiting = self._waiting, []
                await self._apply_group(group)
        return await done

    async def _apply_group(
        self, group: list[tuple[RenderEvent, asyncio.Future[ApplyResult]]]
    ) -> None:
        try:
            try:
                result = await self.apply([event for event, _ in group])
            except Exception as exc:
                if len(group) == 1:
                    _settle(group[0][1], error=exc)
                    return
                log.warning("group_commit_split", events=len(group), error=repr(exc)[:300])
                for event, done in group:
                    try:
                        _settle(done, await self.apply([event]))
                    except Exception as single_exc:  # handed to its own caller
                        _settle(done, error=single_exc)
                return
            for event, done in group:
                _settle(done, result.of(event))
        finally:
            # Cancelled meanwhile (shutdown): the waiting callers must not wait forever; their
            # messages stay unacknowledged and are delivered again.
            for _, done in group:
                done.cancel()  # no effect on the settled ones

    async def apply(self, events: Sequence[RenderEvent]) -> ApplyResult:
        """Apply events (any order, duplicates allowed); retried on write conflicts with a
        concurrent replica, which then finds the events already applied."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self._write_lock:
                    with APPLY_SECONDS.time():
                        result = await self._apply_once(events)
                    self._unsent = self._unsent or bool(result.page_changes)
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
        return await self.runner.write(lambda session: self._apply_in(session, events, now))

    def _apply_in(
        self, session: Session, events: Sequence[RenderEvent], now: datetime
    ) -> ApplyResult:
        """The whole transaction, synchronous: one runner step (see adapters.database)."""
        repository = ArticleRepository(session)
        seen = repository.applied([event.id for event in events])
        fresh = [event for event in events if event.id not in seen]
        if not fresh:
            return ApplyResult(applied=0, duplicates=len(events), page_changes=[])
        states: dict[str, ArticleState] = repository.load(event.data.article_id for event in fresh)
        changed: dict[str, ArticleState] = {}
        pages: list[PageChanged] = []
        applied_types: list[str] = []
        applied_ids: set[str] = set()
        # Each article's footprint after its latest event here: the next event's "before".
        footprints: dict[str, Footprint] = {}
        touched: list[str] = []  # pages whose Last-Modified moves (page_versions)
        for event in fresh:
            article_id = event.data.article_id
            before = states.get(article_id)
            after = apply(before, event)
            if after is before:
                continue  # the same event twice in one batch
            applied_types.append(event.type)
            applied_ids.add(event.id)
            repository.record_applied(event.id, article_id, event.type)
            if self.emit_pages:
                pages += self._page_changes(before, after, event, now, footprints, touched)
            states[article_id] = changed[article_id] = after
        if changed:
            repository.save(
                changed.values(),
                {i: state.is_visible(now) for i, state in changed.items()},
            )
        repository.enqueue_page_changes(pages)
        repository.touch_pages(touched, now)
        return ApplyResult(
            applied=len(applied_types),
            duplicates=len(events) - len(applied_types),
            page_changes=pages,
            applied_types=tuple(applied_types),
            applied_ids=frozenset(applied_ids),
        )

    def _page_changes(
        self,
        before: ArticleState | None,
        after: ArticleState,
        event: RenderEvent,
        now: datetime,
        footprints: dict[str, Footprint],
        touched: list[str],
    ) -> list[PageChanged]:
        reason = change_reason(before, after, now, _event_kind(event))
        was = footprints.get(after.article_id) or footprint(before, now)
        footprints[after.article_id] = now_shown = footprint(after, now)
        changes = changed_pages(was, now_shown, reason, after.article_id)
        touched += [change.path for change in changes]
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

    async def flush_outbox(
        self, publish: Publish, limit: int = 500, *, only_if_queued_here: bool = False
    ) -> int:
        """Publish waiting PageChanged events, oldest first, then delete what was sent.
        A crash in between sends them again: at least once, with the same event ids.
        `only_if_queued_here` skips the database when this process queued nothing since it
        last emptied the outbox (the consumers' fast path; the periodic flush always looks)."""
        sent = 0
        async with self._write_lock:
            if only_if_queued_here and not self._unsent:
                return 0
            while True:
                rows = await self.runner.read(lambda session: _outbox_head(session, limit))
                events, parked = _decode_outbox(rows)
                if parked:
                    # An undecodable row would fail every flush and hold back every
                    # PageChanged behind it: move it aside, keep the rest flowing.
                    await self.runner.write(partial(_park, parked=parked, now=self.clock()))
                    PAGE_CHANGES_PARKED.inc(len(parked))
                    for row_id, _, error in parked:
                        log.error("page_change_parked", outbox_id=row_id, error=error)
                await publish([event for _, event in events])
                if events:
                    await self.runner.write(partial(_outbox_delete, ids=[i for i, _ in events]))
                sent += len(events)
                if len(rows) < limit:
                    self._unsent = False
                    return sent

    async def announce_lifted_embargoes(self) -> int:
        """Queue PageChanged for stories whose embargo time has passed since they were
        saved: they appear by themselves, and caches must learn of it."""
        now = self.clock()
        async with self._write_lock:
            announced = await self.runner.write(lambda session: self._announce_in(session, now))
            self._unsent = self._unsent or announced > 0
            return announced

    def _announce_in(self, session: Session, now: datetime) -> int:
        rows = list(
            session.scalars(
                select(ArticleRow).where(
                    ArticleRow.listed.is_(True),
                    ArticleRow.embargo_announced.is_(False),
                    ArticleRow.visible_from <= now,
                )
            )
        )
        pages: list[PageChanged] = []
        touched: list[str] = []
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
            touched += [change.path for change in changes]
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
        repository = ArticleRepository(session)
        repository.enqueue_page_changes(pages)
        repository.touch_pages(touched, now)
        return len(rows)


def _outbox_head(session: Session, limit: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(PageOutboxRow.id, PageOutboxRow.body).order_by(PageOutboxRow.id).limit(limit)
    )
    return [(row.id, row.body) for row in rows]


def _decode_outbox(
    rows: list[tuple[int, str]],
) -> tuple[list[tuple[int, PageChanged]], list[tuple[int, str, str]]]:
    """(id, event) of the rows that decode, (id, body, error) of those that do not."""
    events: list[tuple[int, PageChanged]] = []
    parked: list[tuple[int, str, str]] = []
    for row_id, body in rows:
        try:
            events.append((row_id, PageChanged.model_validate_json(body)))
        except (ValidationError, ValueError) as exc:
            parked.append((row_id, body, f"{type(exc).__name__}: {exc}"[:2000]))
    return events, parked


def _park(session: Session, parked: list[tuple[int, str, str]], now: datetime) -> None:
    session.execute(
        insert(ParkedPageChangeRow),
        [
            {"outbox_id": i, "body": body, "error": error, "parked_at": now}
            for i, body, error in parked
        ],
    )
    _outbox_delete(session, [i for i, _, _ in parked])


def _outbox_delete(session: Session, ids: list[int]) -> None:
    session.execute(delete(PageOutboxRow).where(PageOutboxRow.id.in_(ids)))


def _settle(
    done: asyncio.Future[ApplyResult],
    result: ApplyResult | None = None,
    *,
    error: Exception | None = None,
) -> None:
    if done.done():
        return  # its caller was cancelled
    if error is not None:
        done.set_exception(error)
    else:
        assert result is not None
        done.set_result(result)
