"""The ingest use case: a signed delivery in, recorded articles (and their events) out.

Verify the signature over the raw bytes, parse, then in one inbox transaction decide what each
article is (domain/decisions.py), record it and put its event in the outbox; wake the relay.
Everything here is transport-agnostic: the HTTP entrypoint only reads the body and turns
results and refusals into responses."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from newsroom.ingest.application.ports import Inbox, InboxTransaction, SeenDelivery, WireParser
from newsroom.ingest.domain.decisions import Decision, Outcome, build_event, decide
from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.limits import MAX_DELIVERY_ID_CHARS
from newsroom.ingest.domain.refusals import DeliveryIdReused, DeliveryIdTooLong
from newsroom.ingest.domain.signatures import (
    UnknownSource,
    VerifiedDelivery,
    check_signature_headers,
    verify_signature,
)
from newsroom.shared.article import Article
from newsroom.shared.settings import SourceConfig
from newsroom.shared.streams import ONE_SHARD, StreamShards

log = structlog.get_logger(__name__)

# Below this size parsing takes well under a millisecond: a thread hop would cost more.
_PARSE_INLINE_MAX_BYTES = 64 * 1024


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

    @classmethod
    def of(cls, decision: Decision) -> ItemResult:
        return cls(
            article_id=decision.article_id,
            slug=decision.slug,
            version=decision.version,
            event_id=decision.event_id,
            outcome=decision.outcome,
            is_correction=decision.is_correction,
            superseded=decision.superseded,
        )

    def to_json(self) -> dict[str, Any]:
        """As remembered with a webhook id (a replay is answered from it)."""
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


@dataclass(frozen=True)
class IngestResult:
    source: str
    correlation_id: str
    items: list[ItemResult]

    @property
    def accepted(self) -> list[ItemResult]:
        return [item for item in self.items if not item.is_duplicate]


def record_delivery(
    inbox: InboxTransaction,
    *,
    source: str,
    articles: Sequence[Article],
    delivery_id: str | None,
    correlation_id: str,
    now: datetime,
    body_hash: str | None = None,
    streams: StreamShards = ONE_SHARD,
) -> list[ItemResult]:
    """Decide and record a delivery's articles in one transaction: a replayed webhook id is
    answered as before (the same id with another body is refused, nothing recorded); each
    article is a duplicate (nothing written) or a new version, recorded with its event, which
    goes in the outbox for its article's shard's stream."""
    if delivery_id is not None:
        seen = inbox.answered_delivery(source, delivery_id)
        if seen is not None:
            if seen.body_hash is not None and seen.body_hash != body_hash:
                raise DeliveryIdReused(
                    f"webhook id {delivery_id!r} was delivered before with another body; "
                    "send new content under a new id",
                    pointer="header:webhook-id",
                )
            return [ItemResult.from_replay(item) for item in seen.answers]
    results: list[ItemResult] = []
    for article in articles:
        # Sees the rows of this delivery's earlier articles: same transaction.
        history = inbox.history(source, article.uri)
        decision = decide(source, article, history)
        results.append(ItemResult.of(decision))
        if decision.outcome is Outcome.DUPLICATE:
            continue
        if history is None:
            inbox.record_article(decision, article, source, now)
        event = build_event(decision, article, source=source, correlation_id=correlation_id)
        inbox.record_version(
            decision, article, event, source=source, delivery_id=delivery_id, now=now
        )
        inbox.append_to_outbox(event, streams.articles_of(decision.article_id), now)
    if delivery_id is not None:
        answers = SeenDelivery([r.to_json() for r in results], body_hash)
        inbox.remember_delivery(source, answers, delivery_id, now)
    return results


class ReceiveDelivery:
    def __init__(
        self,
        *,
        sources: Mapping[str, SourceConfig],
        signature_tolerance_seconds: int,
        parser: WireParser,
        inbox: Inbox,
        on_recorded: Callable[[], None],
        clock: Callable[[], float] = time.time,
        streams: StreamShards = ONE_SHARD,
    ) -> None:
        self.sources = sources
        self.streams = streams
        self.signature_tolerance_seconds = signature_tolerance_seconds
        self.parser = parser
        self.inbox = inbox
        self.on_recorded = on_recorded
        self.clock = clock

    def source_config(self, source: str) -> SourceConfig:
        """Refuse an unknown source before reading its body."""
        config = self.sources.get(source)
        if config is None:
            raise UnknownSource(f"no source named {source!r} is configured", pointer="/source")
        return config

    def check_headers(self, source: str, headers: Mapping[str, str]) -> None:
        """Everything that can be refused before the body is read: the source, the signature
        headers' presence and freshness. (The delivery id's length is checked once the sender
        is known, after the signature: a stranger learns nothing but 401.)"""
        config = self.source_config(source)
        check_signature_headers(
            scheme=config.scheme,
            headers=headers,
            now=self.clock(),
            tolerance_seconds=self.signature_tolerance_seconds,
        )

    def _check_delivery_id(self, delivery_id: str | None, header: str) -> None:
        # The inbox keeps ids of at most this length.
        if delivery_id is not None and len(delivery_id) > MAX_DELIVERY_ID_CHARS:
            raise DeliveryIdTooLong(
                f"{header} is {len(delivery_id)} characters long; at most "
                f"{MAX_DELIVERY_ID_CHARS} are accepted",
                pointer=f"header:{header}",
            )

    def verify(self, source: str, headers: Mapping[str, str], body: bytes) -> VerifiedDelivery:
        config = self.source_config(source)
        delivery = verify_signature(
            scheme=config.scheme,
            secrets=config.secrets,
            headers=headers,
            body=body,
            now=self.clock(),
            tolerance_seconds=self.signature_tolerance_seconds,
        )
        self._check_delivery_id(delivery.delivery_id, delivery.delivery_id_header or "webhook-id")
        return delivery

    async def ingest(
        self,
        source: str,
        body: bytes,
        content_type: str | None,
        delivery: VerifiedDelivery,
        correlation_id: str,
    ) -> IngestResult:
        config = self.source_config(source)
        now = datetime.fromtimestamp(self.clock(), UTC)
        parse = functools.partial(
            self.parser,
            body,
            content_type,
            source=source,
            default_timezone=config.timezone,
            received_at=now,
        )
        if len(body) <= _PARSE_INLINE_MAX_BYTES:
            articles = parse()
        else:
            articles = await asyncio.to_thread(parse)
        if not articles:
            raise UnusableItem("the body carries no article")
        items = await self.inbox.transaction(
            lambda inbox: record_delivery(
                inbox,
                source=source,
                articles=articles,
                delivery_id=delivery.delivery_id,
                correlation_id=correlation_id,
                now=now,
                body_hash=hashlib.sha256(body).hexdigest(),
                streams=self.streams,
            )
        )
        for item in items:
            log.info(
                "wire_item_duplicate" if item.is_duplicate else "wire_item_accepted",
                source=source,
                article_id=item.article_id,
                version=item.version,
                event_id=item.event_id,
                outcome=item.outcome.value,
                is_correction=item.is_correction,
                superseded=item.superseded,
                replayed=item.replayed,
            )
        result = IngestResult(source, correlation_id, items)
        if result.accepted:
            self.on_recorded()
        return result
