"""The ingest use case: a signed delivery in, recorded articles (and their events) out.

Verify the signature over the raw bytes, parse, record in the inbox with the events in the
outbox, wake the relay. Everything here is transport-agnostic; the HTTP entrypoint only reads
the body and turns results and refusals into responses."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import structlog
from starlette.concurrency import run_in_threadpool

from newsroom.ingest.adapters.inbox import InboxStore, ItemResult
from newsroom.ingest.adapters.metrics import ITEMS_ACCEPTED, ITEMS_DUPLICATE
from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.limits import MAX_DELIVERY_ID_CHARS
from newsroom.ingest.domain.refusals import DeliveryIdTooLong
from newsroom.ingest.domain.signatures import UnknownSource, VerifiedDelivery, verify_signature
from newsroom.shared.article import Article
from newsroom.shared.settings import IngestSettings, SourceConfig

log = structlog.get_logger(__name__)

# Below this size parsing takes well under a millisecond: a thread hop would cost more.
_PARSE_INLINE_MAX_BYTES = 64 * 1024


class WireParser(Protocol):
    """`newsroom.ingest.domain.formats.parse_wire_items`'s signature."""

    def __call__(
        self, body: bytes, content_type: str | None, *, source: str, default_timezone: str = "UTC"
    ) -> list[Article]: ...


@dataclass(frozen=True)
class IngestResult:
    source: str
    correlation_id: str
    items: list[ItemResult]

    @property
    def accepted(self) -> list[ItemResult]:
        return [item for item in self.items if not item.is_duplicate]


class IngestService:
    def __init__(
        self,
        settings: IngestSettings,
        *,
        parser: WireParser,
        inbox: InboxStore,
        on_recorded: Callable[[], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.parser = parser
        self.inbox = inbox
        self.on_recorded = on_recorded
        self.clock = clock

    def source_config(self, source: str) -> SourceConfig:
        """Refuse an unknown source before reading its body."""
        config = self.settings.newsroom_sources.get(source)
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
            tolerance_seconds=self.settings.signature_tolerance_seconds,
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
            articles = await run_in_threadpool(
                self.parser, body, content_type, source=source, default_timezone=config.timezone
            )
        if not articles:
            raise UnusableItem("the body carries no article")
        items = await self.inbox.record(
            source=source,
            articles=articles,
            delivery_id=delivery.delivery_id,
            correlation_id=correlation_id,
            now=datetime.fromtimestamp(self.clock(), UTC),
        )
        for item in items:
            if item.is_duplicate:
                reason = "webhook-id" if item.replayed else "version"
                ITEMS_DUPLICATE.labels(source, reason).inc()
            else:
                ITEMS_ACCEPTED.labels(source, item.outcome.value).inc()
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
