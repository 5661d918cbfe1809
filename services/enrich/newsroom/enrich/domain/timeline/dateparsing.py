"""dateparser, the normaliser of calendar expressions, with the dateline as RELATIVE_BASE.

The rules find an expression and say what kind it is; dateparser reads it: month names and their
abbreviations, day-month orders, numeric and ISO dates, clock times and zones, today/yesterday,
this/last/next week|month|year, "three days ago", weekdays. Its `period` (RETURN_TIME_AS_PERIOD)
gives the granularity, so "2017" is the year 2017, not the dateline's day in 2017.

What news adds on top (`by_tense`): an expression without its year is read in the direction of
its clause's tense, a reading that covers the dateline itself wins ("on Monday" in Monday's story
is that day, whatever the tense), and with no tense cue the nearest reading wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from newsroom.enrich.domain.timeline.calendar import (
    Period,
    Tense,
    day_period,
    month_period,
    quarter_period,
    week_period,
    year_period,
)

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

Prefer = Literal["current_period", "past", "future"]


@dataclass(frozen=True)
class Reading:
    moment: datetime
    period: str

    def calendar_period(self) -> Period | None:
        """The reading as a calendar point; None for clock times and parts of the day."""
        day = self.moment.date()
        if self.period == "year":
            return year_period(day.year)
        if self.period == "quarter":
            return quarter_period(day.year, (day.month - 1) // 3 + 1)
        if self.period == "month":
            return month_period(day.year, day.month)
        if self.period == "week":
            return week_period(day)
        if self.period == "day":
            return day_period(day)
        return None


@lru_cache(maxsize=64)
def _parser(base: date, prefer: Prefer, day_first: bool, language: str) -> DateDataParser:
    from dateparser.date import DateDataParser  # heavy: imported on first use only

    settings: dict[str, object] = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "RETURN_TIME_AS_PERIOD": True,
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        # European dotted dates (20.09.2021) put the day first; American news the month.
        "DATE_ORDER": "DMY" if day_first else "MDY",
    }
    return DateDataParser(languages=[language], settings=settings)


@lru_cache(maxsize=4096)
def read(
    phrase: str,
    base: date,
    prefer: Prefer = "current_period",
    day_first: bool = False,
    language: str = "en",
) -> Reading | None:
    """dateparser's reading of `phrase` (in `language`, one of its locales) relative to `base`
    (cached: news repeats its phrases, and a parse costs about half a millisecond)."""
    data = _parser(base, prefer, day_first, language).get_date_data(" ".join(phrase.split()))
    if data.date_obj is None or data.period is None:
        return None
    return Reading(data.date_obj, data.period)


def read_period(
    phrase: str, base: date, prefer: Prefer = "current_period", language: str = "en"
) -> Period | None:
    reading = read(phrase, base, prefer, day_first=language != "en", language=language)
    return reading.calendar_period() if reading is not None else None


def read_day(phrase: str, base: date) -> date | None:
    """The day of "tonight", "this morning", "yesterday evening" (dateparser: a part of the day)."""
    reading = read(phrase, base)
    if reading is None or reading.period not in ("day", "part_of_day"):
        return None
    return reading.moment.date()


def _distance(period: Period, dateline: date) -> int:
    if period.contains(dateline):
        return 0
    return min(abs((period.first - dateline).days), abs((period.last - dateline).days))


def by_tense(
    phrase: str,
    dateline: date,
    tense: Tense,
    unmarked: Prefer | None = None,
    language: str = "en",
) -> Period | None:
    """A month, a month and day or a weekday named without its year or week, read as news means it.

    Past clauses look back, future ones and the present of arrangements ("the vote is on Sunday")
    look ahead; a reading that covers the dateline wins in either direction, since dateparser's
    "past" and "future" exclude the day itself. With no cue, `unmarked` decides (weekdays: news
    reports what happened), else the reading nearest the dateline."""
    current = read_period(phrase, dateline, language=language)
    if current is None:
        return None
    if current.contains(dateline):
        return current
    direction = (
        "past" if tense == "past" else "future" if tense in ("future", "present") else unmarked
    )
    # This year's reading already lies in the wanted direction more often than not; dateparser
    # is asked again (half a millisecond a call) only when it does not.
    if direction == "past":
        return (
            current if current.last < dateline else read_period(phrase, dateline, "past", language)
        )
    if direction == "future":
        return (
            current
            if current.first > dateline
            else read_period(phrase, dateline, "future", language)
        )
    other = read_period(
        phrase, dateline, "past" if current.first > dateline else "future", language
    )
    options = [current] if other is None else [current, other]
    return min(options, key=lambda p: _distance(p, dateline))


def clock_reading(phrase: str, day: date) -> Reading | None:
    """A clock time ("6 p.m.", "18:00 GMT") on `day`, the day the sentence names or the dateline."""
    reading = read(phrase, day)
    if reading is None or reading.period != "time":
        return None
    if reading.moment.date() != day:
        # dateparser rolls some times into a neighbouring day; the sentence's day is the anchor.
        reading = Reading(datetime.combine(day, reading.moment.timetz()), reading.period)
    return reading
