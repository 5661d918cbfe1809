"""The SQL inbox: stores what the use case decided (every accepted copy of a version, the
deliveries seen) and the events beside it in the outbox, in one transaction, through the
shared unit-of-work runner. It decides nothing: `application/receive_delivery.py` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import structlog
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from newsroom.ingest.adapters.database import (
    OUTBOX,
    Delivery,
    InboxItem,
    IngestedArticle,
    table_of,
)
from newsroom.ingest.application.ports import InboxTransaction, SeenDelivery
from newsroom.ingest.domain.decisions import (
    ArticleEventModel,
    ArticleHistory,
    Decision,
    RecordedVersion,
)
from newsroom.shared.article import Article, PubStatus
from newsroom.shared.ids import article_id as make_article_id
from newsroom.shared.outbox import OutgoingEvent
from newsroom.shared.sql import UnitOfWorkRunner

log = structlog.get_logger(__name__)

T = TypeVar("T")

# Concurrent first deliveries of one article (or of one webhook-id) collide on a unique key;
# the loser retries and then sees the winner's rows.
_MAX_ATTEMPTS = 5

# The statements of the hot path, built once: building a statement per call, with its values
# inline, cost more CPU than SQLite spends running it. Core tables, not ORM entities: no ORM
# plugin on the way.
_ARTICLES = table_of(IngestedArticle)
_ITEMS = table_of(InboxItem)
_DELIVERIES = table_of(Delivery)
_SEEN_DELIVERY = select(_DELIVERIES.c["items"], _DELIVERIES.c.body_hash).where(
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
_INSERT_DELIVERY = insert(_DELIVERIES)


class SqlInbox:
    """The `Inbox` port on the unit-of-work runner (SQLite's writer thread: one transaction per
    delivery, group-committed with the others; PostgreSQL: a transaction each)."""

    def __init__(self, runner: UnitOfWorkRunner) -> None:
        self.runner = runner

    async def transaction(self, work: Callable[[InboxTransaction], T]) -> T:
        def in_transaction(connection: Connection) -> T:
            return work(_SqlInboxTransaction(connection))

        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                return await self.runner.write(in_transaction)
            except IntegrityError:
                if attempt == _MAX_ATTEMPTS:
                    raise
                log.info("inbox_conflict_retry", attempt=attempt)
        raise AssertionError("unreachable")

    async def forget_deliveries(self, received_before: datetime) -> int:
        """Drop webhook ids older than the replay window. A sender's retry after that is still
        answered as a duplicate, by (source, uri, version); only the reason changes."""

        def work(connection: Connection) -> int:
            result = connection.execute(
                delete(Delivery).where(Delivery.received_at < received_before)
            )
            return int(result.rowcount or 0)

        return await self.runner.write(work)


class _SqlInboxTransaction:
    """One query and two or three inserts per article (no ORM unit of work)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def answered_delivery(self, source: str, delivery_id: str) -> SeenDelivery | None:
        row = self.connection.execute(
            _SEEN_DELIVERY, {"source": source, "delivery_id": delivery_id}
        ).one_or_none()
        return None if row is None else SeenDelivery(row[0], row.body_hash)

    def history(self, source: str, uri: str) -> ArticleHistory | None:
        the_article_id = make_article_id(source, uri)
        rows = self.connection.execute(_HISTORY, {"article_id": the_article_id}).all()
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

    def record_article(
        self, decision: Decision, article: Article, source: str, now: datetime
    ) -> None:
        self.connection.execute(
            _INSERT_ARTICLE,
            {
                "article_id": decision.article_id,
                "source": source,
                "uri": article.uri,
                "slug": decision.slug,
                "first_seen_at": now,
            },
        )

    def record_version(
        self,
        decision: Decision,
        article: Article,
        event: ArticleEventModel,
        *,
        source: str,
        delivery_id: str | None,
        now: datetime,
    ) -> None:
        self.connection.execute(
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
                "correlation_id": event.correlationid,
                "received_at": now,
                "event": event.to_message(),
            },
        )

    def append_to_outbox(self, event: ArticleEventModel, stream: str, now: datetime) -> None:
        outgoing = OutgoingEvent(event.id, stream, event.correlationid, event.model_dump_json())
        OUTBOX.append(self.connection, [outgoing], now)

    def remember_delivery(
        self, source: str, delivery: SeenDelivery, delivery_id: str, now: datetime
    ) -> None:
        self.connection.execute(
            _INSERT_DELIVERY,
            {
                "source": source,
                "delivery_id": delivery_id,
                "received_at": now,
                "items": delivery.answers,
                "body_hash": delivery.body_hash,
            },
        )
