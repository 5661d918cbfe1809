"""What a FastStream publisher wrote to a Redis stream, read back over a real connection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import redis
from faststream.redis.parser.binary import BinaryMessageFormatV1


def stream_messages(redis_url: str, stream: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every entry of `stream` as (JSON body, FastStream headers), in stream order."""
    client = redis.Redis.from_url(redis_url)
    try:
        entries = client.xrange(stream)
    finally:
        client.close()
    messages = []
    for _, fields in entries:
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        messages.append((json.loads(body), headers))
    return messages


def consumers_caught_up(redis_url: str, streams: Sequence[str]) -> bool:
    """Whether every consumer group of these streams has read every entry and acknowledged it:
    every event published so far is applied wherever it goes."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        groups = [group for stream in streams for group in client.xinfo_groups(stream)]
    finally:
        client.close()
    return bool(groups) and all(group["lag"] == 0 and group["pending"] == 0 for group in groups)
