"""What must not become a date: ages, counts, money, codes, ordinals, verbs that look like months."""

from __future__ import annotations

from datetime import date

import pytest

from newsroom.enrich.domain.timeline import find_timexes

DCT = date(2024, 5, 15)


@pytest.mark.parametrize(
    "sentence",
    [
        "The 36-year-old actor flew to Moscow.",
        "A 3-year-old girl was rescued.",
        "The victim, 47 years old, was named.",
        "She died at the age of 56.",
        "Jobs, aged 55, took leave.",
        "The airline ordered 2000 aircraft and hired 2,400 employees.",
        "Shares rose 2010 points to 2020.5.",
        "The deal is worth $2015 million.",
        "Airbus delivered the A380 and the A330-300E.",
        "Flight 2012 landed safely.",
        "A second A380 followed.",
        "Prices may fall and soldiers march on.",
        "The contract covers a quarter of the market.",
        "The blast was felt a quarter-mile away.",
        "Room 1999 is on the top floor.",
        "The now-cancelled deal drew protests.",
        "The fall of Rome and the fall in prices worried no one.",
        "Oil prices fall by 3% as stocks fall on weak data.",
        "She was a guest on the Today show.",
        "The flight landed on Christmas Island.",
        "Version 10.12.14 of the app shipped.",
        "Some 2000 protesters marched.",
        "Shares closed at 10.30 points.",
    ],
)
def test_no_timex(sentence: str) -> None:
    assert find_timexes(sentence, DCT) == []


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("A 12-day trip starts in orbit.", "12-day"),
        ("The three-day flight ended.", "three-day"),
        ("He served a seven-year term.", "seven-year"),
    ],
)
def test_measures_are_durations_never_calendar_points(sentence: str, phrase: str) -> None:
    timexes = find_timexes(sentence, DCT)
    assert [(t.text, t.type, t.granularity) for t in timexes] == [(phrase, "DURATION", None)]


def test_a_year_before_a_plural_noun_is_still_a_year() -> None:
    assert [(t.text, t.value) for t in find_timexes("In 2008 sales rose.", DCT)] == [
        ("2008", "2008")
    ]


def test_candidate_spans_of_ages_and_bare_numbers_add_nothing() -> None:
    text = "Jobs, aged 55, left. The 36-year-old stayed."
    hints = [(11, 13), (25, 36)]  # what a tagger may call DATE: "55", "36-year-old"
    assert find_timexes(text, DCT, hints) == []


def test_candidate_spans_outside_the_text_are_ignored() -> None:
    assert find_timexes("Nothing here.", DCT, [(5, 500), (-3, 2), (4, 4)]) == []


def test_empty_text() -> None:
    assert find_timexes("", DCT) == []
