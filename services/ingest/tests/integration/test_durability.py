"""No accepted item is lost: Redis away, PostgreSQL inbox, concurrent deliveries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ingest_test_support import (
    events_before_sentinel,
    make_settings,
    serve_over_http,
    signed,
    wait_for_stream,
)
from newsroom.ingest.adapters.migrate import run_migrations
from newsroom.ingest.bootstrap import create_app
from newsroom.shared.events import decode_event
from support.servers import RedisServer, free_port

pytestmark = pytest.mark.integration


def story(corpus_dir: Path, uri: str, version: int) -> bytes:
    """The seed story under another uri and version, minutes apart."""
    item = json.loads((corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes())
    item.update(
        uri=uri,
        version=str(version),
        versioncreated=f"2021-09-20T09:{version:02d}:00Z",
        headline=f"{item['headline']} ({uri} v{version})",
    )
    return json.dumps(item).encode()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


def test_redis_down_items_get_202_and_are_published_once_in_order_when_it_is_back(
    own_redis: RedisServer, sqlite_url: str, corpus_dir: Path
) -> None:
    settings = make_settings(sqlite_url, own_redis.url)
    app = create_app(settings, relay_poll_interval=0.1, relay_max_backoff=0.5)
    deliveries = [
        story(corpus_dir, uri, version)
        for version in (1, 2, 3)
        for uri in ("urn:test:alpha", "urn:test:beta")
    ]
    with serve_over_http(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        own_redis.stop()
        event_ids = []
        for body in deliveries:
            response = client.post("/v1/sources/wire/items", content=body, headers=signed(body))
            assert response.status_code == 202, response.text
            event_ids.append(response.json()["event_id"])
        # Still ready: a load balancer must keep sending wires while the outbox holds them.
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {
            "status": "ready",
            "checks": {"database": "ok"},
            "details": {"redis_reachable": False, "outbox_backlog": len(deliveries)},
        }
        metrics = client.get("/metrics").text
        assert "newsroom_ingest_redis_reachable 0.0" in metrics
        assert f"newsroom_ingest_outbox_backlog {len(deliveries)}.0" in metrics
        time.sleep(1.5)  # the relay keeps failing meanwhile, with backoff
        own_redis.start()
        # Anything published twice would be in the stream before the sentinel.
        events = events_before_sentinel(client, corpus_dir, own_redis.url)
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["details"] == {"redis_reachable": True, "outbox_backlog": 0}
        metrics = client.get("/metrics").text
        assert "newsroom_ingest_redis_reachable 1.0" in metrics
        assert "newsroom_ingest_outbox_backlog 0.0" in metrics
    published = [decode_event(message).id for message, _ in events]
    assert published == event_ids


def test_readyz_is_503_when_the_database_is_unreachable(redis_url: str) -> None:
    # Nothing listens on this port: the inbox cannot record anything, so not ready.
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/ingest"
    settings = make_settings(unreachable, redis_url)
    with (
        serve_over_http(create_app(settings, relay_poll_interval=0.1)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        response = client.get("/readyz")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/problems/not-ready")
    assert problem["checks"]["database"] != "ok"
    # Unknown: the database did not answer.
    assert problem["details"] == {"redis_reachable": True, "outbox_backlog": None}


@pytest.fixture
def postgres_inbox(postgres_url: str) -> str:
    run_migrations(postgres_url)
    return postgres_url


def test_inbox_on_postgresql(postgres_inbox: str, redis_url: str, corpus_dir: Path) -> None:
    settings = make_settings(postgres_inbox, redis_url)
    v1 = (corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes()
    v2 = (corpus_dir / "seed" / "space-race-2.v2.ninjs.json").read_bytes()
    with (
        serve_over_http(create_app(settings, relay_poll_interval=0.1)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        assert client.get("/readyz").status_code == 200
        first = client.post("/v1/sources/wire/items", content=v1, headers=signed(v1))
        assert first.status_code == 202
        again = client.post("/v1/sources/wire/items", content=v1, headers=signed(v1))
        assert again.status_code == 200
        assert again.json()["status"] == "duplicate"
        replay_headers = signed(v2, msg_id="msg_pg_v2")
        assert (
            client.post("/v1/sources/wire/items", content=v2, headers=replay_headers).status_code
            == 202
        )
        replay = client.post(
            "/v1/sources/wire/items", content=v2, headers=signed(v2, msg_id="msg_pg_v2")
        )
        assert replay.json()["status"] == "duplicate"
        events = [decode_event(message) for message, _ in wait_for_stream(redis_url, 2)]
    assert [event.type for event in events] == [
        "newsroom.article.received.v1",
        "newsroom.article.updated.v1",
    ]
    assert events[0].id == first.json()["event_id"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_deliveries_of_one_new_version_publish_one_event(
    backend: str, request: pytest.FixtureRequest, redis_url: str, corpus_dir: Path
) -> None:
    database_url = request.getfixturevalue(
        "sqlite_url" if backend == "sqlite" else "postgres_inbox"
    )
    settings = make_settings(database_url, redis_url)
    body = story(corpus_dir, "urn:test:race", 1)
    other_version = story(corpus_dir, "urn:test:race", 2)
    with (
        serve_over_http(create_app(settings, relay_poll_interval=0.1)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):

        def deliver(payload: bytes) -> httpx.Response:
            return client.post("/v1/sources/wire/items", content=payload, headers=signed(payload))

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(deliver, [body] * 6 + [other_version] * 2))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200] * 6 + [202] * 2
        events = events_before_sentinel(client, corpus_dir, redis_url)
    decoded = [decode_event(message) for message, _ in events]
    assert len(decoded) == 2
    assert {event.type for event in decoded} <= {
        "newsroom.article.received.v1",
        "newsroom.article.updated.v1",
    }
    assert decoded[0].type == "newsroom.article.received.v1"
    # Both versions carry the slug fixed by whichever came first.
    assert len({event.data.slug for event in decoded}) == 1


def test_two_ingest_processes_on_one_postgresql_publish_each_event_once_in_order(
    postgres_inbox: str, redis_url: str, corpus_dir: Path
) -> None:
    settings = make_settings(postgres_inbox, redis_url)
    deliveries = [story(corpus_dir, "urn:test:shared", version) for version in range(1, 9)]
    with (
        serve_over_http(create_app(settings, relay_poll_interval=0.05)) as first_url,
        serve_over_http(create_app(settings, relay_poll_interval=0.05)) as second_url,
        httpx.Client(timeout=30) as client,
    ):
        event_ids = []
        for index, body in enumerate(deliveries):
            base_url = first_url if index % 2 == 0 else second_url
            response = client.post(
                f"{base_url}/v1/sources/wire/items", content=body, headers=signed(body)
            )
            assert response.status_code == 202, response.text
            event_ids.append(response.json()["event_id"])
        events = events_before_sentinel(client, corpus_dir, redis_url, base_url=first_url)
    assert [decode_event(message).id for message, _ in events] == event_ids
