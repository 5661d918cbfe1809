"""The HTTP app with an injected parser and publisher: status codes, problem+json, bodies.

The inbox is a SQLite file in tmp_path; Redis is replaced by a recording publisher (what
reaches real Redis is covered in tests/integration)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from starlette.types import Message

from ingest_test_support import make_settings, signed, signed_github, signed_superdesk
from newsroom.ingest.bootstrap import create_app
from newsroom.ingest.domain.errors import MalformedBody, UnsupportedFormat, UnusableItem
from newsroom.ingest.domain.refusals import BodyTooLarge, InvalidContentLength
from newsroom.ingest.entrypoints.bodies import BodyBudget, read_body
from newsroom.shared.article import Article, PubStatus
from newsroom.shared.outbox import PendingEvent

PROBLEM = "application/problem+json"


class RecordingPublisher:
    def __init__(self) -> None:
        self.events: list[PendingEvent] = []

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        self.events.extend(events)


def fake_parser(
    body: bytes,
    content_type: str | None,
    *,
    source: str,
    default_timezone: str = "UTC",
    received_at: datetime | None = None,
) -> list[Article]:
    """Reads a tiny test format: JSON list of {uri, version, hour, pubstatus?, headline?}, or
    raises the refusal named by {"refuse": ...}; anything else fails as a programming error."""
    data = json.loads(body)
    if isinstance(data, dict) and "refuse" in data:
        refusal = {
            "malformed": MalformedBody("not well-formed", pointer="/"),
            "format": UnsupportedFormat("no wire format recognised"),
            "unusable": UnusableItem("no identifier", pointer="/uri"),
        }.get(data["refuse"])
        if refusal is None:
            raise RuntimeError("the parser broke")
        raise refusal
    return [
        Article(
            source=source,
            uri=item["uri"],
            version=item["version"],
            versioncreated=datetime(2024, 1, 1, item["hour"], tzinfo=UTC),
            pubstatus=PubStatus(item.get("pubstatus", "usable")),
            headline=item.get("headline", "A headline"),
            body_text="Text.",
        )
        for item in data
    ]


def items_body(*items: dict[str, object]) -> bytes:
    return json.dumps(list(items)).encode()


STORY = {"uri": "urn:test:1", "version": "1", "hour": 9, "headline": "Story one"}


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def client(sqlite_url: str, publisher: RecordingPublisher) -> Iterator[TestClient]:
    settings = make_settings(sqlite_url, "redis://127.0.0.1:1/0", max_body_bytes=4096)
    app = create_app(settings, parser=fake_parser, publisher=publisher, relay_poll_interval=0.05)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, body: bytes, headers: dict[str, str] | None = None) -> object:
    return client.post("/v1/sources/wire/items", content=body, headers=headers or signed(body))


def wait_for_events(publisher: RecordingPublisher, count: int) -> list[PendingEvent]:
    deadline = time.monotonic() + 10
    while len(publisher.events) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return publisher.events


def published_before_sentinel(client: TestClient, publisher: RecordingPublisher) -> list[str]:
    """The event ids published before a sentinel story delivered now: the relay publishes in
    outbox order, so once the sentinel is out, everything recorded before it is too."""
    sentinel = {"uri": f"urn:test:sentinel:{time.time_ns()}", "version": "1", "hour": 12}
    response = post(client, items_body(sentinel))
    assert response.status_code == 202
    sentinel_id = response.json()["event_id"]
    deadline = time.monotonic() + 10
    while sentinel_id not in (ids := [event.event_id for event in publisher.events]):
        assert time.monotonic() < deadline, "the sentinel story was not published"
        time.sleep(0.02)
    return ids[: ids.index(sentinel_id)]


def assert_problem(response: object, status: int, problem: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["type"] == f"http://ingest.test/problems/{problem}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"]
    return body


def test_accepted_item_answers_202_with_links_and_is_published(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    response = client.post(
        "/v1/sources/wire/items", content=items_body(STORY), headers=signed(items_body(STORY))
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "accepted"
    assert body["version"] == "1"
    assert body["links"]["api"] == f"http://render.test/api/articles/{body['article_id']}"
    assert body["links"]["page"].startswith("http://render.test/articles/story-one-")
    events = wait_for_events(publisher, 1)
    assert [event.event_id for event in events] == [body["event_id"]]
    assert events[0].message["type"] == "newsroom.article.received.v1"
    assert events[0].message["source"] == "/sources/wire"


def test_same_version_again_is_a_200_duplicate_and_not_published(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    first = post(client, items_body(STORY))
    again = post(client, items_body(STORY))
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["event_id"] == first.json()["event_id"]
    assert published_before_sentinel(client, publisher) == [first.json()["event_id"]]


def test_replayed_webhook_id_is_answered_as_duplicate(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    body = items_body(STORY)
    headers = signed(body, msg_id="msg_replayed")
    assert client.post("/v1/sources/wire/items", content=body, headers=headers).status_code == 202
    # The same delivery id with a new, valid timestamp (a sender's retry).
    retry = signed(body, msg_id="msg_replayed")
    replay = client.post("/v1/sources/wire/items", content=body, headers=retry)
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    assert len(published_before_sentinel(client, publisher)) == 1


def test_several_articles_in_one_body_are_listed(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    post(client, items_body(STORY))
    second = {"uri": "urn:test:2", "version": "7", "hour": 10}
    response = post(client, items_body(STORY, second))
    assert response.status_code == 202
    body = response.json()
    assert [item["status"] for item in body["items"]] == ["duplicate", "accepted"]
    assert body["article_id"] == body["items"][1]["article_id"]
    assert len(wait_for_events(publisher, 2)) == 2


def test_versions_publish_received_updated_withdrawn_in_order(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    for version, hour, status in (("1", 9, "usable"), ("2", 10, "usable"), ("3", 11, "canceled")):
        item = {**STORY, "version": version, "hour": hour, "pubstatus": status}
        assert post(client, items_body(item)).status_code == 202
    types = [event.message["type"] for event in wait_for_events(publisher, 3)]
    assert types == [
        "newsroom.article.received.v1",
        "newsroom.article.updated.v1",
        "newsroom.article.withdrawn.v1",
    ]
    slugs = {event.message["data"]["slug"] for event in publisher.events}
    assert len(slugs) == 1


@pytest.mark.parametrize(
    ("refuse", "status", "problem", "pointer"),
    [
        ("malformed", 400, "malformed-body", "/"),
        ("format", 415, "unsupported-format", None),
        ("unusable", 422, "unusable-item", "/uri"),
    ],
)
def test_parser_refusals_map_to_their_status(
    client: TestClient, refuse: str, status: int, problem: str, pointer: str | None
) -> None:
    body = json.dumps({"refuse": refuse}).encode()
    problem_body = assert_problem(post(client, body), status, problem)
    assert problem_body.get("pointer") == pointer


def test_an_unexpected_failure_is_a_500_problem(client: TestClient) -> None:
    body = json.dumps({"refuse": "crash"}).encode()
    assert_problem(post(client, body), 500, "internal-error")


def test_forged_signature_is_401(client: TestClient, publisher: RecordingPublisher) -> None:
    body = items_body(STORY)
    headers = signed(body, secret="whsec_Zm9yZ2VkIGJ5IHNvbWVvbmUgZWxzZQ==")
    assert_problem(post(client, body, headers), 401, "invalid-signature")
    assert published_before_sentinel(client, publisher) == []


def test_unsigned_and_unknown_source_are_401(client: TestClient) -> None:
    body = items_body(STORY)
    assert_problem(
        post(client, body, {"content-type": "application/json"}), 401, "invalid-signature"
    )
    response = client.post("/v1/sources/nobody/items", content=body, headers=signed(body))
    assert_problem(response, 401, "unknown-source")
    metrics = client.get("/metrics").text
    assert 'reason="unknown-source",source="(unknown)"' in metrics
    assert 'source="nobody"' not in metrics


def test_stale_timestamp_is_401(client: TestClient) -> None:
    body = items_body(STORY)
    headers = signed(body, timestamp=int(time.time()) - 3600)
    assert_problem(post(client, body, headers), 401, "stale-timestamp")


def test_superdesk_and_github_schemes(client: TestClient) -> None:
    body = items_body(STORY)
    response = client.post(
        "/v1/sources/superdesk/items", content=body, headers=signed_superdesk(body)
    )
    assert response.status_code == 202
    response = client.post(
        "/v1/sources/hub/items", content=body, headers=signed_github(body, "delivery-1")
    )
    assert response.status_code == 202
    # Standard Webhooks headers mean nothing to a Superdesk source.
    response = client.post("/v1/sources/superdesk/items", content=body, headers=signed(body))
    assert_problem(response, 401, "invalid-signature")


def test_oversize_body_is_413_by_content_length(client: TestClient) -> None:
    body = b"[" + b" " * 5000 + b"]"
    assert_problem(post(client, body), 413, "body-too-large")


def test_oversize_chunked_body_is_413_while_streaming(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    response = client.post(
        "/v1/sources/wire/items", content=chunks(), headers=signed(b"irrelevant")
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body-too-large")


def test_framework_errors_are_problems_too(client: TestClient) -> None:
    assert_problem(client.get("/no/such/page"), 404, "not-found")
    response = client.get("/v1/sources/wire/items")
    assert_problem(response, 405, "method-not-allowed")
    assert "POST" in response.headers["allow"]


def test_health_readiness_metrics_and_problem_descriptions(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}
    post(client, items_body(STORY))
    post(client, items_body(STORY), signed(items_body(STORY), timestamp=1))
    metrics = client.get("/metrics").text
    assert 'newsroom_ingest_items_accepted_total{outcome="received",source="wire"}' in metrics
    assert 'newsroom_ingest_requests_refused_total{reason="stale-timestamp",source="wire"}' in (
        metrics
    )
    assert "newsroom_ingest_request_duration_seconds_bucket" in metrics
    assert "newsroom_ingest_outbox_backlog" in metrics
    described = client.get("/problems/stale-timestamp")
    assert described.status_code == 200
    assert "clock" in described.json()["description"]


@pytest.mark.parametrize(
    ("declared", "refusal"),
    [
        # Latin-1 "²": str.isdigit() is True, int() raises.
        (b"\xb2", InvalidContentLength),
        (b"+12", InvalidContentLength),
        # More digits than int() converts by default: certainly over the limit.
        (b"9" * 5000, BodyTooLarge),
    ],
    ids=["superscript-two", "signed", "huge"],
)
def test_garbled_content_length_is_refused_not_crashed_on(
    declared: bytes, refusal: type[Exception]
) -> None:
    # Built by hand: HTTP servers (h11, httptools) and the test client (which re-encodes header
    # values as UTF-8) never hand such bytes to the app, another ASGI server might.
    async def receive() -> Message:
        return {"type": "http.request", "body": b"[]", "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/sources/wire/items",
        "headers": [(b"content-length", declared)],
    }

    async def read() -> None:
        budget = BodyBudget(1 << 20)
        async with read_body(
            Request(scope, receive), limit=4096, budget=budget, deadline_seconds=5
        ):
            pass

    with pytest.raises(refusal):
        asyncio.run(read())
