"""Fixtures of the ingest tests: a migrated inbox database.

The helpers live in ingest_test_support.py. Under --import-mode=importlib test modules cannot
import siblings, so the helpers are registered here under that (unambiguous) module name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from newsroom.ingest.adapters.migrate import run_migrations

HERE = Path(__file__).resolve().parent


def _register(name: str, path: Path) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_register("ingest_test_support", HERE / "ingest_test_support.py")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    run_migrations(url)
    return url
