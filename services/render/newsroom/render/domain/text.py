"""Small text helpers the pages need: sentences around an offset, TIMEX3 values for people."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime
from functools import lru_cache

# A sentence ends at . ! or ? (possibly followed by a closing quote) and whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")

_SEASONS = {"SP": "Spring", "SU": "Summer", "FA": "Autumn", "AU": "Autumn", "WI": "Winter"}


def sentences(text: str) -> list[str]:
    """The text split into sentences (whitespace-trimmed, empty ones dropped)."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        parts.append(text[start : match.end()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


@lru_cache(maxsize=64)
def _sentence_ends(text: str) -> tuple[int, ...]:
    # Cached: an article's entities ask for sentences of the same body one after another.
    return tuple(match.end() for match in _SENTENCE_END.finditer(text))


def sentence_at(text: str, offset: int) -> str:
    """The sentence of `text` that contains `offset`."""
    ends = _sentence_ends(text)
    index = bisect_right(ends, offset)  # the first sentence ending after the offset
    start = ends[index - 1] if index > 0 else 0
    return (text[start : ends[index]] if index < len(ends) else text[start:]).strip()


_WEEK = re.compile(r"(\d{4})-W(\d{2})(-WE)?")
_DECADE = re.compile(r"(\d{3})X?")
_MOD_LABELS = {"START": "Early {}", "MID": "Mid-{}", "END": "Late {}"}


# Cached: a pure function of a date that every story naming it shares (stories name the same
# few recent dates), and parsing and strftime made it a tenth of an article page's model.
@lru_cache(maxsize=4096)
def timex_label(value: str, granularity: str, mod: str | None = None) -> str:
    """A TIMEX3 value as a reader would write it: 2021-10-05 → "5 Oct 2021"; with its MOD,
    2011 (MID) → "Mid-2011"."""
    label = _plain_label(value, granularity)
    return _MOD_LABELS[mod].format(label) if mod in _MOD_LABELS else label


def _plain_label(value: str, granularity: str) -> str:
    try:
        if granularity == "time":
            moment = datetime.fromisoformat(value)
            return f"{moment.day} {moment:%b %Y, %H:%M}"
        if granularity == "day":
            day = date.fromisoformat(value[:10])
            return f"{day.day} {day:%b %Y}"
        if granularity == "month":
            month = date.fromisoformat(value[:7] + "-01")
            return f"{month:%b %Y}"
        if granularity == "season" and "-" in value:
            year, season = value.split("-", 1)
            return f"{_SEASONS.get(season, season)} {year}"
        if granularity == "quarter" and "-Q" in value:
            year, quarter = value.split("-Q", 1)
            return f"Q{quarter} {year}"
        if granularity == "week" and (week := _WEEK.fullmatch(value)):
            # A week is named by its first day (readers do not count ISO weeks); a weekend
            # (-WE) by its Saturday.
            if week[3]:
                saturday = date.fromisocalendar(int(week[1]), int(week[2]), 6)
                return f"Weekend of {saturday.day} {saturday:%b %Y}"
            monday = date.fromisocalendar(int(week[1]), int(week[2]), 1)
            return f"Week of {monday.day} {monday:%b %Y}"
        if granularity == "year" and (decade := _DECADE.fullmatch(value)):
            return f"{decade[1]}0s"
    except ValueError:
        return value
    return value


def timex_groups(value: str) -> tuple[str, str | None, str | None]:
    """(year, year-month, year-month-day) prefixes of a value, for grouping a timeline."""
    year = value[:4]
    month = value[:7] if len(value) >= 7 and value[4] == "-" and value[5:7].isdigit() else None
    day = value[:10] if month is not None and len(value) >= 10 and value[8:10].isdigit() else None
    return year, month, day


# A BCP 47 language tag as far as pages need one: a primary language subtag (2-3 letters)
# and optional subtags (script, region, variants) of 1-8 letters or digits.
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*", re.IGNORECASE)


def language_tag(value: str | None) -> str | None:
    """A wire's language as an HTML `lang` / schema.org `inLanguage` value: `en_GB` → `en-GB`;
    None for what is no language tag (`English`, `und`, an empty string)."""
    if not value:
        return None
    tag = value.strip().replace("_", "-")
    if len(tag) > 35 or not _LANGUAGE_TAG.fullmatch(tag) or tag.lower() in ("und", "zxx"):
        return None
    return tag
