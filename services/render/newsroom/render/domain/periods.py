"""When the period a TIMEX3 value names begins, as a key that sorts in time order: a
timeline is read in that order (sorting the values themselves puts "2017-W26" after
"2017-07-03", and a year after every day in it), and pages of it are cut by month."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

# Where each season starts (TIMEX3 SP/SU/FA/AU/WI), by month: meteorological seasons.
_SEASON_MONTHS = {"SP": 3, "SU": 6, "FA": 9, "AU": 9, "WI": 12}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T\d{2}(?::\d{2})?)?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})(-WE)?")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_HALF = re.compile(r"(\d{4})-H([12])")
_SEASON = re.compile(r"(\d{4})-(SP|SU|FA|AU|WI)")
_YEAR = re.compile(r"(\d{4})")
_DECADE = re.compile(r"(\d{3})X?")
_CENTURY = re.compile(r"(\d{2})XX")
# Values naming no date (PRESENT_REF, PAST_REF, …) sort after every dated one.
UNDATED = "~"


def _day(year: int, month: int, day: int = 1) -> str:
    return date(year, month, day).isoformat()


@lru_cache(maxsize=4096)
def period_start(value: str) -> str:
    """`2017-W26` → `2017-06-26`, `2017-Q3` → `2017-07-01`, `2017` → `2017-01-01`, a time
    `2017-07-03T10:30` → `2017-07-03T10:30`; UNDATED for a value naming no date."""
    try:
        if match := _DAY.fullmatch(value):
            year, month, day, clock = match.groups()
            return _day(int(year), int(month), int(day)) + (clock or "")
        if match := _MONTH.fullmatch(value):
            return _day(int(match[1]), int(match[2]))
        if match := _WEEK.fullmatch(value):
            # A weekend (-WE) starts on the Saturday.
            weekday = 6 if match[3] else 1
            return date.fromisocalendar(int(match[1]), int(match[2]), weekday).isoformat()
        if match := _QUARTER.fullmatch(value):
            return _day(int(match[1]), 3 * int(match[2]) - 2)
        if match := _HALF.fullmatch(value):
            return _day(int(match[1]), 6 * int(match[2]) - 5)
        if match := _SEASON.fullmatch(value):
            return _day(int(match[1]), _SEASON_MONTHS[match[2]])
        if match := _YEAR.fullmatch(value):
            return _day(int(match[1]), 1)
        if match := _DECADE.fullmatch(value):
            return _day(int(match[1]) * 10 or 1, 1)
        if match := _CENTURY.fullmatch(value):
            return _day(int(match[1]) * 100 or 1, 1)
    except ValueError:
        return UNDATED
    return UNDATED


def period_bounds(year: int, month: int | None = None) -> tuple[str, str]:
    """The [start, end) keys of a year or a month of the timeline."""
    if month is None:
        return f"{year:04d}", f"{year + 1:04d}"
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}", f"{following[0]:04d}-{following[1]:02d}"
