"""`newsroom-ingest asyncapi` and `migrate`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsroom.ingest.entrypoints.cli import main


def test_asyncapi_documents_the_three_article_events_deterministically(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["asyncapi"]) == 0
    first = capsys.readouterr().out
    assert main(["asyncapi"]) == 0
    assert capsys.readouterr().out == first
    document = json.loads(first)
    assert document["asyncapi"] == "3.0.0"
    [channel] = document["channels"].values()
    assert channel["address"] == "newsroom:articles:0"
    assert channel["bindings"]["redis"]["method"] == "xadd"
    schemas = document["components"]["schemas"]
    for name in ("ArticleReceived", "ArticleUpdated", "ArticleWithdrawn"):
        assert name in schemas
    received_type = schemas["ArticleReceived"]["properties"]["type"]
    assert received_type["const"] == "newsroom.article.received.v1"


def test_migrate_creates_the_inbox_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "var" / "ingest.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # idempotent
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"ingest_articles", "inbox_items", "inbox_deliveries", "outbox"} <= tables
    assert "ingest_alembic_version" in tables
