"""Decoding stream bodies into typed events, upcasting old versions on the way.

Stored events are never rewritten: when an event type changes incompatibly it gets a new
`….vN` name, and an upcaster here turns the old shape into the new one on read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter

from newsroom.shared.events.articles import ArticleReceived, ArticleUpdated, ArticleWithdrawn
from newsroom.shared.events.enrichment import ArticleEnriched
from newsroom.shared.events.envelope import Envelope
from newsroom.shared.events.pages import PageChanged

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

EVENT_TYPES: Mapping[str, type[Envelope[Any]]] = {
    cls.TYPE: cls
    for cls in (ArticleReceived, ArticleUpdated, ArticleWithdrawn, ArticleEnriched, PageChanged)
}

# old type name -> function returning the body in the next version's shape.
UPCASTERS: dict[str, Upcaster] = {}


class UnknownEventType(ValueError):
    pass


def upcast(body: Any, upcasters: Mapping[str, Upcaster] = UPCASTERS) -> Any:
    """Apply upcasters until the body's type is a current one (a chain v1 → v2 → v3)."""
    if not isinstance(body, dict):
        return body
    seen: set[str] = set()
    while isinstance(kind := body.get("type"), str) and kind in upcasters and kind not in seen:
        seen.add(kind)
        body = upcasters[kind](dict(body))
    return body


def _upcast(body: Any) -> Any:
    return upcast(body)


AnyEvent = Annotated[
    ArticleReceived | ArticleUpdated | ArticleWithdrawn | ArticleEnriched | PageChanged,
    BeforeValidator(_upcast),
    Field(discriminator="type"),
]

_any_event: TypeAdapter[Any] = TypeAdapter(AnyEvent)


def decode_event(body: Any) -> Envelope[Any]:
    """A typed event from a stream body; raises UnknownEventType or pydantic's ValidationError."""
    body = upcast(body)
    if not isinstance(body, dict) or body.get("type") not in EVENT_TYPES:
        kind = body.get("type") if isinstance(body, dict) else type(body).__name__
        raise UnknownEventType(f"unknown event type: {kind!r}")
    event: Envelope[Any] = _any_event.validate_python(body)
    return event
