"""Rebuilding the read model from the start of the log: re-projection, no NLP.

The projection is order-independent (the property test proves it), so any order would do; the
streams are read from id 0 and merged in log (entry id) order, in batches, each batch applied
in one transaction. Log order puts an article's enrichment in the batch of the article
itself (or the next), so most articles are loaded and saved once per batch, not once for
the articles stream and again for the enriched stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import cast

import structlog
from faststream.redis.parser.binary import BinaryMessageFormatV1
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

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


class IncompleteLog(RuntimeError):
    """A stream no longer holds every entry ever added: a replay would build a partial model."""


async def missing_entries(redis: Redis, stream: str) -> int:
    """How many entries were added to `stream` but are gone (trimmed or deleted); 0 for a
    complete log or a stream that does not exist yet."""
    try:
        info = await redis.xinfo_stream(stream)
    except ResponseError as exc:
        if "no such key" in str(exc).lower():
            return 0
        raise
    # entries-added counts every XADD over the stream's life (Redis >= 7.0); length what is
    # left. Trimming (MAXLEN/MINID) and XDEL both open a gap.
    added = int(info.get("entries-added", info["length"]))
    return max(0, added - int(info["length"]))


async def require_complete_log(redis: Redis, streams: list[str]) -> None:
    """Raise IncompleteLog when any of the streams lost entries (see missing_entries)."""
    gaps = {stream: await missing_entries(redis, stream) for stream in streams}
    trimmed = {stream: gap for stream, gap in gaps.items() if gap}
    if trimmed:
        described = ", ".join(f"{s} lost {n} entries" for s, n in trimmed.items())
        raise IncompleteLog(
            f"cannot replay from an incomplete log ({described}: trimmed or deleted); "
            "the rebuilt read model would silently miss those stories"
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


Entry = tuple[str, bytes, dict[bytes, bytes]]  # stream, entry id, fields


async def _entries(redis: Redis, stream: str, batch: int) -> AsyncIterator[Entry]:
    async for chunk in read_stream(redis, stream, batch):
        for entry_id, fields in chunk:
            yield stream, entry_id, fields


def _log_position(entry: Entry) -> tuple[int, int]:
    milliseconds, _, sequence = entry[1].partition(b"-")
    return int(milliseconds), int(sequence)


async def merged_entries(
    redis: Redis, streams: list[str], batch: int
) -> AsyncIterator[list[Entry]]:
    """Every entry of the streams, in entry id (log time) order, in lists of `batch`."""
    readers = [_entries(redis, stream, batch) for stream in streams]
    heads: dict[int, Entry] = {}
    for index, reader in enumerate(readers):
        if (head := await anext(reader, None)) is not None:
            heads[index] = head
    out: list[Entry] = []
    while heads:
        index = min(heads, key=lambda i: _log_position(heads[i]))
        out.append(heads[index])
        if (head := await anext(readers[index], None)) is None:
            del heads[index]
        else:
            heads[index] = head
        if len(out) == batch:
            yield out
            out = []
    if out:
        yield out


async def replay(
    redis: Redis,
    projector: Projector,
    *,
    batch: int = 500,
    progress: Callable[[int], None] = lambda _: None,
) -> ReplayStats:
    await require_complete_log(redis, replay_streams())
    stats = ReplayStats()
    # One batch is applied (in the database worker thread) while the next one is read and
    # decoded here: SQLite releases the GIL while it writes, so the two overlap. Order does
    # not matter to the projection, and the stats are added up once each batch commits.
    pending: asyncio.Task[None] | None = None

    async def apply(events: list[RenderEvent], entries: int) -> None:
        result = await projector.apply(events)
        stats.entries += entries
        stats.applied += result.applied
        stats.duplicates += result.duplicates
        progress(entries)

    try:
        async for entries in merged_entries(redis, replay_streams(), batch):
            events = _decode_batch(entries, stats)
            if pending is not None:
                await pending
            pending = asyncio.create_task(apply(events, len(entries)))
        if pending is not None:
            await pending
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
    return stats


def _decode_batch(entries: list[Entry], stats: ReplayStats) -> list[RenderEvent]:
    events: list[RenderEvent] = []
    for stream, entry_id, fields in entries:
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
    return events
