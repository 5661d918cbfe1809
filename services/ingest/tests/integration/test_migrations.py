"""Migration 0002 on an inbox that already holds rows (SQLite and PostgreSQL): the rows stay,
and re-sends of their versions are still recognised."""

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


async def record_before_0002(database_url: str) -> str:
    """The seed story v1 as revision 0001 recorded it; its event id."""
    the_article_id = article_id("wire", URI)
    event_id = article_event_id("wire", URI, "1")
    now = datetime(2021, 9, 20, 9, tzinfo=UTC)
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
            await connection.execute(
                text(
                    "INSERT INTO inbox_items (source, uri, version, versioncreated, pubstatus, "
                    "article_id, event_id, event_type, delivery_id, correlation_id, "
                    "received_at, event) VALUES ('wire', :uri, '1', :now, 'usable', "
                    ":article_id, :event_id, 'newsroom.article.received.v1', NULL, 'c', :now, "
                    "'{}')"
                ),
                {"uri": URI, "now": now, "article_id": the_article_id, "event_id": event_id},
            )
    finally:
        await engine.dispose()
    return event_id


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_rows_recorded_before_0002_still_answer_resends(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, redis_url: str, corpus_dir: Path
) -> None:
    if backend == "sqlite":
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    run_migrations(database_url, "0001_inbox")
    legacy_event_id = asyncio.run(record_before_0002(database_url))
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
