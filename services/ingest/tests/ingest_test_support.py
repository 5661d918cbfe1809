"""Helpers of the ingest tests: settings with signed sources, signing deliveries."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from newsroom.ingest.domain.signatures import sign_github, sign_standard_webhook, sign_superdesk
from newsroom.shared.settings import IngestSettings
from newsroom.shared.streams import articles_stream
from support.streams import stream_messages

# Test-only secrets (whsec_ + base64 of a readable phrase).
WIRE_SECRET = "whsec_dGVzdCBzZWNyZXQgb2YgdGhlIHdpcmUgc291cmNl"
WIRE_OLD_SECRET = "whsec_b2xkIHNlY3JldCBvZiB0aGUgd2lyZSBzb3VyY2U="
SUPERDESK_SECRET = "superdesk-push-secret"
GITHUB_SECRET = "github-style-secret"


def sources() -> dict[str, object]:
    return {
        "wire": {"secrets": [WIRE_SECRET, WIRE_OLD_SECRET]},
        "superdesk": {"scheme": "superdesk-sha1", "secrets": [SUPERDESK_SECRET]},
        "hub": {"scheme": "github-sha256", "secrets": [GITHUB_SECRET]},
    }


def make_settings(database_url: str, redis_url: str, **overrides: object) -> IngestSettings:
    return IngestSettings.model_validate(
        {
            "redis_url": redis_url,
            "database_url": database_url,
            "newsroom_sources": json.dumps(sources()),
            "render_base_url": "http://render.test",
            "public_base_url": "http://ingest.test",
            **overrides,
        }
    )


def signed(
    body: bytes,
    *,
    secret: str = WIRE_SECRET,
    msg_id: str | None = None,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    headers = sign_standard_webhook(
        secret,
        msg_id or f"msg_{uuid.uuid4().hex}",
        int(time.time()) if timestamp is None else timestamp,
        body,
    )
    return {**headers, "content-type": content_type}


def signed_superdesk(body: bytes) -> Mapping[str, str]:
    return {**sign_superdesk(SUPERDESK_SECRET, body), "content-type": "application/json"}


def signed_github(body: bytes, delivery: str) -> Mapping[str, str]:
    return {
        **sign_github(GITHUB_SECRET, body),
        "x-github-delivery": delivery,
        "content-type": "application/json",
    }


def articles_stream_events(redis_url: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every entry of the articles stream as (event body, FastStream headers), in stream order."""
    return stream_messages(redis_url, articles_stream())


def wait_for_stream(
    redis_url: str, count: int, timeout: float = 20.0
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    deadline = time.monotonic() + timeout
    while True:
        events = articles_stream_events(redis_url)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.05)


@contextlib.contextmanager
def serve_over_http(app: ASGIApp) -> Iterator[str]:
    """Run the app with uvicorn in a thread on a port the OS chose (bound here, handed to
    uvicorn: no other process can take it in between); yield its base URL."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the ingest app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()


def sentinel_story(corpus_dir: Path) -> bytes:
    """The seed story under a uri of its own, which no test delivers otherwise."""
    item = json.loads((corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes())
    item.update(uri=f"urn:test:sentinel:{uuid.uuid4().hex}", headline="Sentinel")
    return json.dumps(item).encode()


def events_before_sentinel(
    client: httpx.Client, corpus_dir: Path, redis_url: str, base_url: str = ""
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """What the articles stream holds before a sentinel story delivered now. The relay
    publishes in outbox order, so once the sentinel's event is in the stream, every event
    recorded before it is too: no waiting for something that should not happen."""
    body = sentinel_story(corpus_dir)
    response = client.post(f"{base_url}/v1/sources/wire/items", content=body, headers=signed(body))
    assert response.status_code == 202, response.text
    sentinel_id = response.json()["event_id"]
    deadline = time.monotonic() + 20
    while True:
        events = articles_stream_events(redis_url)
        ids = [message["id"] for message, _ in events]
        if sentinel_id in ids:
            return events[: ids.index(sentinel_id)]
        if time.monotonic() > deadline:
            raise AssertionError("the sentinel story was not published")
        time.sleep(0.05)
