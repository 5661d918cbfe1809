"""Calendar points read by dateparser with the dateline as RELATIVE_BASE (`dateparsing.py`): dates and
months with or without their year, numeric and ISO dates, years, this/last/next week|month|year,
today/yesterday and parts of the day, weekdays by tense, "N units ago", anaphora ("the following
day", "three days later", read from the story's last date) and clock times.

The rules around dateparser are the ones news needs: the tense of the clause picks the direction,
the weekday in "Monday, Jan. 8" only decorates the date, TIMEX3 parts of day and zones."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from typing import Final

from newsroom.enrich.domain.timeline.calendar import (
    Period,
    add_months,
    day_period,
    duration_value,
    month_period,
    relative_period,
    year_period,
)
from newsroom.enrich.domain.timeline.dateparsing import (
    by_tense,
    clock_reading,
    read,
    read_day,
    read_period,
)
from newsroom.enrich.domain.timeline.lexicon import (
    PARTS_OF_DAY,
    RELATION_OFFSETS,
    UNIT_MULTIPLIER,
    UNITS,
    WEEKDAY_NAME,
    mod_of,
    month_number,
    parse_number,
    unit_key,
)
from newsroom.enrich.domain.timeline.matching import Context, point_of, span_of, timex_of
from newsroom.enrich.domain.timeline.model import Timex

_LEADING_WEEKDAY: Final = re.compile(rf"^{WEEKDAY_NAME},?[\s\u00a0]+")


def _calendar_phrase(match: re.Match[str]) -> str:
    """The expression as dateparser should read it: "Monday, Jan. 8, 2024" names its date, and the
    weekday only decorates it (dateparser would try to honour both)."""
    start, end = span_of(match)
    return _LEADING_WEEKDAY.sub("", match.string[start:end])


def resolve_full_date(match: re.Match[str], ctx: Context) -> list[Timex]:
    """A date or month with its year: "March 3, 1999", "24 February 1955", "November 2025"."""
    return point_of(match, ctx, read_period(_calendar_phrase(match), ctx.dateline))


def resolve_month_day(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "October 5", "5 October": the year by the clause's tense."""
    start, end = span_of(match)
    period = by_tense(_calendar_phrase(match), ctx.dateline, ctx.tense(start, end))
    return point_of(match, ctx, period if period and period.granularity == "day" else None)


def resolve_month_alone(match: re.Match[str], ctx: Context) -> list[Timex]:
    month = month_number(match["month"])
    relation = (match["rel"] or "").lower()
    dateline = ctx.dateline
    if relation == "this":
        return point_of(match, ctx, month_period(dateline.year, month))
    if relation in ("last", "next"):
        # dateparser reads no "last October": the latest October strictly before this month,
        # or the first March after it.
        step = -1 if relation == "last" else 1
        year, current = dateline.year, dateline.month
        while True:
            year, current = add_months(year, current, step)
            if current == month:
                return point_of(match, ctx, month_period(year, month))
    start, end = span_of(match)
    period = by_tense(match["month"], dateline, ctx.tense(start, end))
    return point_of(match, ctx, period if period and period.granularity == "month" else None)


def resolve_numeric_date(match: re.Match[str], ctx: Context) -> list[Timex]:
    """7/8/24 (American news order, month first), 20.09.2021 (European dotted, day first)."""
    reading = read(match.group(), ctx.dateline, day_first=bool(match["dot"]))
    if reading is None or reading.period != "day":
        return []
    return point_of(match, ctx, reading.calendar_period())


def resolve_iso_date(match: re.Match[str], ctx: Context) -> list[Timex]:
    """2021-09-20, or a timestamp 2021-09-20T16:25:32Z (TIME, zone kept as TIMEX3 writes it)."""
    reading = read(match.group(), ctx.dateline)
    if reading is None:
        return []
    if reading.period == "time":
        moment = reading.moment
        value = f"{moment.date().isoformat()}T{moment:%H:%M}{_zone(moment)}"
        return [timex_of(match, ctx, "TIME", value, "time")]
    return point_of(match, ctx, reading.calendar_period())


def _zone(moment: datetime) -> str:
    """TIMEX3's zone suffix: Z for UTC, ±hh:mm for an offset the text gave, nothing otherwise."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    if not offset:
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def resolve_bare_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    # The plausibility test above is the whole work: a year that passed it is that year.
    return point_of(match, ctx, year_period(int(match["year"])))


_RELATION_WORDS: Final = {"this": "this", "current": "this", "last": "last", "past": "last",
                           "previous": "last", "next": "next"}  # fmt: skip


def resolve_relative_unit(match: re.Match[str], ctx: Context) -> list[Timex]:
    """this/last/next week|month|quarter|year ("earlier this year" keeps the year)."""
    relation, unit = _RELATION_WORDS[match["rel"].lower()], match["unit"].lower()
    if unit == "quarter":  # dateparser reads "Q3 2020", not "last quarter"
        return point_of(match, ctx, relative_period(ctx.dateline, unit, RELATION_OFFSETS[relation]))
    return point_of(match, ctx, read_period(f"{relation} {unit}", ctx.dateline))


def resolve_unit_of_the_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    """The dateline's year or month: "the beginning of the year", "the end of the month"."""
    found = point_of(match, ctx, read_period(f"this {match['unit'].lower()}", ctx.dateline))
    return [replace(timex, mod=mod_of(match.group())) for timex in found]


def _part_of_day(match: re.Match[str], ctx: Context, day: date, part: str) -> list[Timex]:
    """TIMEX3 names parts of a day (2021-09-20TMO) where dateparser picks an hour (09:00)."""
    return [timex_of(match, ctx, "TIME", f"{day.isoformat()}T{PARTS_OF_DAY[part.lower()]}", "time")]


def resolve_deictic_day(match: re.Match[str], ctx: Context) -> list[Timex]:
    """today, tonight, yesterday, tomorrow, the day after tomorrow (and their parts of day)."""
    phrase = " ".join(match["day"].lower().split())
    day = read_day(phrase, ctx.dateline)
    if day is None:
        return []
    part = match["part"] or ("night" if phrase == "tonight" else None)
    if part:
        return _part_of_day(match, ctx, day, part)
    return point_of(match, ctx, day_period(day))


def resolve_this_part_of_day(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "this morning", "last night"."""
    day = read_day(f"{match['rel']} {match['part']}".lower(), ctx.dateline)
    return _part_of_day(match, ctx, day, match["part"]) if day else []


def resolve_weekday(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "on Thursday": the one just past in a report, the coming one in a future clause; "last" and
    "next" Thursday never the dateline itself."""
    weekday = match["weekday"]
    relation = (match["rel"] or "").lower()
    start, end = span_of(match)
    if relation in ("last", "next"):
        period = read_period(f"{relation} {weekday}", ctx.dateline)
        if period is not None and period.contains(ctx.dateline):
            period = read_period(f"{relation} {weekday}", ctx.dateline,
                                 "past" if relation == "last" else "future")  # fmt: skip
    else:
        period = by_tense(weekday, ctx.dateline, ctx.tense(start, end), unmarked="past")
    if period is None:
        return []
    if match["part"]:
        return _part_of_day(match, ctx, period.first, match["part"])
    return point_of(match, ctx, period)


def resolve_ago(match: re.Match[str], ctx: Context) -> list[Timex]:
    """Units ago: "two years ago" → DATE 2019 (whole phrase) plus DURATION P2Y ("two years"), as TimeML
    annotates it: the measure is a duration, the phrase a point anchored at the dateline."""
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"]) if match["n"] else None
    measure = None if amount is None else amount * UNIT_MULTIPLIER.get(unit, 1)  # a fortnight: P2W
    duration_span = (match.start("n") if match["n"] else match.start("unit"), match.end("unit"))
    duration = timex_of(
        match, ctx, "DURATION", duration_value(measure, designator, is_time), span=duration_span
    )
    whole = (match.start(), match.end())
    if amount is None or amount != int(amount):
        return [timex_of(match, ctx, "DATE", "PAST_REF", span=whole), duration]
    steps = int(amount) * UNIT_MULTIPLIER.get(unit, 1)
    period: Period | None
    if unit == "quarter":  # dateparser has no quarters
        period = relative_period(ctx.dateline, "quarter", -steps)
    elif designator in ("H", "M", "S") and is_time:
        # Hours ago from a dateline with no clock time: the dateline's day.
        period = day_period(ctx.dateline)
    else:
        # Said in units dateparser counts in; decades and centuries ago are years ago.
        base_unit, per = {"fortnight": ("week", 1), "night": ("day", 1), "decade": ("year", 10),
                          "century": ("year", 100)}.get(unit, (unit, 1))  # fmt: skip
        period = read_period(f"{steps * per} {base_unit}s ago", ctx.dateline)
    if period is None:
        return [duration]
    return [Timex(*whole, ctx.text[whole[0] : whole[1]], "DATE", period.value, period.granularity),
            duration]  # fmt: skip


def resolve_anaphoric(match: re.Match[str], ctx: Context) -> list[Timex]:
    """Anaphoric units ("the following day", "the previous year", "three days later"): relative
    to the last date the story named, else to the dateline."""
    unit = unit_key(match["unit"])
    relation = (match["rel"] or "").lower()
    start, _ = span_of(match)
    reference = ctx.reference_before(start)
    count = match.groupdict().get("n")
    if count:
        amount = parse_number(count)
        if reference is None or amount is None or amount != int(amount):
            # "A few years later", or no date named before it: only the measure is known.
            designator, is_time = UNITS[unit]
            value = duration_value(amount, designator, is_time)
            span = (match.start("n"), match.end("unit"))
            return [timex_of(match, ctx, "DURATION", value, span=span)]
        steps = int(amount) * (1 if relation == "later" else -1)
    else:
        steps = {"following": 1, "next": 1, "previous": -1, "prior": -1, "preceding": -1}.get(
            relation, 0
        )
    if unit not in ("day", "week", "month", "year"):
        return []
    # dateparser reads the shift from the anchor, as it reads "next week" from the dateline.
    if steps == 0:
        phrase = "today" if unit == "day" else f"this {unit}"
    elif unit == "day" and abs(steps) == 1:
        phrase = "tomorrow" if steps > 0 else "yesterday"
    elif abs(steps) == 1 and not count:
        phrase = f"{'next' if steps > 0 else 'last'} {unit}"
    else:
        phrase = f"in {steps} {unit}s" if steps > 0 else f"{-steps} {unit}s ago"
    return point_of(match, ctx, read_period(phrase, reference or ctx.dateline))


def resolve_clock(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "6 p.m.", "10:30 a.m. EST", "at 18:00 GMT" on the day the sentence names, else the dateline.
    TIMEX3 values keep local time: only UTC is marked (Z), other zones stay implicit."""
    start, end = span_of(match)
    day = ctx.day_near(start, end) or ctx.dateline
    # dateparser reads the clock and zone; the UTC offset written after a zone name is dropped.
    phrase = (
        match.group()[: match.start("offset") - match.start()] if match["offset"] else match.group()
    )
    reading = clock_reading(re.sub(r"[()]", " ", phrase), day)
    if reading is None:
        return []
    zone = (match["zone"] or "").upper()
    suffix = "Z" if zone in ("UTC", "GMT", "Z") and not match["offset"] else ""
    value = f"{day.isoformat()}T{reading.moment:%H:%M}{suffix}"
    return [timex_of(match, ctx, "TIME", value, "time")]


def resolve_clock_24h(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "at 18:00", or wire style "1530 GMT" (which dateparser would take for a year)."""
    if not match["h2"]:
        return resolve_clock(match, ctx)
    start, end = match.span()
    day = ctx.day_near(start, end) or ctx.dateline
    reading = clock_reading(f"{match['h2']}:{match['m2']}", day)
    if reading is None:
        return []
    suffix = "Z" if match["zone2"].upper().endswith(("GMT", "UTC")) else ""
    value = f"{day.isoformat()}T{reading.moment:%H:%M}{suffix}"
    return [timex_of(match, ctx, "TIME", value, "time")]


def resolve_named_time(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "at noon", "by midnight": TIMEX3 writes midnight as 24:00 of its day."""
    start, end = span_of(match)
    day = ctx.day_near(start, end) or ctx.dateline
    clock = "12:00" if match["name"].lower() == "noon" else "24:00"
    return [timex_of(match, ctx, "TIME", f"{day.isoformat()}T{clock}", "time")]
