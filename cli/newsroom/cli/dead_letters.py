"""`newsroom dead-letters`: what could not be processed and why; requeue once fixed.

The dead-letter stream is one key, whatever the shard count: each letter names the shard
stream its event came from, and requeueing appends the event to that stream again. On a Redis
Cluster (`--redis-cluster`) the clients route each command to the master of its key's slot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from newsroom.shared.streaming.consumers import create_broker, create_redis_client
from newsroom.shared.streaming.dead_letters import RETRY_FOR_GROUP
from newsroom.shared.streams import DEAD_LETTERS_STREAM, STREAM_MAXLEN

# Requeue-all reads the dead-letter stream this many at a time.
PAGE = 500


@dataclass(frozen=True)
class DeadLetter:
    id: str
    fields: dict[str, str]

    @property
    def event(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.fields.get("event", ""))
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def summary(self) -> str:
        event = self.event
        return (
            f"{self.id}  {self.fields.get('failed_at', '?')}  "
            f"{self.fields.get('stream')}/{self.fields.get('group')} entry {self.fields.get('entry_id')} "
            f"after {self.fields.get('deliveries')} deliveries\n"
            f"    event {event.get('id', '?')} {event.get('type', '?')}\n"
            f"    {self.fields.get('error_type')}: {self.fields.get('reason', '').splitlines()[0][:300]}"
        )

    def details(self) -> str:
        """Everything the letter holds: its fields, the event (indented JSON when it is JSON)
        and the traceback of the last failure."""
        lines = [f"dead letter {self.id}"]
        for name in ("stream", "group", "entry_id", "deliveries", "failed_at", "error_type"):
            lines.append(f"  {name}: {self.fields.get(name, '?')}")
        lines.append(f"  reason: {self.fields.get('reason', '')}")
        event = self.event
        lines.append("event:")
        lines.append(json.dumps(event, indent=2) if event else self.fields.get("event", ""))
        lines.append("traceback:")
        lines.append(self.fields.get("traceback", ""))
        return "\n".join(lines)


@asynccontextmanager
async def _client(redis_url: str, cluster: bool) -> AsyncIterator[Redis]:
    redis = create_redis_client(redis_url, cluster=cluster)
    try:
        yield redis
    finally:
        await redis.aclose()


async def list_dead_letters(
    redis_url: str, count: int, *, cluster: bool = False
) -> list[DeadLetter]:
    """The newest `count` dead letters, newest first."""
    async with _client(redis_url, cluster) as redis:
        return _letters(await redis.xrevrange(DEAD_LETTERS_STREAM, count=count))


async def dead_letter(redis_url: str, entry_id: str, *, cluster: bool = False) -> DeadLetter:
    async with _client(redis_url, cluster) as redis:
        return await _one(redis, entry_id)


async def _one(redis: Redis, entry_id: str) -> DeadLetter:
    letters = _letters(await redis.xrange(DEAD_LETTERS_STREAM, min=entry_id, max=entry_id))
    if not letters:
        raise LookupError(f"no dead letter {entry_id}")
    return letters[0]


def _letters(entries: Any) -> list[DeadLetter]:
    # redis-py types stream replies loosely: ids and fields come as bytes.
    return [
        DeadLetter(_text(entry_id), {_text(k): _text(v) for k, v in (fields or {}).items()})
        for entry_id, fields in entries or []
    ]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def requeue(
    redis_url: str, entry_ids: Sequence[str] | None, *, cluster: bool = False
) -> list[DeadLetter]:
    """Publishes each parked event again on the stream it came from, for the group that
    parked it only (the others ack it unseen), then removes its dead letter; oldest first.
    `entry_ids` None: every dead letter. An unknown id raises LookupError before anything is
    requeued."""
    broker = create_broker(redis_url, service="cli", cluster=cluster)
    async with _client(redis_url, cluster) as redis:
        if entry_ids is None:
            letters = await _all(redis)
        else:
            letters = sorted(
                [await _one(redis, entry_id) for entry_id in entry_ids],
                key=lambda letter: tuple(int(part) for part in letter.id.split("-")),
            )
        if not letters:
            return []
        await broker.start()
        try:
            for letter in letters:
                await broker.publish(
                    letter.event or letter.fields["event"],
                    stream=letter.fields["stream"],
                    maxlen=STREAM_MAXLEN,
                    headers={
                        "message_id": str(letter.event.get("id", letter.id)),
                        RETRY_FOR_GROUP: letter.fields["group"],
                    },
                )
                # After the publish: a crash in between requeues it again next time, and the
                # consumers drop the repeated event id.
                await redis.xdel(DEAD_LETTERS_STREAM, letter.id)
        finally:
            await broker.stop()
    return letters


async def _all(redis: Redis) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    start = "-"
    while page := _letters(await redis.xrange(DEAD_LETTERS_STREAM, min=start, count=PAGE)):
        letters.extend(page)
        start = f"({page[-1].id}"
    return letters
