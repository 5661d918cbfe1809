"""The inbox: every accepted wire item recorded, with its event put in the outbox, in one
transaction, before ingest answers. What is committed here is never lost: the relay publishes
it to Redis whenever Redis is reachable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from newsroom.ingest.adapters.database import (
    Database,
    Delivery,
    InboxItem,
    IngestedArticle,
    OutboxEntry,
)
from newsroom.ingest.domain.decisions import (
    ArticleHistory,
    Outcome,
    RecordedVersion,
    build_event,
    decide,
)
from newsroom.shared.article import Article, PubStatus
from newsroom.shared.ids import article_id as make_article_id
from newsroom.shared.streams import articles_stream, shard_of

log = structlog.get_logger(__name__)

# Concurrent first deliveries of one article (or of one webhook-id) collide on a unique key;
# the loser retries and then sees the winner's rows.
_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class ItemResult:
    """What ingest answers for one article of a delivery."""

    article_id: str
    slug: str
    version: str
    event_id: str
    outcome: Outcome
    is_correction: bool = False
    superseded: bool = False
    # Answered from an earlier delivery with the same webhook-id.
    replayed: bool = False

    @property
    def is_duplicate(self) -> bool:
        return self.outcome is Outcome.DUPLICATE

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "slug": self.slug,
            "version": self.version,
            "event_id": self.event_id,
            "outcome": self.outcome.value,
        }

    @classmethod
    def from_replay(cls, stored: dict[str, Any]) -> ItemResult:
        return cls(
            article_id=stored["article_id"],
            slug=stored["slug"],
            version=stored["version"],
            event_id=stored["event_id"],
            outcome=Outcome.DUPLICATE,
            replayed=True,
        )


class InboxStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def record(
        self,
        *,
        source: str,
        articles: Sequence[Article],
        delivery_id: str | None,
        correlation_id: str,
        now: datetime,
    ) -> list[ItemResult]:
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                async with self.database.writing() as session:
                    return await self._record(
                        session, source, articles, delivery_id, correlation_id, now
                    )
            except IntegrityError:
                if attempt == _MAX_ATTEMPTS:
                    raise
                log.info("inbox_conflict_retry", attempt=attempt, source=source)
        raise AssertionError("unreachable")

    async def _record(
        self,
        session: AsyncSession,
        source: str,
        articles: Sequence[Article],
        delivery_id: str | None,
        correlation_id: str,
        now: datetime,
    ) -> list[ItemResult]:
        if delivery_id is not None:
            seen = await session.get(Delivery, (source, delivery_id))
            if seen is not None:
                return [ItemResult.from_replay(item) for item in seen.items]
        results: list[ItemResult] = []
        for article in articles:
            history = await self._history(session, source, article.uri)
            decision = decide(source, article, history)
            result = ItemResult(
                article_id=decision.article_id,
                slug=decision.slug,
                version=decision.version,
                event_id=decision.event_id,
                outcome=decision.outcome,
                is_correction=decision.is_correction,
                superseded=decision.superseded,
            )
            results.append(result)
            if decision.outcome is Outcome.DUPLICATE:
                continue
            new_article = (
                IngestedArticle(
                    article_id=decision.article_id,
                    source=source,
                    uri=article.uri,
                    slug=decision.slug,
                    first_seen_at=now,
                )
                if history is None
                else None
            )
            event = build_event(decision, article, source=source, correlation_id=correlation_id)
            message = event.to_message()
            item = InboxItem(
                source=source,
                uri=article.uri,
                version=article.version,
                versioncreated=article.versioncreated,
                pubstatus=article.pubstatus.value,
                article_id=decision.article_id,
                event_id=event.id,
                event_type=event.type,
                delivery_id=delivery_id,
                correlation_id=correlation_id,
                received_at=now,
                event=message,
            )
            if new_article is not None:
                item.article = new_article
            session.add(item)
            session.add(
                OutboxEntry(
                    event_id=event.id,
                    stream=articles_stream(shard_of(decision.article_id)),
                    correlation_id=correlation_id,
                    message=message,
                    created_at=now,
                )
            )
            # No explicit flush: the next item's history query autoflushes, so a later item
            # of the same body sees this one.
        if delivery_id is not None:
            session.add(
                Delivery(
                    source=source,
                    delivery_id=delivery_id,
                    received_at=now,
                    items=[result.to_json() for result in results],
                )
            )
        return results

    async def forget_deliveries(self, received_before: datetime) -> int:
        """Drop webhook ids older than the replay window. A sender's retry after that is still
        answered as a duplicate, by (source, uri, version); only the reason changes."""
        async with self.database.writing() as session:
            result = await session.execute(
                delete(Delivery).where(Delivery.received_at < received_before)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def _history(self, session: AsyncSession, source: str, uri: str) -> ArticleHistory | None:
        the_article_id = make_article_id(source, uri)
        # FOR UPDATE (ignored by SQLite, which has one writer anyway) queues concurrent
        # deliveries of one article on PostgreSQL.
        article = (
            await session.execute(
                select(IngestedArticle)
                .where(IngestedArticle.article_id == the_article_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if article is None:
            return None
        rows = await session.execute(
            select(InboxItem.version, InboxItem.versioncreated, InboxItem.pubstatus).where(
                InboxItem.article_id == the_article_id
            )
        )
        return ArticleHistory(
            article_id=the_article_id,
            slug=article.slug,
            versions=[
                RecordedVersion(version, versioncreated, PubStatus(pubstatus))
                for version, versioncreated, pubstatus in rows
            ],
        )


@dataclass(frozen=True)
class PendingEvent:
    outbox_id: int
    event_id: str
    stream: str
    correlation_id: str
    message: dict[str, Any]


# Any constant; names "the ingest outbox relay" among PostgreSQL advisory locks.
RELAY_LOCK_KEY = 0x6E657773  # "news"

PublishOne = Callable[[PendingEvent], Awaitable[None]]


class Outbox:
    """The relay's view of the outbox table."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def drain(self, limit: int, publish: PublishOne) -> int:
        """Publish up to `limit` events in outbox order, one after the other, and delete those
        published (also when a later one fails, then re-raising). Returns how many went out.

        On PostgreSQL several ingest processes may share the outbox: a transaction-scoped
        advisory lock lets one relay at a time drain it, which keeps the stream in outbox
        order. SQLite has one ingest process per file, so no lock is needed, and the write
        lock is not held while Redis is being talked to."""
        if self.database.is_sqlite:
            pending = await self.peek(limit)
            published, error = await _publish_in_order(pending, publish)
            await self.remove(published)
        else:
            async with self.database.sessions() as session, session.begin():
                locked = await session.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
                )
                if not locked:
                    return 0  # another process's relay is draining
                rows = await session.scalars(
                    select(OutboxEntry).order_by(OutboxEntry.id).limit(limit)
                )
                published, error = await _publish_in_order([_pending(row) for row in rows], publish)
                if published:
                    await session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(published)))
        if error is not None:
            raise error
        return len(published)

    async def peek(self, limit: int) -> list[PendingEvent]:
        async with self.database.reading() as session:
            rows = await session.scalars(select(OutboxEntry).order_by(OutboxEntry.id).limit(limit))
            return [_pending(row) for row in rows]

    async def remove(self, outbox_ids: Sequence[int]) -> None:
        if not outbox_ids:
            return
        async with self.database.writing() as session:
            await session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(outbox_ids)))

    async def backlog(self) -> int:
        async with self.database.reading() as session:
            return int(await session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def _pending(row: OutboxEntry) -> PendingEvent:
    return PendingEvent(row.id, row.event_id, row.stream, row.correlation_id, row.message)


async def _publish_in_order(
    pending: Sequence[PendingEvent], publish: PublishOne
) -> tuple[list[int], Exception | None]:
    """Stop at the first failure, so nothing is published after an event that was not."""
    published: list[int] = []
    for event in pending:
        try:
            await publish(event)
        except Exception as exc:
            return published, exc
        published.append(event.outbox_id)
    return published, None
