"""Migrations on an inbox that already holds rows (SQLite and PostgreSQL): the rows stay, and
re-sends of their versions are still recognised."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from ingest_test_support import make_settings, serve_over_http, signed, wait_for_stream
from newsroom.ingest.adapters.migrate import run_migrations
from newsroom.ingest.bootstrap import create_app
from newsroom.shared.events import ArticleWithdrawn, decode_event
from newsroom.shared.ids import article_event_id, article_id
from newsroom.shared.sql import create_engine

pytestmark = pytest.mark.integration

URI = "urn:newsroom:example:space-race-2"


async def insert_recorded_copy(database_url: str, **inbox_columns: object) -> str:
    """The seed story's article row and one inbox row for its v1, written with plain SQL as an
    older revision would have (only the columns it had); the row's event id."""
    the_article_id = article_id("wire", URI)
    event_id = article_event_id("wire", URI, "1")
    now = datetime(2021, 9, 20, 9, tzinfo=UTC)
    row = {
        "source": "wire", "uri": URI, "version": "1", "versioncreated": now,
        "pubstatus": "usable", "article_id": the_article_id, "event_id": event_id,
        "event_type": "newsroom.article.received.v1", "delivery_id": None,
        "correlation_id": "c", "received_at": now, "event": "{}", **inbox_columns,
    }  # fmt: skip
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO ingest_articles (article_id, source, uri, slug, first_seen_at) "
                    "VALUES (:article_id, 'wire', :uri, 'space-race-2', :now)"
                ),
                {"article_id": the_article_id, "uri": URI, "now": now},
            )
            columns = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            await connection.execute(
                text(f"INSERT INTO inbox_items ({columns}) VALUES ({values})"), row
            )
    finally:
        await engine.dispose()
    return event_id


def test_rows_recorded_before_0002_still_answer_resends(
    database_url: str, redis_url: str, corpus_dir: Path
) -> None:
    run_migrations(database_url, "0001_inbox")
    legacy_event_id = asyncio.run(insert_recorded_copy(database_url))
    run_migrations(database_url)
    story = (corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes()
    kill = json.dumps({**json.loads(story), "pubstatus": "canceled"}).encode()
    with (
        serve_over_http(create_app(make_settings(database_url, redis_url))) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        again = client.post("/v1/sources/wire/items", content=story, headers=signed(story))
        assert again.status_code == 200, again.text
        assert again.json()["event_id"] == legacy_event_id
        killed = client.post("/v1/sources/wire/items", content=kill, headers=signed(kill))
        assert killed.status_code == 202, killed.text
        [(message, _)] = wait_for_stream(redis_url, 1)
    assert isinstance(decode_event(message), ArticleWithdrawn)


async def embargo_states(database_url: str) -> list[bool | None]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT embargoed FROM inbox_items ORDER BY id"))
            return [None if value is None else bool(value) for value in result.scalars()]
    finally:
        await engine.dispose()


def test_0003_backfills_embargo_state_so_a_late_held_copy_stays_a_duplicate(
    database_url: str, redis_url: str, corpus_dir: Path
) -> None:
    story = (corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes()
    run_migrations(database_url, "0002_inbox_content_hash")
    # Released v1 as revision 0002 recorded it: the event holds the article, without embargo.
    article = {**json.loads(story), "embargo": None}
    event = json.dumps({"type": "newsroom.article.received.v1", "data": {"article": article}})
    released_event_id = asyncio.run(
        insert_recorded_copy(database_url, content_hash="0" * 64, event=event)
    )
    run_migrations(database_url)
    assert asyncio.run(embargo_states(database_url)) == [False]
    held = json.dumps({**json.loads(story), "embargoed": True}).encode()
    with (
        serve_over_http(create_app(make_settings(database_url, redis_url))) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        late = client.post("/v1/sources/wire/items", content=held, headers=signed(held))
        assert late.status_code == 200, late.text
        assert late.json()["status"] == "duplicate"
        assert late.json()["event_id"] == released_event_id


async def insert_waiting_outbox_row(database_url: str, message: dict[str, object]) -> None:
    """An event waiting in the outbox as revision 0003 kept it (JSON in `message`)."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO outbox (event_id, stream, correlation_id, message, created_at) "
                    "VALUES (:event_id, 'newsroom:articles:0', 'c-0003', :message, :now)"
                ),
                {
                    "event_id": message["id"],
                    "message": json.dumps(message),
                    "now": datetime(2021, 9, 20, 9, tzinfo=UTC),
                },
            )
    finally:
        await engine.dispose()


def test_0004_keeps_the_events_waiting_in_the_outbox_and_they_are_published(
    database_url: str, redis_url: str, corpus_dir: Path
) -> None:
    story = (corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes()
    run_migrations(database_url, "0003_inbox_embargoed")
    waiting = {"id": "event-from-0003", "type": "newsroom.article.received.v1", "n": 1}
    asyncio.run(insert_waiting_outbox_row(database_url, waiting))
    run_migrations(database_url)
    with (
        serve_over_http(create_app(make_settings(database_url, redis_url))) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        accepted = client.post("/v1/sources/wire/items", content=story, headers=signed(story))
        assert accepted.status_code == 202, accepted.text
        [(first, headers), (second, _)] = wait_for_stream(redis_url, 2)
    # Waiting before the upgrade, so relayed first, unchanged.
    assert first == waiting
    assert headers["message_id"] == "event-from-0003"
    assert headers["correlation_id"] == "c-0003"
    assert second["id"] == accepted.json()["event_id"]
