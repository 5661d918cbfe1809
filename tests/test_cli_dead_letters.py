"""`newsroom dead-letters`: an operator sees what was parked and why, and can send it back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import redis

from newsroom.shared.streaming.dead_letters import RETRY_FOR_GROUP, dead_letter_fields
from newsroom.shared.streams import DEAD_LETTERS_STREAM
from support.streams import stream_messages

NEWSROOM = str(Path(sys.executable).with_name("newsroom"))
EVENT = {"id": "evt-1", "type": "newsroom.article.received.v1", "subject": "a1"}


def run(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSROOM, "dead-letters", "--redis-url", redis_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def park(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url)
    try:
        fields = dead_letter_fields(
            stream="newsroom:articles:0",
            group="render",
            entry_id="1-0",
            body=json.dumps(EVENT).encode(),
            error=KeyError("headline"),
            deliveries=5,
        )
        return client.xadd(DEAD_LETTERS_STREAM, fields).decode()  # type: ignore[arg-type,union-attr]
    finally:
        client.close()


def test_lists_each_dead_letter_with_its_event_and_reason(redis_url: str) -> None:
    assert "no dead letters" in run(redis_url).stdout
    letter = park(redis_url)
    listed = run(redis_url).stdout
    assert letter in listed
    assert "evt-1 newsroom.article.received.v1" in listed
    assert "newsroom:articles:0/render" in listed
    assert "KeyError: 'headline'" in listed


def test_requeue_publishes_the_event_again_and_drops_the_dead_letter(redis_url: str) -> None:
    letter = park(redis_url)
    result = run(redis_url, "--requeue", letter)
    assert result.returncode == 0, result.stderr
    [(body, headers)] = stream_messages(redis_url, "newsroom:articles:0")
    assert body == EVENT
    # Only the group that parked it processes it again.
    assert headers[RETRY_FOR_GROUP] == "render"
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.xlen(DEAD_LETTERS_STREAM) == 0
    finally:
        client.close()
    assert run(redis_url, "--requeue", letter).returncode == 1  # gone: nothing to requeue
