"""dateparser on its own for spans a tagger marks as DATE/TIME and no rule found.

dateparser reads absolute and many relative forms well, but on free text it finds false dates
("we" as Wednesday) and fills missing parts from the reference date ("2017" → 2017-09-16), so it
only sees short spans that name a calendar word or a number, and its `period` sets the value's
granularity instead of the filled-in day."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from newsroom.enrich.domain.timeline.dateparsing import Prefer, read
from newsroom.enrich.domain.timeline.model import Timex
from newsroom.enrich.domain.timeline.tense import tense_at

_CALENDAR_WORD: Final = re.compile(
    r"\d|(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)"
    r"[a-z]*\.?\b|\b(?:today|yesterday|tomorrow|week|month|year)\b)"
)
# Measures and ages are never calendar points, whatever dateparser makes of them.
_NOT_A_POINT: Final = re.compile(
    r"(?i:\b\d+[\s-]*(?:second|minute|hour|day|night|week|month|year|decade)s?\b(?!\s+ago)|"
    r"\bold\b|\bages?\b|\baged\b|\blong\b|\bfor\b|\bper\b|\bevery\b|\beach\b)"
)


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
    prefer: Prefer = tense if tense in ("past", "future") else "current_period"
    reading = read(span, dateline, prefer)
    if reading is None:
        return None
    if reading.period == "time":
        return Timex(start, end, span, "TIME", reading.moment.strftime("%Y-%m-%dT%H:%M"), "time")
    # A part of the day ("Tuesday morning", read as 09:00) has no calendar period: it is a TIME
    # with a TIMEX3 part code, which only the rules give.
    period = reading.calendar_period()
    if period is None:
        return None
    return Timex(start, end, span, "DATE", period.value, period.granularity)
