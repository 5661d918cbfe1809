"""Decoding stream bodies into typed events, upcasting old versions on the way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter

from newsroom.shared.events.articles import ArticleReceived, ArticleUpdated, ArticleWithdrawn
from newsroom.shared.events.enrichment import ArticleEnriched
from newsroom.shared.events.envelope import Envelope
from newsroom.shared.events.pages import PageChanged
from newsroom.shared.events.upcasting import UPCASTERS, Upcaster, upcast, upcast_current

__all__ = [
    "EVENT_TYPES",
    "UPCASTERS",
    "AnyEvent",
    "UnknownEventType",
    "Upcaster",
    "decode_event",
    "upcast",
]

EVENT_TYPES: Mapping[str, type[Envelope[Any]]] = {
    cls.TYPE: cls
    for cls in (ArticleReceived, ArticleUpdated, ArticleWithdrawn, ArticleEnriched, PageChanged)
}


class UnknownEventType(ValueError):
    pass


AnyEvent = Annotated[
    Annotated[
        ArticleReceived | ArticleUpdated | ArticleWithdrawn | ArticleEnriched | PageChanged,
        Field(discriminator="type"),
    ],
    BeforeValidator(upcast_current),
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
