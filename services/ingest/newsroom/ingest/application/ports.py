"""What the ingest use case drives: the wire parser, and the inbox with its outbox, one
transaction at a time. Adapters implement these (`adapters/inbox.py`: SQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from newsroom.ingest.domain.decisions import ArticleEventModel, ArticleHistory, Decision
from newsroom.shared.article import Article

T = TypeVar("T")


class WireParser(Protocol):
    """`newsroom.ingest.domain.formats.parse_wire_items`'s signature."""

    def __call__(
        self,
        body: bytes,
        content_type: str | None,
        *,
        source: str,
        default_timezone: str = "UTC",
        received_at: datetime | None = None,
    ) -> list[Article]: ...


@dataclass(frozen=True)
class SeenDelivery:
    """A webhook id's delivery as remembered: what it was answered (`ItemResult.to_json` of
    each item) and the SHA-256 of its body (None when remembered before ingest kept it)."""

    answers: list[dict[str, Any]]
    body_hash: str | None


class InboxTransaction(Protocol):
    """The inbox and its outbox inside one transaction: everything written here is committed
    together, or not at all."""

    def answered_delivery(self, source: str, delivery_id: str) -> SeenDelivery | None:
        """What a delivery with this webhook id was answered and the hash of its body, if it
        was seen within the replay window."""

    def history(self, source: str, uri: str) -> ArticleHistory | None:
        """The article's slug and every version recorded (None: never seen). Concurrent
        deliveries of one article wait here for each other (a row lock on PostgreSQL)."""

    def record_article(
        self, decision: Decision, article: Article, source: str, now: datetime
    ) -> None:
        """The first version of an article: its slug is fixed from now on."""

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
        """An accepted copy of a version, with the event it publishes."""

    def append_to_outbox(self, event: ArticleEventModel, stream: str, now: datetime) -> None:
        """The event goes out to `stream` once this transaction commits."""

    def remember_delivery(
        self, source: str, delivery: SeenDelivery, delivery_id: str, now: datetime
    ) -> None:
        """A webhook id and what it was answered, for replays."""


class Inbox(Protocol):
    """Runs work in one inbox transaction (again, from the start, when it lost a race with a
    concurrent delivery of the same article or webhook id)."""

    def transaction(self, work: Callable[[InboxTransaction], T]) -> Awaitable[T]: ...

    async def forget_deliveries(self, received_before: datetime) -> int:
        """Drops webhook ids older than the replay window; how many."""
        ...
