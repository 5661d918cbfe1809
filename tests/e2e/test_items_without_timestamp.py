"""Items that carry no timestamp at all (no versioncreated, no firstcreated), as IPTC's
renditions examples and a NewsML-G2 package listing in the corpus are: accepted, dated and
ordered by when ingest received them; a re-send of the same text stays a duplicate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.signed import ninjs_bytes, post_signed
from support.system import RunningSystem, poll

pytestmark = pytest.mark.e2e

UNDATED = (
    "ninjs/iptc-1.6-002_renditions_example.json",
    "ninjs/iptc-2.2-002_renditions_example.json",
    "ninjs/iptc-3.1-002_renditions_example.json",
    "newsml-g2/LISTING_24_News_Message_conveying_a_complete_News_Package.xml",
)


def content_type(name: str) -> str:
    return "application/json" if name.endswith(".json") else "application/xml"


def test_undated_corpus_items_are_not_refused_for_their_missing_timestamp(
    system: RunningSystem, corpus_dir: Path
) -> None:
    """They are refused still, for what else they lack: a headline (IPTC's examples show
    renditions, not a story). The timestamp is no longer the reason."""
    for name in UNDATED:
        answer = post_signed(
            system, (corpus_dir / name).read_bytes(), content_type=content_type(name)
        )
        assert answer.status_code == 422, (name, answer.text)
        assert "versioncreated" not in answer.json()["pointer"].lower(), (name, answer.text)
        assert "headline" in answer.json()["pointer"], (name, answer.text)


def with_headline(corpus_dir: Path, name: str, **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = json.loads((corpus_dir / name).read_text())
    return {**item, "headline": "Dell's new logo", **changes}


def test_undated_items_are_ordered_by_arrival(system: RunningSystem, corpus_dir: Path) -> None:
    before = datetime.now(UTC)
    first = post_signed(system, ninjs_bytes(with_headline(corpus_dir, UNDATED[0])))
    assert first.status_code == 202, first.text
    links = first.json()["links"]
    poll(lambda: httpx.get(links["page"], timeout=10), lambda r: r.status_code == 200)

    # The same story in another ninjs generation: the same text, so the same version.
    again = post_signed(system, ninjs_bytes(with_headline(corpus_dir, UNDATED[2])))
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    assert again.json()["version"] == first.json()["version"]

    changed = with_headline(corpus_dir, UNDATED[0], body_main="Dell shows its new logo.")
    second = post_signed(system, ninjs_bytes(changed))
    assert second.status_code == 202, second.text
    assert second.json()["version"] != first.json()["version"]
    document = poll(
        lambda: httpx.get(links["api"], timeout=10),
        lambda r: r.status_code == 200 and "Dell shows its new logo." in r.text,
    ).json()
    stamps = [datetime.fromisoformat(v["versioncreated"]) for v in document["versions"]]
    assert len(stamps) == 2
    assert before <= stamps[0] < stamps[1] <= datetime.now(UTC)
    assert document["version"] == second.json()["version"]
