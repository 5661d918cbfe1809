"""The rule layer news needs: each rule is a regex over the text plus a resolver that turns a match
into TIMEX3 values against the dateline.

Rules only *find and classify*; absolute dates are simple enough to read from the match groups,
and what no rule covers (spans a tagger proposes) goes to dateparser in `fallback.py`. Matching is
deliberately case-sensitive for month and weekday names ("May" the month, "may" the verb)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from newsroom.enrich.domain.timeline.calendar import (
    SEASON_ORDER,
    Period,
    Tense,
    add_months,
    choose_by_tense,
    day_period,
    duration_value,
    month_period,
    quarter_period,
    relative_period,
    safe_date,
    season_of,
    season_period,
    shift_day,
    week_period,
    weekday_date,
    year_period,
)
from newsroom.enrich.domain.timeline.lexicon import (
    DAY_NUMBER,
    FUZZY_QUANTIFIER,
    MONTH_NAME,
    NUMBER,
    ORDINALS,
    PARTS_OF_DAY,
    SEASONS,
    UNIT_MULTIPLIER,
    UNIT_WORD,
    UNITS,
    WEEKDAY_NAME,
    WEEKDAYS,
    YEAR_NUMBER,
    month_number,
    parse_number,
    unit_key,
)
from newsroom.enrich.domain.timeline.model import Granularity, Timex, TimexType
from newsroom.enrich.domain.timeline.tense import sentence_bounds, tense_at


@dataclass
class Context:
    """What resolvers may look at: the text, the dateline, and the points resolved so far."""

    text: str
    dateline: date
    points: list[Timex] = field(default_factory=list)
    # First day of each resolved calendar point, by the point's start offset.
    first_days: dict[int, date] = field(default_factory=dict)

    def tense(self, start: int, end: int) -> Tense:
        return tense_at(self.text, start, end)

    def day_near(self, start: int, end: int) -> date | None:
        """The day-granular date nearest to text[start:end] in the same sentence (anchors clock
        times: "made its first flight Tuesday … at 18:00 UTC")."""
        sentence_start, sentence_end = sentence_bounds(self.text, start, end)
        best: tuple[int, date] | None = None
        for point in self.points:
            if point.granularity != "day" or not sentence_start <= point.start < sentence_end:
                continue
            distance = start - point.end if point.end <= start else point.start - end
            if best is None or abs(distance) < best[0]:
                best = (abs(distance), date.fromisoformat(point.value[:10]))
        return best[1] if best else None

    def reference_before(self, start: int) -> date | None:
        """First day of the last calendar point before `start`: the anchor of "the following
        day", "a year later"."""
        before = [p for p in self.points if p.end <= start and p.start in self.first_days]
        return self.first_days[before[-1].start] if before else None


Resolver = Callable[[re.Match[str], Context], list[Timex]]


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: Resolver
    # Resolved in a second pass, once the calendar points they lean on are known.
    anchored: bool = False
    accept: Callable[[re.Match[str], str], bool] | None = None


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    rule: Rule
    match: re.Match[str]


# ------------------------------------------------------------------ helpers


def _span(match: re.Match[str]) -> tuple[int, int]:
    """The extent of the expression: group "t" when the pattern carries context around it."""
    if "t" in match.re.groupindex and match.group("t") is not None:
        return match.span("t")
    return match.span()


def _timex(
    match: re.Match[str],
    ctx: Context,
    type_: TimexType,
    value: str,
    granularity: Granularity | None = None,
    span: tuple[int, int] | None = None,
) -> Timex:
    start, end = span or _span(match)
    return Timex(start, end, ctx.text[start:end], type_, value, granularity)


def _point(match: re.Match[str], ctx: Context, period: Period | None) -> list[Timex]:
    if period is None:
        return []
    timex = _timex(match, ctx, "DATE", period.value, period.granularity)
    ctx.first_days[timex.start] = period.first
    return [timex]


def _year(text: str) -> int:
    return int(text)


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _word(pattern: str) -> str:
    """A case-insensitive whole-word pattern."""
    return rf"(?<![\w-])(?i:{pattern})(?![\w])"


_B = r"(?<![\w-])"  # left word boundary that also refuses the inside of "A330-200"-style tokens
# ... except after the prefixes of "mid-September", "late-2019", "pre-war".
_BM = r"(?:(?<=(?i:mid)-)|(?<=(?i:early)-)|(?<=(?i:late)-)|(?<![\w-]))"
_E = r"(?![\w])"
_WS = r"[\s\u00a0]+"
_WEEKDAY_PREFIX = rf"(?:{WEEKDAY_NAME},?{_WS})?"
_YEAR = rf"(?P<year>{YEAR_NUMBER})"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# ------------------------------------------------------------------ absolute dates


def _full_date(match: re.Match[str], ctx: Context) -> list[Timex]:
    day = safe_date(_year(match["year"]), month_number(match["month"]), _day(match["day"]))
    return _point(match, ctx, day_period(day) if day else None)


def _month_day(match: re.Match[str], ctx: Context) -> list[Timex]:
    month, day_of_month = month_number(match["month"]), _day(match["day"])
    start, end = _span(match)

    def make(year: int) -> Period | None:
        day = safe_date(year, month, day_of_month)
        return day_period(day) if day else None

    return _point(match, ctx, choose_by_tense(make, ctx.dateline, ctx.tense(start, end)))


def _month_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    return _point(match, ctx, month_period(_year(match["year"]), month_number(match["month"])))


def _month_alone(match: re.Match[str], ctx: Context) -> list[Timex]:
    month = month_number(match["month"])
    relation = (match["rel"] or "").lower()
    dateline = ctx.dateline
    if relation == "this":
        return _point(match, ctx, month_period(dateline.year, month))
    if relation in ("last", "next"):
        step = -1 if relation == "last" else 1
        year, current = dateline.year, dateline.month
        # "last October" is the latest October strictly before this month; "next March" the first after.
        while True:
            year, current = add_months(year, current, step)
            if current == month:
                return _point(match, ctx, month_period(year, month))
    start, end = _span(match)
    period = choose_by_tense(
        lambda year: month_period(year, month), dateline, ctx.tense(start, end)
    )
    return _point(match, ctx, period)


_AMBIGUOUS_MONTHS: Final = frozenset({"May", "March", "June", "August"})
_MONTH_CONTEXT_BEFORE: Final = re.compile(
    r"(?i:\b(?:in|since|until|till|by|from|of|during|before|after|through|throughout|early|mid|"
    r"late|last|next|this|every|each|between|and|to|around|end|beginning|start|late-|mid-|early-|"
    r"on|with|than|for|as\s+of)[\s-]+)$"
)


def _month_alone_plausible(match: re.Match[str], text: str) -> bool:
    if match["month"] not in _AMBIGUOUS_MONTHS or match["rel"]:
        return True
    return bool(_MONTH_CONTEXT_BEFORE.search(text, max(0, match.start() - 20), match.start()))


def _numeric_date(match: re.Match[str], ctx: Context) -> list[Timex]:
    first = int(match["a"])
    second = int(match["b"] or match["b2"])
    year_text = match["y"] or match["y2"]
    year = int(year_text)
    if len(year_text) == 2:
        # The century that puts the year nearest the dateline: "7/8/07" in 2007 → 2007.
        century = ctx.dateline.year // 100 * 100
        year = min((century - 100 + year, century + year), key=lambda y: abs(y - ctx.dateline.year))
    # Numbers in American news order (month first) unless the first cannot be a month.
    # Dotted dates are European (day first).
    month, day_of_month = (second, first) if first > 12 or match["dot"] else (first, second)
    day = safe_date(year, month, day_of_month)
    return _point(match, ctx, day_period(day) if day else None)


def _iso_date(match: re.Match[str], ctx: Context) -> list[Timex]:
    """2021-09-20, or a timestamp 2021-09-20T16:25:32Z (TIME, zone kept as TIMEX3 writes it)."""
    day = safe_date(int(match["year"]), int(match["m"]), int(match["d"]))
    if day is None:
        return []
    if match["hh"]:
        zone = match["tz"] or ""
        if zone and zone != "Z":
            zone = zone[:3] + ":" + zone[-2:] if ":" not in zone else zone
        value = f"{day.isoformat()}T{match['hh']}:{match['mm']}{zone}"
        return [_timex(match, ctx, "TIME", value, "time")]
    return _point(match, ctx, day_period(day))


# ------------------------------------------------------------------ holidays

_FIXED_HOLIDAYS: Final = {
    "new year's day": (1, 1), "new year's eve": (12, 31), "valentine's day": (2, 14),
    "halloween": (10, 31), "christmas eve": (12, 24), "christmas day": (12, 25),
    "christmas": (12, 25), "boxing day": (12, 26), "independence day": (7, 4),
    "bastille day": (7, 14), "st patrick's day": (3, 17), "st. patrick's day": (3, 17),
}  # fmt: skip


def _thanksgiving(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return shift_day(first, "day", (3 - first.weekday()) % 7 + 21)


def _holiday(match: re.Match[str], ctx: Context) -> list[Timex]:
    name = " ".join(match["holiday"].lower().replace("’", "'").split())
    start, end = _span(match)

    def make(year: int) -> Period | None:
        if name == "thanksgiving":
            return day_period(_thanksgiving(year))
        month, day_of_month = _FIXED_HOLIDAYS[name]
        return day_period(date(year, month, day_of_month))

    if match["year"]:
        return _point(match, ctx, make(_year(match["year"])))
    return _point(match, ctx, choose_by_tense(make, ctx.dateline, ctx.tense(start, end)))


# ------------------------------------------------------------------ years, decades, centuries

_YEAR_BLOCKERS_BEFORE: Final = re.compile(
    r"(?:[$£€¥#]\s*|(?i:\b(?:no\.?|nos\.?|number|flight|route|model|room|page|pages|article|section|"
    r"rule|highway|interstate|road|street|version|iso|windows|office|boeing|airbus|suite|"
    r"unit|units|code|form|bus|train|channel|exit|box|tel|phone|fax|us\$|usd|eur|gbp)\s*)|"
    r"[\d,.:/]|[A-Za-z]-?)$"
)
_YEAR_BLOCKERS_AFTER: Final = re.compile(
    r"^(?:[,.:/]\d|\s*[-–]?\s*(?i:%|percent|per\s+cent|years?[\s-]+old|strong|"
    r"(?:people|persons|passengers|employees|workers|jobs|staff|units|aircraft|planes|jets|cars|"
    r"vehicles|homes|houses|troops|soldiers|students|copies|shares|tons|tonnes|km|kilometres|"
    r"kilometers|miles|metres|meters|feet|ft|m|kg|lbs?|pounds|dollars|euros|points|votes|seats|"
    r"times|calories|mph|kph|km/h|hp|mw|kw|gb|mb|rpm|members|customers|users|visitors|"
    r"attendees|residents|delegates|stores)\b))"
)
_QUANTITY_BEFORE: Final = re.compile(
    r"(?i:\b(?:some|about|around|nearly|almost|over|than|to|least|only|just|roughly|approximately)"
    r"\s+)$"
)
_YEAR_PREFIXES: Final = re.compile(r"(?<![\w-])(?i:mid|early|late|pre|post)-$")
_OLD_YEAR_CONTEXT: Final = re.compile(
    r"(?i:\b(?:in|since|from|until|till|by|of|year|around|circa|c\.|before|after|between|and|to)"
    r"\s+)$"
)


def _year_plausible(match: re.Match[str], text: str) -> bool:
    start, end = match.span("year")
    if text.startswith("-", start - 1):
        # "mid-2011", "pre-2008" yes; "A330-2011", "10-2011" (a score, a code) no.
        return bool(_YEAR_PREFIXES.search(text, max(0, start - 8), start))
    if _YEAR_BLOCKERS_BEFORE.search(text, max(0, start - 12), start):
        return False
    if _YEAR_BLOCKERS_AFTER.search(text[end : end + 24]):
        return False
    if _QUANTITY_BEFORE.search(text, max(0, start - 12), start) and re.match(
        r"\s+[a-z]+s\b", text[end : end + 20]
    ):
        return False  # "some 2000 protesters", "up to 2000 troops": a count
    year = int(match["year"])
    return 1900 <= year <= 2099 or bool(_OLD_YEAR_CONTEXT.search(text, max(0, start - 10), start))


def _bare_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    return _point(match, ctx, year_period(_year(match["year"])))


def _fiscal_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    year = int(match["fy"])
    if year < 100:
        year += 2000 if year < 50 else 1900
    return [_timex(match, ctx, "DATE", f"FY{year:04d}")]


def _decade(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["century"]:
        prefix = match["century"]
    else:
        # "the '90s", "the 80s": the latest such decade that has begun by the dateline.
        digit = int(match["short"])
        century = ctx.dateline.year // 100
        prefix = str(century if century * 100 + digit * 10 <= ctx.dateline.year else century - 1)
    decade_digit = match["digit"] if match["century"] else match["short"]
    return [_timex(match, ctx, "DATE", f"{prefix}{decade_digit}")]


_CENTURY_WORDS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21,
}  # fmt: skip


def _century(match: re.Match[str], ctx: Context) -> list[Timex]:
    ordinal = match["ord"].lower()
    number = (
        int(re.sub(r"\D", "", ordinal)) if ordinal[0].isdigit() else _CENTURY_WORDS.get(ordinal)
    )
    if number is None:
        return []
    return [_timex(match, ctx, "DATE", f"{number - 1:02d}")]


def _this_century(match: re.Match[str], ctx: Context) -> list[Timex]:
    return [_timex(match, ctx, "DATE", f"{ctx.dateline.year // 100:02d}")]


def _this_decade(match: re.Match[str], ctx: Context) -> list[Timex]:
    return [_timex(match, ctx, "DATE", f"{ctx.dateline.year // 10:03d}")]


# ------------------------------------------------------------------ seasons, quarters, halves


def _season(match: re.Match[str], ctx: Context) -> list[Timex]:
    season = SEASONS[match["season"].lower()]
    relation = (match["rel"] or "").lower()
    if match["year"]:
        return _point(match, ctx, season_period(_year(match["year"]), season))
    current_year, current = season_of(ctx.dateline)
    if relation == "this":
        year = current_year
        # "this winter" said in March means the winter just ending.
        if SEASON_ORDER.index(season) < SEASON_ORDER.index(current) and season != "WI":
            year = current_year + 1 if current == "WI" else current_year
        return _point(match, ctx, season_period(year, season))
    if relation in ("last", "next"):
        step = -1 if relation == "last" else 1
        offset = step
        while True:
            period = relative_period(ctx.dateline, "season", offset)
            if period and period.value.endswith(season):
                return _point(match, ctx, period)
            offset += step
    start, end = _span(match)
    return _point(
        match,
        ctx,
        choose_by_tense(lambda y: season_period(y, season), ctx.dateline, ctx.tense(start, end)),
    )


def _quarter(match: re.Match[str], ctx: Context) -> list[Timex]:
    ordinal = (match["ord"] or match["qn"] or "").lower()
    quarter = int(ordinal) if ordinal.isdigit() else ORDINALS.get(ordinal, 0)
    if quarter == -1:
        quarter = 4
    if not 1 <= quarter <= 4:
        return []
    year = match["year"] or match["year2"]
    if year:
        return _point(match, ctx, quarter_period(_year(year), quarter))
    start, end = _span(match)
    period = choose_by_tense(
        lambda y: quarter_period(y, quarter), ctx.dateline, ctx.tense(start, end) or "past"
    )
    return _point(match, ctx, period)


def _half(match: re.Match[str], ctx: Context) -> list[Timex]:
    half = 1 if match["half"].lower() in ("first", "1", "h1") else 2
    relation = (match["rel"] or "").lower()
    year = (
        _year(match["year"])
        if match["year"]
        else ctx.dateline.year + {"last": -1, "next": 1}.get(relation, 0)
    )
    return [_timex(match, ctx, "DATE", f"{year:04d}-H{half}")]


# ------------------------------------------------------------------ relative to the dateline

_OFFSETS: Final = {"this": 0, "current": 0, "last": -1, "past": -1, "previous": -1, "next": 1}


def _relative_unit(match: re.Match[str], ctx: Context) -> list[Timex]:
    """this/last/next week|weekend|month|quarter|year (with "earlier"/"later" kept at the unit)."""
    offset = _OFFSETS[match["rel"].lower()]
    return _point(match, ctx, relative_period(ctx.dateline, match["unit"].lower(), offset))


def _unit_of_the_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    """The dateline's year or month: "the beginning of the year", "the end of the month"."""
    return _point(match, ctx, relative_period(ctx.dateline, match["unit"].lower(), 0))


_DEICTIC_DAYS: Final = {
    "today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2,
    "the day after tomorrow": 2,
}  # fmt: skip


def _deictic_day(match: re.Match[str], ctx: Context) -> list[Timex]:
    phrase = " ".join(match["day"].lower().split())
    day = shift_day(ctx.dateline, "day", _DEICTIC_DAYS[phrase])
    part = match["part"].lower() if match["part"] else ("night" if phrase == "tonight" else None)
    if part:
        return [_timex(match, ctx, "TIME", f"{day.isoformat()}T{PARTS_OF_DAY[part]}", "time")]
    return _point(match, ctx, day_period(day))


def _this_part_of_day(match: re.Match[str], ctx: Context) -> list[Timex]:
    relation = match["rel"].lower()
    day = shift_day(ctx.dateline, "day", -1 if relation == "last" else 0)
    code = PARTS_OF_DAY[match["part"].lower()]
    return [_timex(match, ctx, "TIME", f"{day.isoformat()}T{code}", "time")]


def _weekday(match: re.Match[str], ctx: Context) -> list[Timex]:
    weekday = WEEKDAYS[match["weekday"].lower()]
    relation = (match["rel"] or "").lower()
    start, end = _span(match)
    if relation == "last":
        day = weekday_date(ctx.dateline, weekday, "past", strict=True)
    elif relation == "next":
        day = weekday_date(ctx.dateline, weekday, "future", strict=True)
    else:
        day = weekday_date(ctx.dateline, weekday, ctx.tense(start, end))
    if match["part"]:
        code = PARTS_OF_DAY[match["part"].lower()]
        return [_timex(match, ctx, "TIME", f"{day.isoformat()}T{code}", "time")]
    return _point(match, ctx, day_period(day))


def _weekend(match: re.Match[str], ctx: Context) -> list[Timex]:
    relation = (match["rel"] or "").lower()
    if relation in _OFFSETS:
        return _point(match, ctx, relative_period(ctx.dateline, "weekend", _OFFSETS[relation]))
    start, end = _span(match)
    tense = ctx.tense(start, end)
    current = week_period(ctx.dateline, weekend=True)
    if tense == "past" and ctx.dateline < current.first:
        return _point(match, ctx, relative_period(ctx.dateline, "weekend", -1))
    return _point(match, ctx, current)


def _ago(match: re.Match[str], ctx: Context) -> list[Timex]:
    """Units ago: "two years ago" → DATE 2019 (whole phrase) plus DURATION P2Y ("two years"), as TimeML
    annotates it: the measure is a duration, the phrase a point anchored at the dateline."""
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"]) if match["n"] else None
    duration_span = (match.start("n") if match["n"] else match.start("unit"), match.end("unit"))
    duration = _timex(
        match,
        ctx,
        "DURATION",
        duration_value(amount, designator, is_time),
        span=duration_span,
    )
    whole = (match.start(), match.end())
    if amount is None or amount != int(amount):
        return [_timex(match, ctx, "DATE", "PAST_REF", span=whole), duration]
    steps = int(amount) * UNIT_MULTIPLIER.get(unit, 1)
    dateline = ctx.dateline
    period: Period | None
    if unit in ("decade", "century"):
        period = year_period(dateline.year - steps * (10 if unit == "decade" else 100))
    elif unit == "year":
        period = year_period(dateline.year - steps)
    elif unit == "quarter":
        period = relative_period(dateline, "quarter", -steps)
    elif unit == "month":
        period = month_period(*add_months(dateline.year, dateline.month, -steps))
    elif unit in ("week", "fortnight"):
        period = week_period(shift_day(dateline, "week", -steps))
    elif unit in ("day", "night"):
        period = day_period(shift_day(dateline, "day", -steps))
    else:  # hours, minutes, seconds ago: today
        period = day_period(dateline)
    if period is None:
        return [duration]
    return [Timex(*whole, ctx.text[whole[0] : whole[1]], "DATE", period.value, period.granularity),
            duration]  # fmt: skip


def _anaphoric(match: re.Match[str], ctx: Context) -> list[Timex]:
    """Anaphoric units ("the following day", "the previous year", "three days later"): relative
    to the last date the story named, else to the dateline."""
    unit = unit_key(match["unit"])
    relation = (match["rel"] or "").lower()
    start, _ = _span(match)
    reference = ctx.reference_before(start)
    count = match.groupdict().get("n")
    if count:
        amount = parse_number(count)
        if reference is None or amount is None or amount != int(amount):
            # "A few years later", or no date named before it: only the measure is known.
            designator, is_time = UNITS[unit]
            value = duration_value(amount, designator, is_time)
            span = (match.start("n"), match.end("unit"))
            return [_timex(match, ctx, "DURATION", value, span=span)]
        steps = int(amount) * (1 if relation == "later" else -1)
    else:
        steps = {"following": 1, "next": 1, "previous": -1, "prior": -1, "preceding": -1}.get(
            relation, 0
        )
    anchor = reference or ctx.dateline
    if unit == "day":
        period: Period | None = day_period(shift_day(anchor, "day", steps))
    elif unit == "week":
        period = week_period(shift_day(anchor, "week", steps))
    elif unit == "month":
        period = month_period(*add_months(anchor.year, anchor.month, steps))
    elif unit == "year":
        period = year_period(anchor.year + steps)
    else:
        return []
    return _point(match, ctx, period)


# ------------------------------------------------------------------ clock times


def _clock(match: re.Match[str], ctx: Context) -> list[Timex]:
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    meridiem = (match["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        return []
    start, end = _span(match)
    day = ctx.day_near(start, end) or ctx.dateline
    zone = (match["zone"] or "").upper()
    suffix = "Z" if zone in ("UTC", "GMT", "Z") and not match["offset"] else ""
    return [
        _timex(match, ctx, "TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}{suffix}", "time")
    ]


def _named_time(match: re.Match[str], ctx: Context) -> list[Timex]:
    start, end = _span(match)
    day = ctx.day_near(start, end) or ctx.dateline
    clock = "12:00" if match["name"].lower() == "noon" else "24:00"
    return [_timex(match, ctx, "TIME", f"{day.isoformat()}T{clock}", "time")]


# ------------------------------------------------------------------ durations and sets


def _duration(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"]) if match["n"] else None
    if amount is not None:
        amount *= UNIT_MULTIPLIER.get(unit, 1)
    return [_timex(match, ctx, "DURATION", duration_value(amount, designator, is_time))]


def _one_unit(match: re.Match[str], ctx: Context) -> list[Timex]:
    """One unit back or ahead of the dateline as a stretch: "the past year", "the coming week"."""
    designator, is_time = UNITS[unit_key(match["unit"])]
    return [_timex(match, ctx, "DURATION", duration_value(1, designator, is_time))]


def _fuzzy_duration(match: re.Match[str], ctx: Context) -> list[Timex]:
    designator, is_time = UNITS[unit_key(match["unit"])]
    return [_timex(match, ctx, "DURATION", duration_value(None, designator, is_time))]


def _not_an_age(match: re.Match[str], text: str) -> bool:
    """Ages ("36-year-old", "36 years old", "a 3-year-old") are no temporal expression at all."""
    return not re.match(r"[\s-]*olds?\b", text[match.end() : match.end() + 8], re.IGNORECASE)


_SET_WORDS: Final = {
    "annual": "P1Y", "annually": "P1Y", "yearly": "P1Y", "daily": "P1D", "weekly": "P1W",
    "monthly": "P1M", "quarterly": "P3M", "hourly": "PT1H", "nightly": "P1D",
    "biannual": "P6M", "biennial": "P2Y",
}  # fmt: skip


def _set_word(match: re.Match[str], ctx: Context) -> list[Timex]:
    return [_timex(match, ctx, "SET", _SET_WORDS[match["word"].lower()])]


def _set_unit(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"]) if match["n"] else 1.0
    return [_timex(match, ctx, "SET", duration_value(amount, designator, is_time))]


# ------------------------------------------------------------------ present, past, future refs


def _ref(value: str) -> Resolver:
    def resolve(match: re.Match[str], ctx: Context) -> list[Timex]:
        return [_timex(match, ctx, "DATE", value)]

    return resolve


def _not_premodifier_now(match: re.Match[str], text: str) -> bool:
    # "the now-cancelled deal": an adjective prefix, not a reference to the present.
    return not text.startswith("-", match.end())


# ------------------------------------------------------------------ the rule table

_REL = r"(?P<rel>(?i:this|last|next|current|past|previous))"
_PART = r"(?P<part>(?i:morning|afternoon|evening|night))"

RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "month-day-year",
        _compile(
            rf"{_BM}{_WEEKDAY_PREFIX}(?P<month>{MONTH_NAME}){_WS}(?P<day>{DAY_NUMBER}),?{_WS}"
            rf"{_YEAR}{_E}"
        ),
        _full_date,
    ),
    Rule(
        "day-month-year",
        _compile(
            rf"{_B}{_WEEKDAY_PREFIX}(?:(?i:the){_WS})?(?P<day>{DAY_NUMBER}){_WS}(?:(?i:of){_WS})?"
            rf"(?P<month>{MONTH_NAME}),?{_WS}{_YEAR}{_E}"
        ),
        _full_date,
    ),
    Rule(
        "month-day",
        _compile(
            rf"{_BM}{_WEEKDAY_PREFIX}(?P<month>{MONTH_NAME}){_WS}(?:(?i:the){_WS})?"
            rf"(?P<day>{DAY_NUMBER}){_E}(?![,.:]?\d|\s*(?i:%|percent|per\s+cent|million|billion))"
        ),
        _month_day,
    ),
    Rule(
        "day-month",
        _compile(
            rf"{_B}{_WEEKDAY_PREFIX}(?:(?i:the){_WS})?(?P<day>{DAY_NUMBER}){_WS}(?:(?i:of){_WS})?"
            rf"(?P<month>{MONTH_NAME}){_E}"
        ),
        _month_day,
    ),
    Rule(
        "month-year",
        _compile(rf"{_BM}(?P<month>{MONTH_NAME}),?{_WS}(?:(?i:of){_WS})?{_YEAR}{_E}"),
        _month_year,
    ),
    Rule(
        "month",
        _compile(
            rf"{_BM}(?:(?P<rel>(?i:this|last|next)){_WS})?"
            r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
            rf"November|December){_E}(?!\s+\d)"
        ),
        _month_alone,
        accept=_month_alone_plausible,
    ),
    Rule(
        "numeric-date",
        _compile(
            r"(?<![\d/.])(?P<a>\d{1,2})(?:(?P<sep>/)(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})|"
            r"(?P<dot>\.)(?P<b2>\d{1,2})\.(?P<y2>\d{4}))(?![\d/]|\.\d)"
        ),
        _numeric_date,
    ),
    Rule(
        "iso-date",
        _compile(
            rf"(?<![\d-]){_YEAR}-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-2]\d|3[01])"
            r"(?:[T ](?P<hh>[01]\d|2[0-3]):(?P<mm>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?"
            r"(?P<tz>Z|[+-]\d\d:?\d\d)?)?(?![\d-])"
        ),
        _iso_date,
    ),
    Rule(
        "holiday",
        _compile(
            r"(?<![\w-])(?P<holiday>New\s+Year['’]s\s+(?:Day|Eve)|Valentine['’]s\s+Day|Halloween|"
            r"Christmas(?:\s+(?:Eve|Day))?|Boxing\s+Day|Independence\s+Day|Bastille\s+Day|"
            r"St\.?\s+Patrick['’]s\s+Day|Thanksgiving)(?:,?\s+(?P<year>(?:19|20)\d\d))?(?![\w-])"
            r"(?!\s+(?:Island|Islands|Tree|tree|card|cards|carol|carols|market|markets|lights|"
            r"pudding|cake|special|party|film|movie|song|album))"
        ),
        _holiday,
    ),
    Rule(
        "year", _compile(rf"(?<![\w'’]){_YEAR}(?![\w'’]|-\d)"), _bare_year, accept=_year_plausible
    ),
    Rule(
        "fiscal-year",
        _compile(r"(?<![\w-])(?i:fiscal(?:\s+year)?\s+|FY\s?)(?P<fy>(?:19|20)\d\d|\d\d)(?![\w])"),
        _fiscal_year,
    ),
    Rule(
        "decade",
        _compile(
            r"(?<![\w-])(?:(?i:the)\s+)?(?:(?P<century>1[0-9]|20)(?P<digit>\d)0|['’](?P<short>\d)0)s"
            r"(?![\w])"
        ),
        _decade,
    ),
    Rule(
        "century",
        _compile(
            r"(?<![\w-])(?:(?i:the)\s+)?(?P<ord>\d{1,2}(?:st|nd|rd|th)|(?i:twenty[- ]first|"
            r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
            r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
            r"twentieth))[\s-](?i:century)(?![\w])"
        ),
        _century,
    ),
    Rule("this-century", _compile(_word(r"this\s+century")), _this_century),
    Rule("this-decade", _compile(_word(r"this\s+decade")), _this_decade),
    Rule(
        "season",
        _compile(
            rf"{_B}(?:(?P<rel>(?i:this|last|next|the|early|late)){_WS}|(?<=(?i:in|by) )|"
            rf"(?<=(?i:during) )|(?<=(?i:until) ))"
            r"(?P<season>(?i:spring|summer|autumn|fall|winter))"
            rf"(?:{_WS}(?:(?i:of){_WS})?{_YEAR})?{_E}"
            r"|"
            rf"{_B}(?P<season2>(?i:spring|summer|autumn|fall|winter)){_WS}{YEAR_NUMBER}{_E}"
        ),
        lambda m, c: _season_any(m, c),
        accept=lambda m, t: _season_plausible(m, t),
    ),
    Rule(
        "quarter",
        _compile(
            rf"{_B}(?:(?i:the){_WS})?(?P<ord>(?i:first|second|third|fourth|final|1st|2nd|3rd|4th))"
            rf"[\s-](?i:quarter|qtr)(?:{_WS}(?:(?i:of){_WS})?(?:(?i:fiscal|financial){_WS})?"
            rf"{_YEAR})?{_E}"
            rf"|{_B}Q(?P<qn>[1-4])(?:(?:{_WS}|-|/|')(?P<year2>{YEAR_NUMBER}))?{_E}"
        ),
        _quarter,
    ),
    Rule(
        "half",
        _compile(
            rf"{_B}(?:(?i:the){_WS})?(?P<half>(?i:first|second)){_WS}(?i:half){_WS}(?i:of){_WS}"
            rf"(?:{_YEAR}|(?i:the{_WS}year)|(?P<rel>(?i:this|last|next)){_WS}(?i:year))"
            rf"|{_B}(?P<half2>H[12]){_WS}{YEAR_NUMBER}{_E}"
        ),
        lambda m, c: _half_any(m, c),
    ),
    Rule(
        "relative-unit",
        _compile(
            rf"{_B}(?:(?i:earlier|later){_WS}(?i:in{_WS})?)?{_REL}{_WS}"
            r"(?P<unit>(?i:week|month|quarter|year))(?![\w-])(?!\s+(?i:old))"
        ),
        _relative_unit,
        accept=lambda m, t: not _after_the(m, t),
    ),
    Rule(
        "the-last-quarter",
        _compile(
            rf"{_B}(?i:the){_WS}(?P<rel>(?i:last|past|previous|current|next)){_WS}"
            r"(?P<unit>(?i:quarter))(?![\w-])(?!\s+(?i:of|century))"
        ),
        _relative_unit,
    ),
    Rule(
        "weekend",
        _compile(rf"{_B}(?:(?P<rel>(?i:this|last|next|past|the)){_WS})(?i:weekend)(?![\w])"),
        _weekend,
    ),
    Rule(
        "unit-of-the-year",
        _compile(
            rf"{_B}(?i:(?:the{_WS}(?:very{_WS})?(?:beginning|start|end|middle|close|rest|remainder)"
            rf"{_WS}of|earlier{_WS}in|later{_WS}in){_WS}the{_WS})(?P<unit>(?i:week|month|year))"
            r"(?![\w])"
        ),
        _unit_of_the_year,
    ),
    Rule(
        "deictic-day",
        _compile(
            rf"(?<![\w-])(?<!USA )(?P<day>(?i:today|tonight|yesterday|tomorrow|the{_WS}day{_WS}"
            rf"(?:before{_WS}yesterday|after{_WS}tomorrow)))(?:['’]s)?(?:{_WS}{_PART})?(?![\w])"
        ),
        _deictic_day,
        accept=lambda m, t: not _capitalised_mid_sentence(m, t),
    ),
    Rule(
        "this-part-of-day",
        _compile(rf"{_B}(?P<rel>(?i:this|last)){_WS}{_PART}(?![\w])"),
        _this_part_of_day,
        accept=lambda m, _t: not (m["rel"].lower() == "last" and m["part"].lower() != "night"),
    ),
    Rule(
        "weekday",
        _compile(
            rf"{_B}(?:(?P<rel>(?i:last|next|this)){_WS})?(?P<weekday>{WEEKDAY_NAME})(?![\w])"
            rf"(?:{_WS}{_PART})?"
        ),
        _weekday,
    ),
    Rule(
        "weekday-set",
        _compile(
            rf"{_B}(?:(?i:every|each){_WS}(?P<weekday>{WEEKDAY_NAME})|(?i:on{_WS})?"
            rf"(?P<weekday2>(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s))(?![\w])"
        ),
        lambda m, c: _weekday_set_any(m, c),
    ),
    Rule(
        "ago",
        _compile(
            rf"{_B}(?:(?P<n>{NUMBER}|{FUZZY_QUANTIFIER}){_WS})?(?P<unit>(?i:{UNIT_WORD})s?)"
            rf"{_WS}(?i:ago|earlier\s+than\s+now)(?![\w])"
        ),
        _ago,
    ),
    Rule(
        "anaphoric-unit",
        _compile(
            rf"{_B}(?i:the){_WS}(?P<rel>(?i:following|next|previous|prior|preceding|same)){_WS}"
            r"(?P<unit>(?i:day|week|month|year))(?![\w-])"
        ),
        _anaphoric,
        # "the next day" follows the story's last date; "the next month" is a stretch ahead.
        accept=lambda m, _t: m["rel"].lower() != "next" or m["unit"].lower() == "day",
    ),
    Rule(
        "units-later",
        _compile(
            rf"{_B}(?P<n>{NUMBER}){_WS}(?P<unit>(?i:day|week|month|year)s?){_WS}"
            r"(?P<rel>(?i:later|earlier))(?![\w])(?!\s+than)"
        ),
        _anaphoric,
        anchored=True,
    ),
    Rule(
        "clock",
        _compile(
            r"(?<![\w:.])(?P<h>[01]?\d|2[0-4])(?:[:.](?P<m>[0-5]\d))?\s*"
            r"(?:(?P<ampm>(?i:a\.m\.|p\.m\.|am|pm|a\.m|p\.m))(?![\w])|(?=\s*\(?(?:UTC|GMT)))"
            r"(?:\s*\(?(?P<zone>UTC|GMT|Z|EST|EDT|CST|CDT|MST|MDT|PST|PDT|BST|CET|CEST)"
            r"(?:\s*(?P<offset>[+-−]\s*\d{1,2}(?::?\d\d)?))?\)?)?"
        ),
        _clock,
        anchored=True,
    ),
    Rule(
        "clock-24h",
        _compile(
            r"(?<![\w:.$£€])(?:(?<=(?i:at) )|(?<=(?i:until) )|(?<=(?i:by) )|(?<=(?i:from) )|"
            r"(?<=(?i:before) )|(?<=(?i:after) ))(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])"
            r"(?P<ampm>)(?:\s*\(?(?P<zone>UTC|GMT|Z|EST|EDT|CST|CDT|MST|MDT|PST|PDT|BST|CET|CEST)"
            r"(?:\s*(?P<offset>[+-]\s*\d{1,2}))?\)?)?"
            r"|(?<![\w:.])(?P<h2>[01]\d|2[0-3])(?P<m2>[0-5]\d)\s*(?P<zone2>GMT|UTC|hrs|hours\s+GMT)"
            r"(?![\w])"
        ),
        lambda m, c: _clock_any(m, c),
        anchored=True,
    ),
    Rule(
        "named-time",
        _compile(
            rf"{_B}(?:(?i:at|by|until|before|after|around){_WS})(?P<t>(?P<name>(?i:noon|midday|midnight)))(?![\w])"
        ),
        _named_time,
        anchored=True,
    ),
    Rule(
        "set-rate",
        _compile(
            r"(?:\d|\b(?i:once|twice|thrice|times|percent|million|billion))"
            rf"[%\w]*{_WS}(?P<t>(?i:an?){_WS}(?P<n>)(?P<unit>(?i:second|minute|hour|day|week|month|year)))"
            r"(?![\w-])"
        ),
        _set_unit,
    ),
    Rule(
        "span-duration",
        _compile(
            rf"{_B}(?:(?i:the){_WS}(?i:past|last|next|coming|following|previous|first|final)"
            rf"{_WS})(?P<n>{NUMBER}){_WS}(?P<unit>(?i:{UNIT_WORD})s?)(?![\w-])"
        ),
        _duration,
    ),
    Rule(
        "span-one-unit",
        _compile(
            rf"{_B}(?:(?i:the){_WS}(?i:past|last|coming|next|previous)"
            rf"{_WS})(?P<unit>(?i:week|month|year|decade|century))(?![\w-])"
        ),
        _one_unit,
    ),
    Rule(
        "duration",
        _compile(
            rf"{_B}(?:(?i:almost|nearly|about|around|approximately|roughly)"
            rf"{_WS})?(?P<n>{NUMBER})[\s\u00a0-]+(?P<unit>(?i:{UNIT_WORD})s?)"
            r"(?:(?i:[\s-]long))?(?:\s+(?i:and\s+a\s+half))?(?![\w])"
        ),
        lambda m, c: _duration_maybe_half(m, c),
        accept=lambda m, t: _plausible_duration(m, t),
    ),
    Rule(
        "a-unit-and-a-half",
        _compile(
            rf"{_B}(?P<n>(?i:an?)){_WS}(?P<unit>(?i:{UNIT_WORD})){_WS}(?i:and{_WS}a{_WS}half)(?![\w])"
        ),
        lambda m, c: _duration_maybe_half(m, c),
    ),
    Rule(
        "fuzzy-duration",
        _compile(
            rf"{_B}(?:(?P<q>{FUZZY_QUANTIFIER}|(?i:the{_WS}(?:past|last|next|coming|following)"
            rf"(?:{_WS}(?:few|several|many))?)|(?i:recent|coming)){_WS}(?P<unit>(?i:{UNIT_WORD})s)"
            r"|(?P<unit2>(?i:decades|years|months|weeks|days|hours|centuries))-long)(?![\w-])"
        ),
        lambda m, c: _fuzzy_any(m, c),
    ),
    Rule(
        "bare-plural-duration",
        _compile(
            rf"(?:(?<=(?i:for) )|(?<=(?i:in) )|(?<=(?i:within) ))"
            rf"(?P<unit>(?i:decades|years|months|weeks|days|hours|minutes|"
            rf"centuries))(?![\w-])(?!{_WS}(?i:ago|of|old|later|earlier|before|after))"
        ),
        _fuzzy_duration,
    ),
    Rule(
        "over-the-years",
        _compile(_word(r"over\s+the\s+(?P<unit>years|decades|months)")),
        _fuzzy_duration,
    ),
    Rule(
        "set-word",
        _compile(rf"(?<![\w-])(?P<word>{'|'.join(_SET_WORDS)})(?![\w-])"),
        _set_word,
    ),
    Rule(
        "set-every",
        _compile(
            rf"{_B}(?i:every|each|per){_WS}(?:(?P<n>{NUMBER}|other){_WS})?"
            rf"(?P<unit>(?i:{UNIT_WORD})s?)(?![\w-])"
        ),
        lambda m, c: _set_every(m, c),
    ),
    Rule(
        "present-ref",
        _compile(
            _word(
                r"now|currently|presently|nowadays|at\s+present|at\s+the\s+moment|these\s+days|"
                r"right\s+now|the\s+present(?:\s+day)?"
            )
        ),
        _ref("PRESENT_REF"),
        accept=_not_premodifier_now,
    ),
    Rule(
        "past-ref",
        _compile(
            _word(
                r"(?:more\s+|most\s+|only\s+|until\s+)?recently|lately|formerly|"
                r"in\s+the\s+past|once\s+upon\s+a\s+time|in\s+recent\s+times"
            )
        ),
        _ref("PAST_REF"),
    ),
    Rule(
        "future-ref",
        _compile(
            _word(
                r"(?:in\s+)?the\s+(?:near\s+|distant\s+)?future|in\s+future|someday|"
                r"one\s+day\s+soon|a\s+later\s+date|a\s+later\s+time"
            )
        ),
        _ref("FUTURE_REF"),
    ),
)


def _after_the(match: re.Match[str], text: str) -> bool:
    """Stretches like "the past year", "the last month" are durations (span-one-unit), not dates."""
    return match["rel"].lower() in ("past", "last", "next") and bool(
        re.search(r"(?i:\bthe\s+)$", text[max(0, match.start() - 5) : match.start()])
    )


def _plausible_duration(match: re.Match[str], text: str) -> bool:
    article = match["n"].lower() in ("a", "an")
    if article and match["unit"].lower().endswith("s"):
        return False  # "a decades-long feud": the article belongs to the noun phrase
    # "a quarter-mile", "a second-hand car": the unit word is part of another compound.
    if re.match(r"-(?!long\b)[A-Za-z]", text[match.end() : match.end() + 6]):
        return False
    return _not_an_age(match, text) and not _quarter_of(match, text) and not _ordinal(match)


def _ordinal(match: re.Match[str]) -> bool:
    # "a second A380" is an ordinal, not one second.
    return match["n"].lower() in ("a", "an") and unit_key(match["unit"]) == "second"


def _quarter_of(match: re.Match[str], text: str) -> bool:
    # "three quarters of the staff" is a fraction.
    return unit_key(match["unit"]) == "quarter" and bool(
        re.match(r"\s+of\b", text[match.end() : match.end() + 4])
    )


def _season_plausible(match: re.Match[str], text: str) -> bool:
    """ "the fall of Rome", "the fall in prices", "prices fall by": the noun and verb, not autumn."""
    if match["year"] or match["season2"] or match["season"].lower() != "fall":
        return True
    if match["rel"] and match["rel"].lower() in ("this", "last", "next"):
        return True
    following = text[match.end() : match.end() + 12]
    return not re.match(
        r"\s+(?i:of|in|from|to|on|by|at|and|was|is|has|had|came|would|will)\b", following
    )


def _capitalised_mid_sentence(match: re.Match[str], text: str) -> bool:
    """ "the Today show", "NBC's Today": a capital inside a sentence makes a deictic word a name."""
    if not match.group()[0].isupper():
        return False
    before = text[: match.start()].rstrip(" \t\"“‘'(")
    return bool(before) and before[-1] not in ".!?:\n—–-"


def _season_any(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["season2"]:
        season = SEASONS[match["season2"].lower()]
        year = int(re.findall(r"\d{4}", match.group())[0])
        return _point(match, ctx, season_period(year, season))
    return _season(match, ctx)


def _half_any(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["half2"]:
        year = int(re.findall(r"\d{4}", match.group())[0])
        return [_timex(match, ctx, "DATE", f"{year:04d}-{match['half2'].upper()}")]
    return _half(match, ctx)


def _weekday_set_any(match: re.Match[str], ctx: Context) -> list[Timex]:
    name = (match["weekday"] or match["weekday2"]).lower()
    weekday = WEEKDAYS[name[:-1] if name.endswith("s") else name]
    return [_timex(match, ctx, "SET", f"XXXX-WXX-{weekday}")]


def _clock_any(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["h2"]:
        start, end = match.span()
        day = ctx.day_near(start, end) or ctx.dateline
        zone = match["zone2"].upper()
        suffix = "Z" if zone.endswith(("GMT", "UTC")) else ""
        value = f"{day.isoformat()}T{match['h2']}:{match['m2']}{suffix}"
        return [_timex(match, ctx, "TIME", value, "time")]
    return _clock(match, ctx)


def _duration_maybe_half(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"])
    if amount is not None:
        if re.search(r"(?i:and\s+a\s+half)$", match.group()) and amount == int(amount):
            amount += 0.5
        amount *= UNIT_MULTIPLIER.get(unit, 1)
    return [_timex(match, ctx, "DURATION", duration_value(amount, designator, is_time))]


def _fuzzy_any(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit_text = match["unit"] or match["unit2"]
    designator, is_time = UNITS[unit_key(unit_text)]
    return [_timex(match, ctx, "DURATION", duration_value(None, designator, is_time))]


def _set_every(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    count = (match["n"] or "").lower()
    amount = 2.0 if count == "other" else (parse_number(count) if count else 1.0)
    return [_timex(match, ctx, "SET", duration_value(amount, designator, is_time))]


# Speed (Python's regex engine tries a pattern at every offset): a rule only runs on a text that
# contains one of its key substrings (lower-cased), and a pattern that can only begin with certain
# characters says so up front, which lets the engine skip to them.
_MONTH_KEYS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                      "dec")  # fmt: skip
_UNIT_KEYS: Final = ("second", "minute", "hour", "day", "night", "week", "fortnight", "month",
                     "quarter", "year", "decade", "centur")  # fmt: skip
_RELATIVE_KEYS: Final = ("this", "last", "next", "current", "past", "previous", "coming",
                         "following", "first", "final")  # fmt: skip
_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "month-day-year": _MONTH_KEYS, "day-month-year": _MONTH_KEYS, "month-day": _MONTH_KEYS,
    "day-month": _MONTH_KEYS, "month-year": _MONTH_KEYS, "month": _MONTH_KEYS,
    "year": ("16", "17", "18", "19", "20"), "iso-date": ("-0", "-1"),
    "numeric-date": ("/", "."), "fiscal-year": ("fiscal", "fy"), "decade": ("0s",), "century": ("century",),
    "this-century": ("century",), "this-decade": ("decade",),
    "season": ("spring", "summer", "autumn", "fall", "winter"),
    "quarter": ("quarter", "qtr", "q1", "q2", "q3", "q4"), "half": ("half", "h1", "h2"),
    "relative-unit": _RELATIVE_KEYS, "the-last-quarter": ("quarter",), "weekend": ("weekend",),
    "unit-of-the-year": ("beginning", "start", "end", "middle", "close", "rest", "remainder",
                         "earlier in", "later in"),
    "deictic-day": ("today", "tonight", "yesterday", "tomorrow"),
    "this-part-of-day": ("morning", "afternoon", "evening", "night"),
    "weekday": ("day",), "weekday-set": ("days", "every", "each"), "ago": ("ago",),
    "anaphoric-unit": ("following", "next", "previous", "prior", "preceding", "same"),
    "units-later": ("later", "earlier"),
    "clock": ("am", "pm", "a.m", "p.m", "utc", "gmt"),
    "clock-24h": ("at ", "until ", "by ", "from ", "before ", "after ", "gmt", "utc", "hrs"),
    "named-time": ("noon", "midday", "midnight"), "set-rate": _UNIT_KEYS,
    "span-duration": _RELATIVE_KEYS, "span-one-unit": _RELATIVE_KEYS, "duration": _UNIT_KEYS,
    "a-unit-and-a-half": ("half",), "fuzzy-duration": _UNIT_KEYS, "bare-plural-duration": ("for ", "in ", "within "),
    "over-the-years": ("over the",), "set-word": tuple(_SET_WORDS),
    "set-every": ("every", "each", "per"),
    "present-ref": ("now", "current", "present", "moment", "these days"),
    "past-ref": ("recent", "lately", "formerly", "past", "once upon"),
    "future-ref": ("future", "someday", "later"),
    "holiday": ("year's", "year’s", "valentine", "halloween", "christmas", "boxing day",
                "independence day", "bastille", "patrick", "thanksgiving"),
}  # fmt: skip
_FIRST_CHARS: Final[dict[str, str]] = {
    "month-day-year": "A-Z", "month-day": "A-Z", "month-year": "A-Z", "month": "A-Zltn",
    "day-month-year": "0-9A-Zt", "day-month": "0-9A-Zt", "numeric-date": "0-9",
    "iso-date": "12", "year": "12", "weekday": "A-Zlnt", "clock": "0-9", "clock-24h": "0-9",
    "span-duration": "Tt", "span-one-unit": "Tt", "anaphoric-unit": "Tt",
    "duration": "0-9AaOoTtFfSsEeNnRr", "units-later": "0-9AaOoTtFfSsEeNn",
    "ago": "0-9A-Za-z", "decade": "0-9Tt'’", "century": "0-9A-Za-z",
    "set-rate": "0-9OoTtPpMmBb", "past-ref": "MmOoUuRrLlFfIi", "present-ref": "NnCcPpAaTtRr",
    "weekday-set": "EeOoA-Z", "set-every": "EePp", "unit-of-the-year": "TtEeLl",
    "future-ref": "IiTtSsOoAa", "relative-unit": "EeLlTtNnCcPp",
    "fuzzy-duration": "SsMmFfAaNnCcTtRrDdYyWwHh", "bare-plural-duration": "DdYyMmWwHhCc",
    "deictic-day": "TtYy", "this-part-of-day": "TtLl", "weekend": "TtLlNnPp",
    "the-last-quarter": "Tt", "season": "A-Za-z", "quarter": "TtFfSsQq1-4",
}  # fmt: skip


def _gated(rule: Rule) -> tuple[Rule, frozenset[str]]:
    first = _FIRST_CHARS.get(rule.name)
    if first:
        pattern = re.compile(rf"(?=[{first}])(?:{rule.pattern.pattern})")
        rule = Rule(rule.name, pattern, rule.resolve, rule.anchored, rule.accept)
    return rule, frozenset(_NEEDS.get(rule.name, ()))


_GATED_RULES: Final = tuple(_gated(rule) for rule in RULES)
_ALL_KEYS: Final = frozenset().union(*(needs for _, needs in _GATED_RULES))


# Where a sentence (or line) ends: no expression runs across one. "Oct. 5" does not end one
# (no capital follows), "6 p.m. Tuesday" does, and is two expressions anyway.
_SEGMENT_BREAK = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z“\"‘'])")


def _segments(text: str) -> list[tuple[int, int, str]]:
    bounds, start = [], 0
    for found in _SEGMENT_BREAK.finditer(text):
        if found.start() > start:
            bounds.append((start, found.start(), text[start : found.start()].lower()))
        start = found.end()
    if start < len(text):
        bounds.append((start, len(text), text[start:].lower()))
    return bounds


def candidates(text: str) -> Iterator[Candidate]:
    """Every rule match in the text (overlapping; the finder chooses among them).

    Each rule only scans the sentences holding one of its keys."""
    segments = [
        (start, end, frozenset(key for key in _ALL_KEYS if key in lowered))
        for start, end, lowered in _segments(text)
    ]
    for rule, needs in _GATED_RULES:
        for start, end, keys in segments:
            if needs and needs.isdisjoint(keys):
                continue
            for match in rule.pattern.finditer(text, start, end):
                if rule.accept is not None and not rule.accept(match, text):
                    continue
                span_start, span_end = _span(match)
                if span_end > span_start:
                    yield Candidate(span_start, span_end, rule, match)
