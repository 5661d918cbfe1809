"""The inbox: every accepted wire item recorded, with its event put in the outbox, in one
transaction, before ingest answers. What is committed here is never lost: the relay publishes
it to Redis whenever Redis is reachable."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Select, bindparam, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from newsroom.ingest.adapters.database import (
    Database,
    Delivery,
    InboxItem,
    IngestedArticle,
    OutboxEntry,
    table_of,
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
        def work(connection: Connection) -> list[ItemResult]:
            return _record(connection, source, articles, delivery_id, correlation_id, now)

        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                return await self.database.write(work)
            except IntegrityError:
                if attempt == _MAX_ATTEMPTS:
                    raise
                log.info("inbox_conflict_retry", attempt=attempt, source=source)
        raise AssertionError("unreachable")

    async def forget_deliveries(self, received_before: datetime) -> int:
        """Drop webhook ids older than the replay window. A sender's retry after that is still
        answered as a duplicate, by (source, uri, version); only the reason changes."""

        def work(connection: Connection) -> int:
            result = connection.execute(
                delete(Delivery).where(Delivery.received_at < received_before)
            )
            return int(result.rowcount or 0)

        return await self.database.write(work)


# The statements of the hot path, built once: building a statement per call, with its values
# inline, cost more CPU than SQLite spends running it. Core tables, not ORM entities: no ORM
# plugin on the way.
_ARTICLES = table_of(IngestedArticle)
_ITEMS = table_of(InboxItem)
_DELIVERIES = table_of(Delivery)
_OUTBOX = table_of(OutboxEntry)
_SEEN_DELIVERY = select(_DELIVERIES.c["items"]).where(
    _DELIVERIES.c.source == bindparam("source"),
    _DELIVERIES.c.delivery_id == bindparam("delivery_id"),
)
# One query for the slug and every recorded version. FOR UPDATE OF the article row (ignored by
# SQLite, which has one writer anyway) queues concurrent deliveries of one article on
# PostgreSQL.
_HISTORY = (
    select(
        _ARTICLES.c.slug,
        _ITEMS.c.version,
        _ITEMS.c.versioncreated,
        _ITEMS.c.pubstatus,
        _ITEMS.c.content_hash,
        _ITEMS.c.event_id,
        _ITEMS.c.embargoed,
    )
    .select_from(_ARTICLES.outerjoin(_ITEMS, _ITEMS.c.article_id == _ARTICLES.c.article_id))
    .where(_ARTICLES.c.article_id == bindparam("article_id"))
    .with_for_update(of=_ARTICLES)
)
_INSERT_ARTICLE = insert(_ARTICLES)
_INSERT_ITEM = insert(_ITEMS)
_INSERT_OUTBOX = insert(_OUTBOX)
_INSERT_DELIVERY = insert(_DELIVERIES)


def _record(
    connection: Connection,
    source: str,
    articles: Sequence[Article],
    delivery_id: str | None,
    correlation_id: str,
    now: datetime,
) -> list[ItemResult]:
    """Decide and record a delivery's articles in the caller's transaction: one query and two
    or three inserts per article (no ORM unit of work)."""
    if delivery_id is not None:
        seen = connection.execute(
            _SEEN_DELIVERY, {"source": source, "delivery_id": delivery_id}
        ).scalar_one_or_none()
        if seen is not None:
            return [ItemResult.from_replay(item) for item in seen]
    results: list[ItemResult] = []
    for article in articles:
        # Sees the rows of this delivery's earlier articles: same transaction.
        history = _history(connection, source, article.uri)
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
        if history is None:
            connection.execute(
                _INSERT_ARTICLE,
                {
                    "article_id": decision.article_id,
                    "source": source,
                    "uri": article.uri,
                    "slug": decision.slug,
                    "first_seen_at": now,
                },
            )
        event = build_event(decision, article, source=source, correlation_id=correlation_id)
        message = event.to_message()
        connection.execute(
            _INSERT_ITEM,
            {
                "source": source,
                "uri": article.uri,
                "version": article.version,
                "versioncreated": article.versioncreated,
                "pubstatus": article.pubstatus.value,
                "content_hash": decision.content_hash,
                "embargoed": article.embargo is not None,
                "article_id": decision.article_id,
                "event_id": event.id,
                "event_type": event.type,
                "delivery_id": delivery_id,
                "correlation_id": correlation_id,
                "received_at": now,
                "event": message,
            },
        )
        connection.execute(
            _INSERT_OUTBOX,
            {
                "event_id": event.id,
                "stream": articles_stream(shard_of(decision.article_id)),
                "correlation_id": correlation_id,
                "message": message,
                "created_at": now,
            },
        )
    if delivery_id is not None:
        connection.execute(
            _INSERT_DELIVERY,
            {
                "source": source,
                "delivery_id": delivery_id,
                "received_at": now,
                "items": [result.to_json() for result in results],
            },
        )
    return results


def _history(connection: Connection, source: str, uri: str) -> ArticleHistory | None:
    the_article_id = make_article_id(source, uri)
    rows = connection.execute(_HISTORY, {"article_id": the_article_id}).all()
    if not rows:
        return None
    return ArticleHistory(
        article_id=the_article_id,
        slug=rows[0].slug,
        versions=[
            RecordedVersion(
                row.version,
                row.versioncreated,
                PubStatus(row.pubstatus),
                content_hash=row.content_hash,
                event_id=row.event_id,
                embargoed=row.embargoed,
            )
            for row in rows
            if row.version is not None
        ],
    )


@dataclass(frozen=True)
class PendingEvent:
    outbox_id: int
    event_id: str
    stream: str
    correlation_id: str
    message: dict[str, Any]


# One Redis transaction carries at most this much (always at least one event): bodies may be
# up to the 10 MB webhook cap, and a hundred of them in one MULTI/EXEC would outlast the
# socket timeout and be sent again whole.
MAX_BATCH_BYTES = 4 * 1024 * 1024


def _within_bytes(
    pending: list[PendingEvent], max_bytes: int = MAX_BATCH_BYTES
) -> list[PendingEvent]:
    """The longest prefix of `pending` whose messages fit in `max_bytes` (never empty)."""
    taken: list[PendingEvent] = []
    size = 0
    for event in pending:
        size += len(json.dumps(event.message, separators=(",", ":")))
        if taken and size > max_bytes:
            break
        taken.append(event)
    return taken


class PartlyPublished(Exception):
    """A publisher appended `appended` (some of a batch, in order), then failed with `cause`
    for the others. Any other exception from a publisher means none of the batch was
    appended."""

    def __init__(self, appended: Sequence[PendingEvent], cause: Exception) -> None:
        super().__init__(f"{len(appended)} events published, then: {cause!r}")
        self.appended = list(appended)
        self.cause = cause


# Any constant; names "the ingest outbox relay" among PostgreSQL advisory locks.
RELAY_LOCK_KEY = 0x6E657773  # "news"

PublishBatch = Callable[[Sequence[PendingEvent]], Awaitable[None]]

_PENDING_COLUMNS = (
    OutboxEntry.id,
    OutboxEntry.event_id,
    OutboxEntry.stream,
    OutboxEntry.correlation_id,
    OutboxEntry.message,
)


class Outbox:
    """The relay's view of the outbox table."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def drain(self, limit: int, publish: PublishBatch) -> int:
        """Publish up to `limit` events in outbox order, as one batch, and delete those
        published (when only some were, then re-raising). Returns how many went out.

        On PostgreSQL several ingest processes may share the outbox: a transaction-scoped
        advisory lock lets one relay at a time drain it, which keeps the stream in outbox
        order. SQLite has one ingest process per file, so no lock is needed, and the write
        lock is not held while Redis is being talked to."""
        if self.database.is_sqlite:
            pending = _within_bytes(await self.peek(limit))
            published, error = await _publish_in_order(pending, publish)
            await self.remove(published)
        else:
            async with self.database.engine.begin() as connection:
                locked = await connection.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
                )
                if not locked:
                    return 0  # another process's relay is draining
                rows = await connection.execute(_peek_statement(limit))
                pending = _within_bytes([PendingEvent(*row) for row in rows])
                published, error = await _publish_in_order(pending, publish)
                if published:
                    await connection.execute(
                        delete(OutboxEntry).where(OutboxEntry.id.in_(published))
                    )
        if error is not None:
            raise error
        return len(published)

    async def peek(self, limit: int) -> list[PendingEvent]:
        def work(connection: Connection) -> list[PendingEvent]:
            return [PendingEvent(*row) for row in connection.execute(_peek_statement(limit))]

        return await self.database.read(work)

    async def remove(self, outbox_ids: Sequence[int]) -> None:
        if not outbox_ids:
            return

        def work(connection: Connection) -> None:
            connection.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(outbox_ids)))

        await self.database.write(work)

    async def backlog(self) -> int:
        def work(connection: Connection) -> int:
            return int(connection.scalar(select(func.count()).select_from(OutboxEntry)) or 0)

        return await self.database.read(work)


def _peek_statement(limit: int) -> Select[tuple[int, str, str, str, dict[str, Any]]]:
    return select(*_PENDING_COLUMNS).order_by(OutboxEntry.id).limit(limit)


async def _publish_in_order(
    pending: Sequence[PendingEvent], publish: PublishBatch
) -> tuple[list[int], Exception | None]:
    """The outbox ids the publisher appended (all, some or none) and its error."""
    if not pending:
        return [], None
    try:
        await publish(pending)
    except PartlyPublished as partly:
        return [event.outbox_id for event in partly.appended], partly.cause
    except Exception as exc:
        return [], exc
    return [event.outbox_id for event in pending], None
