"""Values a `<time datetime>` attribute may hold (HTML Living Standard, "the time element"):
the machine-readable value of a date on a page, or nothing when it has none.

TIMEX3 values (the timeline's dates) say more than HTML can: a season (`2021-SU`), a quarter
(`2021-Q3`), a weekend (`2017-W26-WE`), a part of day (`2021-10-05TMO`), an unknown year
(`XXXX-10-05`). Such a value gets the most precise valid value it starts with (the week, the
day, the year), or none; the page still shows the reader's label. Years are taken in 1-9999
(HTML allows more digits; nothing here writes them)."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

_YEAR = r"(?P<year>[0-9]{4})"
_MONTH = _YEAR + r"-(?P<month>[0-9]{2})"
_DATE = _MONTH + r"-(?P<day>[0-9]{2})"
_TIME = r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,3})?)?"
_ZONE = r"(?:Z|[+-](?P<zone_hour>[0-9]{2}):?(?P<zone_minute>[0-9]{2}))"

_FORMS = [
    re.compile(_YEAR),
    re.compile(_MONTH),
    re.compile(_DATE),
    re.compile(r"--(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"),  # a yearless date
    re.compile(_YEAR + r"-W(?P<week>[0-9]{2})"),
    re.compile(_TIME),
    re.compile(f"{_DATE}[T ]{_TIME}"),  # a local date and time
    re.compile(f"{_DATE}[T ]{_TIME}{_ZONE}"),  # a global date and time
    re.compile(_ZONE),  # a time-zone offset
]


def _iso_weeks(year: int) -> int:
    """ISO weeks in `year` (52 or 53): the week number of 28 December, always in the last."""
    return date(year, 12, 28).isocalendar().week


def _in_range(parts: dict[str, str | None]) -> bool:
    number = {name: int(value) for name, value in parts.items() if value is not None}
    year, month, day = number.get("year"), number.get("month"), number.get("day")
    if year == 0 or (month is not None and not 1 <= month <= 12):
        return False
    # A yearless date may be 29 February (2000 was a leap year).
    if day is not None and not 1 <= day <= monthrange(year or 2000, month or 1)[1]:
        return False
    if "week" in number and not 1 <= number["week"] <= _iso_weeks(year or 1):
        return False
    return (
        number.get("hour", 0) <= 23
        and number.get("minute", 0) <= 59
        and number.get("second", 0) <= 59
        and number.get("zone_hour", 0) <= 23
        and number.get("zone_minute", 0) <= 59
    )


def is_valid_datetime(value: str) -> bool:
    """Whether `value` is a valid `datetime` value of a `<time>` element (durations aside)."""
    for form in _FORMS:
        match = form.fullmatch(value)
        if match is not None and _in_range(match.groupdict()):
            return True
    return False


def html_datetime(value: str) -> str | None:
    """`value` when valid, else the most precise valid value it starts with (cut where a part
    ends), else None: `2017-W26-WE` → `2017-W26`, `2021-10-05TMO` → `2021-10-05`,
    `2021-SU` → `2021`, `XXXX-10-05` → None."""
    if is_valid_datetime(value):
        return value
    for end in (10, 8, 7, 4):  # a date, a week, a month, a year
        if len(value) > end and value[end] in "-T " and is_valid_datetime(value[:end]):
            return value[:end]
    return None
