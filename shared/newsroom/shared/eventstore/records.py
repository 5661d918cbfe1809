"""An event as the archive stores it: read from a stream entry's envelope, kept as sent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from newsroom.shared.eventstore.entry_ids import EntryId


@dataclass(frozen=True)
class EventRecord:
    """What one archived row holds (without its position)."""

    event_id: str
    stream: str
    entry_id: EntryId
    event_type: str
    subject: str
    causation_id: str | None
    correlation_id: str
    body: str


@dataclass(frozen=True)
class ArchivedEvent:
    position: int
    record: EventRecord

    def envelope(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.record.body)
        return decoded


class ArchivedBody(NamedTuple):
    """What a replay reads of an archived row: its body only when it is of a type asked for
    (None: another type, its body left in the database)."""

    position: int
    event_id: str
    event_type: str
    body: str | None
    subject: str = ""  # the article: a parallel replay partitions by it before decoding


def record_of_entry(stream: str, entry_id: EntryId, body: str | bytes) -> EventRecord:
    """The record of an envelope's JSON text; ValueError when it is not an event (not JSON, or
    without the CloudEvents attributes every Newsroom event has)."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict):
        raise ValueError("a stream entry's body is not a JSON object")
    try:
        event_id = str(envelope["id"])
        event_type = str(envelope["type"])
        subject = str(envelope["subject"])
        correlation_id = str(envelope["correlationid"])
    except KeyError as exc:
        raise ValueError(f"an event without {exc.args[0]!r}") from exc
    causation = envelope.get("causationid")
    return EventRecord(
        event_id=event_id,
        stream=stream,
        entry_id=entry_id,
        event_type=event_type,
        subject=subject,
        causation_id=None if causation is None else str(causation),
        correlation_id=correlation_id,
        body=body.decode() if isinstance(body, bytes) else body,
    )
