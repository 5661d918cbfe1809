"""The seed story's timeline, as the enrich issue states it (dateline 2021-09-20)."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest

from newsroom.enrich.domain.timeline import Timex, find_timexes

DATELINE = date(2021, 9, 20)


def _seed_text(corpus_dir: Path) -> str:
    item = json.loads((corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_text("utf-8"))
    body = html.unescape(re.sub(r"<[^>]+>", "\n", item["body_html"]))
    return "\n".join([item["headline"], item["description_text"], body])


@pytest.fixture
def seed_timexes(corpus_dir: Path) -> list[Timex]:
    return find_timexes(_seed_text(corpus_dir), DATELINE)


def _by_text(timexes: list[Timex], text: str) -> list[Timex]:
    return [t for t in timexes if t.text == text]


@pytest.mark.parametrize(
    ("text", "value", "granularity"),
    [
        ("October 5", "2021-10-05", "day"),
        ("next month", "2021-10", "month"),
        ("Thursday", "2021-09-16", "day"),  # "on Thursday": the Thursday before the dateline
        ("earlier this year", "2021", "year"),
        ("2017", "2017", "year"),
        ("October", "2021-10", "month"),  # "scheduled to board the ISS in October"
    ],
)
def test_seed_story_dates(
    seed_timexes: list[Timex], text: str, value: str, granularity: str
) -> None:
    found = _by_text(seed_timexes, text)
    assert found, f"{text!r} not found"
    assert all((t.type, t.value, t.granularity) == ("DATE", value, granularity) for t in found)


def test_seed_story_timeline_holds_exactly_the_expected_dates(
    seed_timexes: list[Timex],
) -> None:
    timeline = {t.value for t in seed_timexes if t.granularity is not None}
    assert timeline == {"2021-10-05", "2021-10", "2021-09-16", "2021", "2017"}


def test_seed_story_durations_and_ages_are_not_dates(seed_timexes: list[Timex]) -> None:
    assert [(t.type, t.value) for t in _by_text(seed_timexes, "12-day")] == [
        ("DURATION", "P12D"),
        ("DURATION", "P12D"),
    ]
    assert [(t.type, t.value) for t in _by_text(seed_timexes, "three-day")] == [("DURATION", "P3D")]
    assert not [t for t in seed_timexes if "36" in t.text or "old" in t.text]


def test_seed_story_offsets_index_the_text(corpus_dir: Path, seed_timexes: list[Timex]) -> None:
    text = _seed_text(corpus_dir)
    assert all(text[t.start : t.end] == t.text for t in seed_timexes)


def test_scraped_copy_gives_the_same_timeline(corpus_dir: Path, seed_timexes: list[Timex]) -> None:
    scraped = (corpus_dir / "seed" / "space-race-2.scraped.txt").read_text("utf-8")
    found = find_timexes(scraped, DATELINE)
    assert sorted((t.text, t.value) for t in found if t.granularity) == sorted(
        (t.text, t.value) for t in seed_timexes if t.granularity
    )
