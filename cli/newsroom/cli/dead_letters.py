"""`newsroom dead-letters`: what could not be processed and why; requeue once fixed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from faststream.redis import RedisBroker
from redis.asyncio import Redis

from newsroom.shared.streaming.dead_letters import RETRY_FOR_GROUP
from newsroom.shared.streams import DEAD_LETTERS_STREAM, STREAM_MAXLEN


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


async def list_dead_letters(redis_url: str, count: int) -> list[DeadLetter]:
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        entries = await redis.xrevrange(DEAD_LETTERS_STREAM, count=count)
    finally:
        await redis.aclose()
    return _letters(entries)


def _letters(entries: Any) -> list[DeadLetter]:
    # redis-py types stream replies loosely; with decode_responses every part is a str.
    return [
        DeadLetter(str(entry_id), {str(k): str(v) for k, v in (fields or {}).items()})
        for entry_id, fields in entries or []
    ]


async def requeue(redis_url: str, entry_id: str) -> str:
    """Publishes the parked event again on the stream it came from, for the group that parked
    it only (the others ack it unseen), then removes the dead letter."""
    redis = Redis.from_url(redis_url, decode_responses=True)
    broker = RedisBroker(redis_url)
    try:
        entries = await redis.xrange(DEAD_LETTERS_STREAM, min=entry_id, max=entry_id)
        if not entries:
            raise LookupError(f"no dead letter {entry_id}")
        [letter] = _letters(entries)
        await broker.start()
        await broker.publish(
            letter.event or letter.fields["event"],
            stream=letter.fields["stream"],
            maxlen=STREAM_MAXLEN,
            headers={
                "message_id": str(letter.event.get("id", entry_id)),
                RETRY_FOR_GROUP: letter.fields["group"],
            },
        )
        await redis.xdel(DEAD_LETTERS_STREAM, entry_id)
        return letter.fields["stream"]
    finally:
        await broker.stop()
        await redis.aclose()
