"""What a FastStream publisher wrote to a Redis stream, read back over a real connection."""

from __future__ import annotations

import json
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
