"""The ingest use case: a signed delivery in, recorded articles (and their events) out.

Verify the signature over the raw bytes, parse, then in one inbox transaction decide what each
article is (domain/decisions.py), record it and put its event in the outbox; wake the relay.
Everything here is transport-agnostic: the HTTP entrypoint only reads the body and turns
results and refusals into responses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from newsroom.ingest.application.ports import Inbox, InboxTransaction, WireParser
from newsroom.ingest.domain.decisions import Decision, Outcome, build_event, decide
from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.limits import MAX_DELIVERY_ID_CHARS
from newsroom.ingest.domain.refusals import DeliveryIdTooLong
from newsroom.ingest.domain.signatures import UnknownSource, VerifiedDelivery, verify_signature
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
    streams: StreamShards = ONE_SHARD,
) -> list[ItemResult]:
    """Decide and record a delivery's articles in one transaction: a replayed webhook id is
    answered as before; each article is a duplicate (nothing written) or a new version,
    recorded with its event, which goes in the outbox for its article's shard's stream."""
    if delivery_id is not None:
        answered = inbox.answered_delivery(source, delivery_id)
        if answered is not None:
            return [ItemResult.from_replay(item) for item in answered]
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
        inbox.remember_delivery(source, delivery_id, [r.to_json() for r in results], now)
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
        # Checked once the sender is known: the inbox keeps ids of at most this length.
        if delivery.delivery_id is not None and len(delivery.delivery_id) > MAX_DELIVERY_ID_CHARS:
            header = delivery.delivery_id_header or "webhook-id"
            raise DeliveryIdTooLong(
                f"{header} is {len(delivery.delivery_id)} characters long; at most "
                f"{MAX_DELIVERY_ID_CHARS} are accepted",
                pointer=f"header:{header}",
            )
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
        if len(body) <= _PARSE_INLINE_MAX_BYTES:
            articles = self.parser(
                body, content_type, source=source, default_timezone=config.timezone
            )
        else:
            articles = await asyncio.to_thread(
                self.parser, body, content_type, source=source, default_timezone=config.timezone
            )
        if not articles:
            raise UnusableItem("the body carries no article")
        now = datetime.fromtimestamp(self.clock(), UTC)
        items = await self.inbox.transaction(
            lambda inbox: record_delivery(
                inbox,
                source=source,
                articles=articles,
                delivery_id=delivery.delivery_id,
                correlation_id=correlation_id,
                now=now,
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
