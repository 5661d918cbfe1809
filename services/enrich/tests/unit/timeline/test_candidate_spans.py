"""Tagger spans (spaCy DATE/TIME) as hints: the rules find expressions without them, and spans
no rule explains go to dateparser, relative to the dateline."""

from __future__ import annotations

from datetime import UTC, date, datetime

from newsroom.enrich.domain.timeline import find_timexes

DCT = date(2021, 9, 20)


def _span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def test_rules_find_expressions_without_hints() -> None:
    text = "The crew lifts off next month and lands on October 17."
    assert [t.value for t in find_timexes(text, DCT)] == ["2021-10", "2021-10-17"]


def test_hints_do_not_duplicate_what_rules_found() -> None:
    text = "The crew lifts off next month."
    hinted = find_timexes(text, DCT, [_span(text, "next month"), _span(text, "month")])
    assert [(t.text, t.value) for t in hinted] == [("next month", "2021-10")]


def test_a_hint_no_rule_covers_is_normalised_by_dateparser() -> None:
    # "16-Sep-2021" is a wire shorthand no rule reads; dateparser does, given the span.
    text = "Filed 16-Sep-2021 by the desk."
    phrase = "16-Sep-2021"
    assert find_timexes(text, DCT) == []
    hinted = find_timexes(text, DCT, [_span(text, phrase)])
    assert [(t.text, t.type, t.value, t.granularity) for t in hinted] == [
        (phrase, "DATE", "2021-09-16", "day")
    ]


def test_a_hint_dateparser_cannot_read_adds_nothing() -> None:
    text = "The ceremony took place that day."
    assert find_timexes(text, DCT, [_span(text, "that day")]) == []


def test_a_timestamp_dateline_counts_by_its_day() -> None:
    text = "It launched on Thursday and lands next month."
    stamped = find_timexes(text, datetime(2021, 9, 20, 9, 0, tzinfo=UTC))
    assert [t.value for t in stamped] == ["2021-09-16", "2021-10"]
