"""Words of English news time expressions, and the regex fragments built from them.

Only vocabulary lives here; the rules that combine it are in `rules.py`."""

from __future__ import annotations

import re
from typing import Final

from newsroom.enrich.domain.timeline.model import TimexMod

MONTHS: Final[dict[str, int]] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

WEEKDAYS: Final[dict[str, int]] = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
    "sunday": 7,
}  # fmt: skip

# TimeML season codes; the month that starts each season (northern hemisphere, as news uses them).
# "last week", "the current quarter": how many units from the dateline's own.
RELATION_OFFSETS: Final = {
    "this": 0,
    "current": 0,
    "last": -1,
    "past": -1,
    "previous": -1,
    "next": 1,
}
SEASONS: Final[dict[str, str]] = {
    "spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI",
}  # fmt: skip

PARTS_OF_DAY: Final[dict[str, str]] = {
    "morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI",
}  # fmt: skip

_UNITS_WORDS: Final[dict[str, int]] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS_WORDS: Final[dict[str, int]] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINALS: Final[dict[str, int]] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "1st": 1, "2nd": 2,
    "3rd": 3, "4th": 4, "last": -1, "final": -1,
}  # fmt: skip

# Duration units → (TimeML designator, whether it sits after the "T" of the period).
UNITS: Final[dict[str, tuple[str, bool]]] = {
    "second": ("S", True), "minute": ("M", True), "hour": ("H", True), "day": ("D", False),
    "night": ("D", False), "week": ("W", False), "fortnight": ("W", False),
    "month": ("M", False), "quarter": ("Q", False), "year": ("Y", False),
    "decade": ("DE", False), "century": ("CE", False),
}  # fmt: skip
UNIT_MULTIPLIER: Final[dict[str, int]] = {"fortnight": 2}

_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
# A count: digits, number words, "a"/"an", with "and a half" fractions.
NUMBER = (
    rf"(?i:(?:\d+(?:\.\d+)?|{_NUMBER_WORD}|an?|a\s+dozen|a\s+couple\s+of|a\s+few)"
    r"(?:\s+and\s+a\s+half)?)"
)
FUZZY_QUANTIFIER = r"(?i:several|many|few|a\s+few|some|numerous|countless|multiple)"
MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)
WEEKDAY_NAME = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
UNIT_WORD = (
    r"(?:second|minute|hour|day|night|week|fortnight|month|quarter|year|decade|centur(?:y|ie))"
)
DAY_NUMBER = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR_NUMBER = r"(?:1[6-9]\d\d|20\d\d)"

_NUMBER_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


def parse_number(text: str) -> float | None:
    """The value of a NUMBER match: "three" → 3, "twenty-five" → 25, "two and a half" → 2.5,
    "a" → 1; None for fuzzy counts ("a few")."""
    lowered = " ".join(text.lower().replace("-", " ").split())
    half = 0.0
    if lowered.endswith(" and a half"):
        half, lowered = 0.5, lowered[: -len(" and a half")]
    if lowered in ("a few", "few"):
        return None
    if lowered in ("a", "an"):
        return 1 + half
    if lowered == "a dozen":
        return 12 + half
    if lowered == "a couple of":
        return 2 + half
    total = 0.0
    for token in _NUMBER_TOKEN.findall(lowered):
        if token[0].isdigit():
            total += float(token)
        elif token in _UNITS_WORDS:
            total += _UNITS_WORDS[token]
        elif token in _TENS_WORDS:
            total += _TENS_WORDS[token]
        else:
            return None
    return total + half


def month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def unit_key(word: str) -> str:
    """Singular unit key of a unit word: "centuries" → "century", "Years" → "year"."""
    lowered = word.lower()
    if lowered.startswith("centur"):
        return "century"
    return lowered[:-1] if lowered.endswith("s") else lowered


_MOD_WORDS: Final[tuple[tuple[re.Pattern[str], TimexMod], ...]] = (
    (re.compile(r"(?i:\b(?:early|beginning|start)\b)"), "START"),
    (re.compile(r"(?i:\bmid(?:dle)?\b)"), "MID"),
    (re.compile(r"(?i:\b(?:late|end|close)\b)"), "END"),
)


def mod_of(modifier: str) -> TimexMod | None:
    """TIMEX3 MOD of a modifier: START, MID or END for early/mid/late and the beginning/middle/
    end of; None for the others ("the turn of", "the rest of", "later in")."""
    for pattern, mod in _MOD_WORDS:
        if pattern.search(modifier):
            return mod
    return None
