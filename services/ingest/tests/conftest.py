"""Fixtures of the ingest tests: a migrated inbox database.

The helpers live in ingest_test_support.py (this folder is on pytest's pythonpath)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.ingest.adapters.migrate import run_migrations


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    run_migrations(url)
    return url
