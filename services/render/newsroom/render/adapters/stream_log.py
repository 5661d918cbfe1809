"""The event log read whole from Redis, for replay (application.ports.EventLog): the articles
and enriched streams from id 0, merged in entry id (log time) order, each entry decoded from
FastStream's binary message format."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any, cast

import structlog
from faststream.redis.parser.binary import BinaryMessageFormatV1
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newsroom.render.adapters.log_decoding import collector_paused
from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import IncompleteLog, LogBatch
from newsroom.render.domain.projection import RENDER_EVENT_TYPES, RenderEvent
from newsroom.shared.events import decode_event
from newsroom.shared.streams import articles_stream, enriched_stream

log = structlog.get_logger(__name__)

Entry = tuple[str, bytes, dict[bytes, bytes]]  # stream, entry id, fields


def replay_streams() -> list[str]:
    return [articles_stream(), enriched_stream()]


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


def entry_envelope(fields: dict[bytes, bytes]) -> Any:
    """The JSON body of a FastStream stream entry (None: the entry has none); ValueError when
    it does not parse."""
    raw = fields.get(b"__data__")
    if raw is None:
        return None
    body, _headers = BinaryMessageFormatV1.parse(raw)
    return json.loads(body)


def envelope_subject(envelope: Any) -> str | None:
    """The article an envelope is about (CloudEvents `subject`), before any validation."""
    subject = envelope.get("subject") if isinstance(envelope, dict) else None
    return subject if isinstance(subject, str) else None


def decode_envelope(envelope: Any) -> RenderEvent | None:
    """The event of a parsed entry body; None when it is not one render projects."""
    if envelope is None:
        return None
    event = decode_event(envelope)
    if event.type not in RENDER_EVENT_TYPES:
        return None
    return event  # type: ignore[return-value]


def decode_entry(fields: dict[bytes, bytes]) -> RenderEvent | None:
    """The event in a FastStream stream entry; None when it is not one render projects."""
    return decode_envelope(entry_envelope(fields))


def _skipped(stream: str, entry_id: bytes, exc: Exception) -> None:
    # A poison entry: live consumers parked it as a dead letter; skip it here.
    log.warning(
        "replay_entry_skipped", stream=stream, entry_id=entry_id.decode(), error=repr(exc)[:300]
    )


def decode_or_skip(stream: str, entry_id: bytes, fields: dict[bytes, bytes]) -> RenderEvent | None:
    """`decode_entry`, with an entry that does not decode logged and skipped (None)."""
    try:
        return decode_entry(fields)
    except (ValueError, ValidationError) as exc:
        _skipped(stream, entry_id, exc)
        return None


def decode_partition(
    entries: Iterable[Entry], partition: Partition
) -> tuple[int, list[RenderEvent]]:
    """How many of `entries` are the partition's, and their events (an entry that does not
    decode is logged and skipped). The body is parsed once, and only the partition's entries
    are validated into events."""
    owned = 0
    events: list[RenderEvent] = []
    for stream, entry_id, fields in entries:
        try:
            envelope = entry_envelope(fields)
        except ValueError as exc:
            if partition.owns(None):
                owned += 1
                _skipped(stream, entry_id, exc)
            continue
        if not partition.owns(envelope_subject(envelope)):
            continue
        owned += 1
        try:
            event = decode_envelope(envelope)
        except (ValueError, ValidationError) as exc:
            _skipped(stream, entry_id, exc)
            continue
        if event is not None:
            events.append(event)
    return owned, events


class RedisStreamLog:
    def __init__(
        self, redis: Redis, streams: list[str] | None = None, *, partition: Partition = WHOLE_LOG
    ) -> None:
        """`partition`: only the entries of its articles (a parallel replay's worker)."""
        self.redis = redis
        self.streams = streams if streams is not None else replay_streams()
        self.partition = partition

    async def require_complete(self) -> None:
        """Raise IncompleteLog when any of the streams lost entries (see missing_entries)."""
        gaps = {stream: await missing_entries(self.redis, stream) for stream in self.streams}
        trimmed = {stream: gap for stream, gap in gaps.items() if gap}
        if trimmed:
            described = ", ".join(f"{s} lost {n} entries" for s, n in trimmed.items())
            raise IncompleteLog(
                f"cannot replay from an incomplete log ({described}: trimmed or deleted); "
                "the rebuilt read model would silently miss those stories"
            )

    async def total_entries(self) -> int:
        return sum([int(await self.redis.xlen(stream)) for stream in self.streams])

    async def batches(self, size: int) -> AsyncIterator[LogBatch]:
        async for entries in self._merged(size):
            with collector_paused():
                if self.partition == WHOLE_LOG:
                    owned = len(entries)
                    events = [
                        event for entry in entries if (event := decode_or_skip(*entry)) is not None
                    ]
                else:
                    owned, events = decode_partition(entries, self.partition)
            yield LogBatch(entries=owned, events=events, skipped=owned - len(events))

    async def _read(self, stream: str, batch: int) -> AsyncIterator[Entry]:
        start = "-"
        while True:
            chunk = await self.redis.xrange(stream, min=start, max="+", count=batch)
            if not chunk:
                return
            typed = cast(list[tuple[bytes, dict[bytes, bytes]]], chunk)
            for entry_id, fields in typed:
                yield stream, entry_id, fields
            start = "(" + typed[-1][0].decode()

    async def _merged(self, batch: int) -> AsyncIterator[list[Entry]]:
        """Every entry of the streams, in entry id (log time) order, in lists of `batch`."""
        readers = [self._read(stream, batch) for stream in self.streams]
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


def _log_position(entry: Entry) -> tuple[int, int]:
    milliseconds, _, sequence = entry[1].partition(b"-")
    return int(milliseconds), int(sequence)
