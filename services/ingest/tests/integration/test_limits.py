"""Identifiers longer than the inbox holds are refused with a problem naming them, on SQLite
and on PostgreSQL (where an over-long value would fail the INSERT, a 500 on every retry)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest_test_support import (
    articles_stream_events,
    make_settings,
    serve_over_http,
    signed,
    signed_github,
)
from newsroom.ingest.adapters.migrate import run_migrations
from newsroom.ingest.bootstrap import create_app

pytestmark = pytest.mark.integration


@pytest.fixture
def ingest(database_url: str, redis_url: str) -> Iterator[httpx.Client]:
    """Ingest over HTTP on each backend (the root conftest's `database_url`)."""
    run_migrations(database_url)
    settings = make_settings(database_url, redis_url)
    with (
        serve_over_http(create_app(settings, relay_poll_interval=0.1)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        yield client


def story(corpus_dir: Path, **changes: str) -> bytes:
    item = json.loads((corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes())
    item.update(changes)
    return json.dumps(item).encode()


def assert_problem(
    response: httpx.Response, status: int, problem: str, pointer: str
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(f"/problems/{problem}")
    assert body["pointer"] == pointer
    return body


def test_webhook_id_longer_than_200_characters_is_a_400_naming_the_header(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = story(corpus_dir)
    too_long = "msg_" + "x" * 197
    response = ingest.post(
        "/v1/sources/wire/items", content=body, headers=signed(body, msg_id=too_long)
    )
    problem = assert_problem(response, 400, "delivery-id-too-long", "header:webhook-id")
    assert "201" in problem["detail"]
    longest = "msg_" + "x" * 196
    accepted = ingest.post(
        "/v1/sources/wire/items", content=body, headers=signed(body, msg_id=longest)
    )
    assert accepted.status_code == 202, accepted.text
    replay = ingest.post(
        "/v1/sources/wire/items", content=body, headers=signed(body, msg_id=longest)
    )
    assert replay.status_code == 200, replay.text


def test_github_delivery_id_longer_than_200_characters_is_a_400_naming_the_header(
    ingest: httpx.Client, corpus_dir: Path
) -> None:
    body = story(corpus_dir)
    response = ingest.post(
        "/v1/sources/hub/items", content=body, headers=dict(signed_github(body, "d" * 201))
    )
    assert_problem(response, 400, "delivery-id-too-long", "header:x-github-delivery")


def test_uri_longer_than_1000_characters_is_a_422_naming_the_field(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = story(corpus_dir, uri="urn:test:" + "u" * 992)
    response = ingest.post("/v1/sources/wire/items", content=body, headers=signed(body))
    assert_problem(response, 422, "unusable-item", "/uri")
    assert articles_stream_events(redis_url) == []
    longest = story(corpus_dir, uri="urn:test:" + "u" * 991)
    accepted = ingest.post("/v1/sources/wire/items", content=longest, headers=signed(longest))
    assert accepted.status_code == 202, accepted.text


def test_version_longer_than_200_characters_is_a_422_naming_the_field(
    ingest: httpx.Client, corpus_dir: Path
) -> None:
    body = story(corpus_dir, version="9" * 201)
    response = ingest.post("/v1/sources/wire/items", content=body, headers=signed(body))
    assert_problem(response, 422, "unusable-item", "/version")
    longest = story(corpus_dir, version="9" * 200)
    accepted = ingest.post("/v1/sources/wire/items", content=longest, headers=signed(longest))
    assert accepted.status_code == 202, accepted.text
