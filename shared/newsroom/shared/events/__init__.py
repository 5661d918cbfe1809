"""Event contracts: the CloudEvents envelope and every versioned event type."""

from newsroom.shared.events.articles import (
    ArticleEvent,
    ArticleReceived,
    ArticleReceivedData,
    ArticleUpdated,
    ArticleUpdatedData,
    ArticleWithdrawn,
    ArticleWithdrawnData,
)
from newsroom.shared.events.enrichment import (
    ArticleEnriched,
    ArticleEnrichedData,
    EnrichedEntity,
    EnrichedEvent,
    EntityMention,
    TimelineEntry,
)
from newsroom.shared.events.envelope import Envelope
from newsroom.shared.events.pages import PageChanged, PageChangedData
from newsroom.shared.events.registry import (
    EVENT_TYPES,
    AnyEvent,
    UnknownEventType,
    decode_event,
    decode_event_json,
    upcast,
)

__all__ = [
    "EVENT_TYPES",
    "AnyEvent",
    "ArticleEnriched",
    "ArticleEnrichedData",
    "ArticleEvent",
    "ArticleReceived",
    "ArticleReceivedData",
    "ArticleUpdated",
    "ArticleUpdatedData",
    "ArticleWithdrawn",
    "ArticleWithdrawnData",
    "EnrichedEntity",
    "EnrichedEvent",
    "EntityMention",
    "Envelope",
    "PageChanged",
    "PageChangedData",
    "TimelineEntry",
    "UnknownEventType",
    "decode_event",
    "decode_event_json",
    "upcast",
]
