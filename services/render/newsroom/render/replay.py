"""Rebuilding the read model from the start of the log: re-projection, no NLP.

The projection is order-independent (the property test proves it), so the streams are read
one after the other from id 0 in batches, each batch applied in one transaction."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import cast

import structlog
from faststream.redis.parser.binary import BinaryMessageFormatV1
from pydantic import ValidationError
from redis.asyncio import Redis

from newsroom.render.domain.projection import RenderEvent
from newsroom.render.service import Projector
from newsroom.shared.events import decode_event
from newsroom.shared.streams import articles_stream, enriched_stream

log = structlog.get_logger(__name__)

RENDER_EVENT_TYPES = (
    "newsroom.article.received.v1",
    "newsroom.article.updated.v1",
    "newsroom.article.withdrawn.v1",
    "newsroom.article.enriched.v1",
)


@dataclass
class ReplayStats:
    entries: int = 0
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0


def decode_entry(fields: dict[bytes, bytes]) -> RenderEvent | None:
    """The event in a FastStream stream entry; None when it is not one render projects."""
    raw = fields.get(b"__data__")
    if raw is None:
        return None
    body, _headers = BinaryMessageFormatV1.parse(raw)
    event = decode_event(json.loads(body))
    if event.type not in RENDER_EVENT_TYPES:
        return None
    return event  # type: ignore[return-value]


async def read_stream(
    redis: Redis, stream: str, batch: int
) -> AsyncIterator[list[tuple[bytes, dict[bytes, bytes]]]]:
    start = "-"
    while True:
        entries = await redis.xrange(stream, min=start, max="+", count=batch)
        if not entries:
            return
        typed = cast(list[tuple[bytes, dict[bytes, bytes]]], entries)
        yield typed
        start = "(" + typed[-1][0].decode()


async def total_entries(redis: Redis, streams: list[str]) -> int:
    return sum([int(await redis.xlen(stream)) for stream in streams])


def replay_streams() -> list[str]:
    return [articles_stream(), enriched_stream()]


async def replay(
    redis: Redis,
    projector: Projector,
    *,
    batch: int = 500,
    progress: Callable[[int], None] = lambda _: None,
) -> ReplayStats:
    stats = ReplayStats()
    for stream in replay_streams():
        async for entries in read_stream(redis, stream, batch):
            events: list[RenderEvent] = []
            for entry_id, fields in entries:
                try:
                    event = decode_entry(fields)
                except (ValueError, ValidationError) as exc:
                    # A poison entry: live consumers parked it as a dead letter; skip it here too.
                    log.warning(
                        "replay_entry_skipped",
                        stream=stream,
                        entry_id=entry_id.decode(),
                        error=repr(exc)[:300],
                    )
                    event = None
                if event is None:
                    stats.skipped += 1
                else:
                    events.append(event)
            result = await projector.apply(events)
            stats.entries += len(entries)
            stats.applied += result.applied
            stats.duplicates += result.duplicates
            progress(len(entries))
    return stats
