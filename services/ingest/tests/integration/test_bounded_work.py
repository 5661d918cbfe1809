"""Bounded unauthenticated work, over real HTTP (uvicorn, raw sockets where a well-behaved
client cannot misbehave enough): the signature headers are checked before the body is read,
body bytes in flight are capped across requests (503), a body has a deadline (408), a client
that leaves is logged as such (not a 500), and an error response that leaves a body unread, or
a 500, closes the connection saying so."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from ingest_test_support import make_settings, serve_over_http, signed
from newsroom.ingest.bootstrap import create_app

pytestmark = pytest.mark.integration

ITEMS = "/v1/sources/wire/items"


def story(size: int = 0) -> bytes:
    item = {
        "uri": f"urn:test:{uuid.uuid4()}",
        "versioncreated": "2021-09-20T09:00:00Z",
        "headline": "Bounded",
        "body_text": "Text.",
    }
    body = json.dumps(item).encode()
    if size > len(body):  # padded with JSON whitespace to the size wanted
        body = body[:-1] + b" " * (size - len(body)) + b"}"
    return body


@contextmanager
def ingest(sqlite_url: str, redis_url: str, **overrides: object) -> Iterator[str]:
    settings = make_settings(sqlite_url, redis_url, **overrides)
    with serve_over_http(create_app(settings, relay_poll_interval=0.1)) as base_url:
        yield base_url


def open_request(base_url: str, headers: dict[str, str], body_part: bytes = b"") -> socket.socket:
    """A POST whose headers (and `body_part`) are sent; the rest of the body is up to the test."""
    address = urlsplit(base_url)
    connection = socket.create_connection((address.hostname, address.port), timeout=20)
    lines = [f"POST {ITEMS} HTTP/1.1", f"host: {address.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body_part)
    return connection


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one response; the connection's end tells where it ends."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"closed without a response: {received!r}"
        received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = connection.recv(65536)
        assert chunk, "closed mid-response"
        rest += chunk
    return int(status_line.split()[1]), headers, rest[:length]


def closed_by_server(connection: socket.socket) -> bool:
    connection.settimeout(20)
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True


def test_signature_headers_are_checked_before_the_body_is_read(
    sqlite_url: str, redis_url: str
) -> None:
    with ingest(sqlite_url, redis_url) as base_url:
        for headers in (
            {},  # no signature at all
            {**signed(b"{}"), "webhook-timestamp": str(int(time.time()) - 3600)},  # stale
        ):
            # A 5 MB body announced, none of it sent: the answer comes without it.
            connection = open_request(
                base_url,
                {**headers, "content-type": "application/json", "content-length": "5000000"},
            )
            status, answer, body = read_response(connection)
            assert status == 401, body
            assert answer["content-type"] == "application/problem+json"
            assert answer["connection"] == "close"
            assert closed_by_server(connection)


def test_body_bytes_in_flight_are_capped_across_requests(sqlite_url: str, redis_url: str) -> None:
    with ingest(
        sqlite_url, redis_url, max_body_bytes=2000, max_body_bytes_in_flight=3000
    ) as base_url:
        slow = story(1500)
        held = open_request(
            base_url,
            {**signed(slow), "content-length": str(len(slow))},
            slow[:100],
        )
        # Once the slow delivery holds its 1500 bytes, another 1500 do not fit.
        busy = None
        for _ in range(100):
            other = story(1600)
            answer = httpx.post(f"{base_url}{ITEMS}", content=other, headers=signed(other))
            if answer.status_code == 503:
                busy = answer
                break
            assert answer.status_code == 202, answer.text
        assert busy is not None, "never refused as busy"
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["type"].endswith("/problems/busy")
        assert int(busy.headers["retry-after"]) > 0
        # Smaller bodies still fit beside it.
        small = story()
        assert (
            httpx.post(f"{base_url}{ITEMS}", content=small, headers=signed(small)).status_code
            == 202
        )
        # The slow one completes and is accepted; its bytes are given back.
        held.sendall(slow[100:])
        status, _, body = read_response(held)
        assert status == 202, body
        held.close()
        other = story(1600)
        assert (
            httpx.post(f"{base_url}{ITEMS}", content=other, headers=signed(other)).status_code
            == 202
        )


def test_a_body_that_does_not_arrive_in_time_is_a_408(sqlite_url: str, redis_url: str) -> None:
    with ingest(sqlite_url, redis_url, body_read_timeout_seconds=1) as base_url:
        body = story()
        connection = open_request(
            base_url, {**signed(body), "content-length": str(len(body))}, body[:10]
        )
        status, headers, answer = read_response(connection)
        assert status == 408, answer
        assert json.loads(answer)["type"].endswith("/problems/body-timeout")
        assert headers["connection"] == "close"
        assert closed_by_server(connection)


def status_count(status: str) -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name == "newsroom_ingest_request_duration_seconds":
            for sample in metric.samples:
                if sample.name.endswith("_count") and sample.labels["status"] == status:
                    total += sample.value
    return total


def test_a_client_leaving_mid_body_is_logged_as_such_not_as_a_500(
    sqlite_url: str, redis_url: str, corpus_dir: Path
) -> None:
    with ingest(sqlite_url, redis_url) as base_url, capture_logs() as logs:
        errors_before = status_count("500")
        body = story(5000)
        connection = open_request(
            base_url, {**signed(body), "content-length": str(len(body))}, body[:100]
        )
        connection.close()
        deadline = time.monotonic() + 20
        while not any(entry["event"] == "client_disconnected" for entry in logs):
            assert time.monotonic() < deadline, logs
            time.sleep(0.05)
    gone = next(entry for entry in logs if entry["event"] == "client_disconnected")
    assert gone["log_level"] == "info"
    assert not [entry for entry in logs if entry["log_level"] in ("error", "critical")], logs
    assert status_count("500") == errors_before
    assert status_count("499") >= 1


def test_a_500_tells_the_client_the_connection_closes(sqlite_url: str, redis_url: str) -> None:
    def broken_parser(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("the parser broke")

    settings = make_settings(sqlite_url, redis_url)
    app = create_app(settings, parser=broken_parser)  # type: ignore[arg-type]
    with serve_over_http(app) as base_url:
        body = story()
        connection = open_request(
            base_url, {**signed(body), "content-length": str(len(body))}, body
        )
        status, headers, _ = read_response(connection)
        assert status == 500
        assert headers["connection"] == "close"
        assert closed_by_server(connection)
        # A client that follows the header opens a new connection and gets through.
        with httpx.Client(base_url=base_url) as client:
            assert client.get("/healthz").status_code == 200
