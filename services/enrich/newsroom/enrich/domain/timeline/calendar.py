"""Calendar arithmetic and TIMEX3 value strings.

A `Period` is a resolved calendar point at some granularity; it knows its first and last day, so the
rules can compare it with the dateline (tense, nearest reading) and print its TIMEX3 value."""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

# "present": a form of "be" in the present ("the vote is on Sunday"), which news uses for
# arrangements ahead; it sends weekdays forward and leaves other dates to the nearest reading.
Tense = Literal["past", "present", "future"] | None
PeriodGranularity = Literal["year", "season", "quarter", "month", "week", "day"]

_SEASON_MONTHS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
SEASON_ORDER = ("SP", "SU", "FA", "WI")


@dataclass(frozen=True)
class Period:
    """A point on the calendar at a granularity, e.g. (2021, 10) month or 2021-W37."""

    granularity: PeriodGranularity
    first: date
    last: date
    value: str

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def day_period(day: date) -> Period:
    return Period("day", day, day, day.isoformat())


def month_period(year: int, month: int) -> Period:
    last_day = stdlib_calendar.monthrange(year, month)[1]
    return Period(
        "month", date(year, month, 1), date(year, month, last_day), f"{year:04d}-{month:02d}"
    )


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def quarter_period(year: int, quarter: int) -> Period:
    first = date(year, 3 * quarter - 2, 1)
    last = month_period(year, 3 * quarter).last
    return Period("quarter", first, last, f"{year:04d}-Q{quarter}")


def season_period(year: int, season: str) -> Period:
    """Meteorological seasons; winter YYYY-WI is the one that starts in December of YYYY."""
    start_month = _SEASON_MONTHS[season]
    first = date(year, start_month, 1)
    end_year, end_month = (year + 1, 2) if season == "WI" else (year, start_month + 2)
    return Period("season", first, month_period(end_year, end_month).last, f"{year:04d}-{season}")


def season_of(day: date) -> tuple[int, str]:
    if day.month in (1, 2):
        return day.year - 1, "WI"
    return day.year, SEASON_ORDER[(day.month - 3) // 3]


def week_period(day: date, weekend: bool = False) -> Period:
    """The ISO week containing `day` (value 2004-W47), or its weekend (2010-W04-WE)."""
    iso_year, iso_week, iso_weekday = day.isocalendar()
    monday = day - timedelta(days=iso_weekday - 1)
    value = f"{iso_year:04d}-W{iso_week:02d}"
    if weekend:
        return Period("week", monday + timedelta(days=5), monday + timedelta(days=6), value + "-WE")
    return Period("week", monday, monday + timedelta(days=6), value)


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def shift_day(day: date, unit: str, amount: int) -> date:
    """`day` moved by `amount` units (day, week, month, year), clamping the day of month."""
    if unit == "day":
        return day + timedelta(days=amount)
    if unit == "week":
        return day + timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 3 if unit == "quarter" else 1)
    year, month = add_months(day.year, day.month, months)
    return date(year, month, min(day.day, stdlib_calendar.monthrange(year, month)[1]))


def relative_period(dateline: date, unit: str, offset: int) -> Period | None:
    """This (0), next (+1) or last (-1) unit relative to the dateline: "last week" → 2004-W46."""
    if unit == "day":
        return day_period(dateline + timedelta(days=offset))
    if unit == "week":
        return week_period(dateline + timedelta(weeks=offset))
    if unit == "weekend":
        return week_period(dateline + timedelta(weeks=offset), weekend=True)
    if unit == "month":
        return month_period(*add_months(dateline.year, dateline.month, offset))
    if unit == "quarter":
        year, month = add_months(dateline.year, dateline.month, 3 * offset)
        return quarter_period(year, (month - 1) // 3 + 1)
    if unit == "year":
        return year_period(dateline.year + offset)
    if unit in SEASON_ORDER or unit == "season":
        year, season = season_of(dateline)
        index = SEASON_ORDER.index(season) + offset
        return season_period(year + index // 4, SEASON_ORDER[index % 4])
    return None


def choose_by_tense(
    make: Callable[[int], Period | None], dateline: date, tense: Tense
) -> Period | None:
    """A period named without its year ("October 5", "in June", "the fourth quarter"), placed in
    the year that news reads it in: the latest one not after the dateline in a past-tense clause,
    the first one not before it in a future clause, otherwise the one nearest the dateline."""
    options = [p for p in (make(year) for year in range(dateline.year - 1, dateline.year + 2)) if p]
    if not options:
        return None
    if tense == "past":
        past = [p for p in options if p.first <= dateline]
        if past:
            return past[-1]
    elif tense == "future":
        future = [p for p in options if p.last >= dateline]
        if future:
            return future[0]

    def distance(period: Period) -> int:
        if period.contains(dateline):
            return 0
        return min(abs((period.first - dateline).days), abs((period.last - dateline).days))

    return min(options, key=distance)


def duration_value(amount: float | None, designator: str, is_time: bool) -> str:
    """TIMEX3 duration: P12D, PT30M, P2.5Y, PXY; decades and centuries as years (P10Y)."""
    if designator == "DE":
        designator, amount = "Y", None if amount is None else amount * 10
        if amount is None:
            return "PXDE"
    elif designator == "CE":
        designator, amount = "Y", None if amount is None else amount * 100
        if amount is None:
            return "PXCE"
    elif designator == "Q":
        designator, amount = "M", None if amount is None else amount * 3
        if amount is None:
            return "PXQ"
    if amount is None:
        number = "X"
    elif amount == int(amount):
        number = str(int(amount))
    else:
        number = f"{amount:g}"
    return f"P{'T' if is_time else ''}{number}{designator}"
