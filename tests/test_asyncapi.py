"""The published event contracts (docs/asyncapi/) are what the code generates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("service", ["ingest", "enrich", "render"])
def test_committed_asyncapi_document_matches_the_code(service: str) -> None:
    script = Path(sys.executable).with_name(f"newsroom-{service}")
    generated = subprocess.run(
        [str(script), "asyncapi"], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    committed = (REPO / "docs" / "asyncapi" / f"{service}.json").read_text()
    assert json.loads(generated) == json.loads(committed), "run `make asyncapi` and commit"
    assert generated == committed, "the document is not written deterministically"


def test_documents_name_the_versioned_event_types() -> None:
    text = "".join(
        (REPO / "docs" / "asyncapi" / f"{s}.json").read_text() for s in ("ingest", "enrich")
    )
    for event_type in (
        "newsroom.article.received.v1",
        "newsroom.article.updated.v1",
        "newsroom.article.withdrawn.v1",
        "newsroom.article.enriched.v1",
    ):
        assert event_type in text
