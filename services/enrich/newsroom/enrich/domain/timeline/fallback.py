"""dateparser as the fallback normaliser for spans a tagger marks as DATE/TIME and no rule explains.

dateparser reads absolute and many relative forms well, but on free text it finds false dates
("we" as Wednesday) and fills missing parts from the reference date ("2017" → 2017-09-16), so it
only sees short spans that name a calendar word or a number, and its `period` sets the value's
granularity instead of the filled-in day."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from newsroom.enrich.domain.timeline.calendar import week_period
from newsroom.enrich.domain.timeline.model import Timex
from newsroom.enrich.domain.timeline.tense import tense_at

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

_CALENDAR_WORD: Final = re.compile(
    r"\d|(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)"
    r"[a-z]*\.?\b|\b(?:today|yesterday|tomorrow|week|month|year)\b)"
)
# Measures and ages are never calendar points, whatever dateparser makes of them.
_NOT_A_POINT: Final = re.compile(
    r"(?i:\b\d+[\s-]*(?:second|minute|hour|day|night|week|month|year|decade)s?\b(?!\s+ago)|"
    r"\bold\b|\bages?\b|\baged\b|\blong\b|\bfor\b|\bper\b|\bevery\b|\beach\b)"
)


@lru_cache(maxsize=32)
def _parser(dateline: date, prefer: str) -> DateDataParser:
    from dateparser.date import DateDataParser  # heavy: imported on first use only

    settings = {
        "RELATIVE_BASE": datetime(dateline.year, dateline.month, dateline.day),
        "RETURN_TIME_AS_PERIOD": True,
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": False,
    }
    return DateDataParser(languages=["en"], settings=settings)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    leading = re.match(r"^(?:(?:the|on|in|at|of|by|since|until|from|about|around)\s+)+", span, re.I)
    if leading:
        start += leading.end()
    trailing = re.search(r"(?:['’]s)?[\s,.;:]*$", text[start:end])
    if trailing:
        end = start + trailing.start()
    return start, end


def parse_span(text: str, start: int, end: int, dateline: date) -> Timex | None:
    start, end = _trim(text, start, end)
    span = text[start:end]
    if not span or not _CALENDAR_WORD.search(span) or _NOT_A_POINT.search(span):
        return None
    if not re.search(r"[A-Za-z]|\d{4}|\d[/.-]\d", span):
        return None  # a bare short number ("55" in "aged 55") is not a date
    tense = tense_at(text, start, end)
    prefer = {"past": "past", "future": "future"}.get(tense or "", "current_period")
    data = _parser(dateline, prefer).get_date_data(span)
    moment, period = data.date_obj, data.period
    if moment is None:
        return None
    if period == "year":
        return Timex(start, end, span, "DATE", f"{moment.year:04d}", "year")
    if period == "month":
        return Timex(start, end, span, "DATE", f"{moment.year:04d}-{moment.month:02d}", "month")
    if period == "week":
        week = week_period(moment.date())
        return Timex(start, end, span, "DATE", week.value, "week")
    if period == "day":
        return Timex(start, end, span, "DATE", moment.date().isoformat(), "day")
    if period == "time":
        return Timex(start, end, span, "TIME", moment.strftime("%Y-%m-%dT%H:%M"), "time")
    return None
