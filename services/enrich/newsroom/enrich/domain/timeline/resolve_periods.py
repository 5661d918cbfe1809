"""Calendar points dateparser does not read, which news writes all the time: seasons, quarters and
halves, decades and centuries, fiscal years, weekends, holidays."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from newsroom.enrich.domain.timeline.calendar import (
    SEASON_ORDER,
    Period,
    choose_by_tense,
    day_period,
    quarter_period,
    relative_period,
    season_of,
    season_period,
    shift_day,
    week_period,
)
from newsroom.enrich.domain.timeline.lexicon import ORDINALS, RELATION_OFFSETS, SEASONS
from newsroom.enrich.domain.timeline.matching import Context, point_of, span_of, timex_of
from newsroom.enrich.domain.timeline.model import Timex

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


def resolve_holiday(match: re.Match[str], ctx: Context) -> list[Timex]:
    name = " ".join(match["holiday"].lower().replace("’", "'").split())
    start, end = span_of(match)

    def make(year: int) -> Period | None:
        if name == "thanksgiving":
            return day_period(_thanksgiving(year))
        month, day_of_month = _FIXED_HOLIDAYS[name]
        return day_period(date(year, month, day_of_month))

    if match["year"]:
        return point_of(match, ctx, make(int(match["year"])))
    return point_of(match, ctx, choose_by_tense(make, ctx.dateline, ctx.tense(start, end)))


def resolve_fiscal_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    year = int(match["fy"])
    if year < 100:
        year += 2000 if year < 50 else 1900
    return [timex_of(match, ctx, "DATE", f"FY{year:04d}")]


def resolve_decade(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["century"]:
        prefix = match["century"]
    else:
        # "the '90s", "the 80s": the latest such decade that has begun by the dateline.
        digit = int(match["short"])
        century = ctx.dateline.year // 100
        prefix = str(century if century * 100 + digit * 10 <= ctx.dateline.year else century - 1)
    decade_digit = match["digit"] if match["century"] else match["short"]
    return [timex_of(match, ctx, "DATE", f"{prefix}{decade_digit}")]


_CENTURY_WORDS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21,
}  # fmt: skip


def resolve_century(match: re.Match[str], ctx: Context) -> list[Timex]:
    ordinal = match["ord"].lower()
    number = (
        int(re.sub(r"\D", "", ordinal)) if ordinal[0].isdigit() else _CENTURY_WORDS.get(ordinal)
    )
    if number is None:
        return []
    return [timex_of(match, ctx, "DATE", f"{number - 1:02d}")]


def resolve_this_century(match: re.Match[str], ctx: Context) -> list[Timex]:
    return [timex_of(match, ctx, "DATE", f"{ctx.dateline.year // 100:02d}")]


def resolve_this_decade(match: re.Match[str], ctx: Context) -> list[Timex]:
    return [timex_of(match, ctx, "DATE", f"{ctx.dateline.year // 10:03d}")]


def _named_season(match: re.Match[str], ctx: Context) -> list[Timex]:
    season = SEASONS[match["season"].lower()]
    relation = (match["rel"] or "").lower()
    if match["year"]:
        return point_of(match, ctx, season_period(int(match["year"]), season))
    current_year, current = season_of(ctx.dateline)
    if relation == "this":
        year = current_year
        # "this winter" said in March means the winter just ending.
        if SEASON_ORDER.index(season) < SEASON_ORDER.index(current) and season != "WI":
            year = current_year + 1 if current == "WI" else current_year
        return point_of(match, ctx, season_period(year, season))
    if relation in ("last", "next"):
        step = -1 if relation == "last" else 1
        offset = step
        while True:
            period = relative_period(ctx.dateline, "season", offset)
            if period and period.value.endswith(season):
                return point_of(match, ctx, period)
            offset += step
    start, end = span_of(match)
    return point_of(
        match,
        ctx,
        choose_by_tense(lambda y: season_period(y, season), ctx.dateline, ctx.tense(start, end)),
    )


def resolve_season(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["season2"]:
        season = SEASONS[match["season2"].lower()]
        year = int(re.findall(r"\d{4}", match.group())[0])
        return point_of(match, ctx, season_period(year, season))
    return _named_season(match, ctx)


def resolve_quarter(match: re.Match[str], ctx: Context) -> list[Timex]:
    ordinal = (match["ord"] or match["qn"] or "").lower()
    quarter = int(ordinal) if ordinal.isdigit() else ORDINALS.get(ordinal, 0)
    if quarter == -1:
        quarter = 4
    if not 1 <= quarter <= 4:
        return []
    year = match["year"] or match["year2"]
    if year:
        return point_of(match, ctx, quarter_period(int(year), quarter))
    start, end = span_of(match)
    # "will report third-quarter results": the results are of a quarter already begun, whatever
    # the tense of the reporting; otherwise the clause's tense decides, and a report by default.
    reported = _REPORTED_FIGURES.match(ctx.text, end)
    tense = "past" if reported else ctx.tense(start, end) or "past"
    period = choose_by_tense(lambda y: quarter_period(y, quarter), ctx.dateline, tense)
    return point_of(match, ctx, period)


_REPORTED_FIGURES: Final = re.compile(
    r"[\s-]+(?i:results|earnings|profits?|loss(?:es)?|sales|revenues?|figures|numbers|"
    r"report|growth|gdp|output)\b"
)


def _half_of_year(match: re.Match[str], ctx: Context) -> list[Timex]:
    half = 1 if match["half"].lower() in ("first", "1", "h1") else 2
    relation = (match["rel"] or "").lower()
    year = (
        int(match["year"])
        if match["year"]
        else ctx.dateline.year + {"last": -1, "next": 1}.get(relation, 0)
    )
    return [timex_of(match, ctx, "DATE", f"{year:04d}-H{half}")]


def resolve_half(match: re.Match[str], ctx: Context) -> list[Timex]:
    if match["half2"]:
        year = int(re.findall(r"\d{4}", match.group())[0])
        return [timex_of(match, ctx, "DATE", f"{year:04d}-{match['half2'].upper()}")]
    return _half_of_year(match, ctx)


def resolve_weekend(match: re.Match[str], ctx: Context) -> list[Timex]:
    relation = (match["rel"] or "").lower()
    if relation in RELATION_OFFSETS:
        return point_of(
            match, ctx, relative_period(ctx.dateline, "weekend", RELATION_OFFSETS[relation])
        )
    start, end = span_of(match)
    tense = ctx.tense(start, end)
    current = week_period(ctx.dateline, weekend=True)
    if tense == "past" and ctx.dateline < current.first:
        return point_of(match, ctx, relative_period(ctx.dateline, "weekend", -1))
    return point_of(match, ctx, current)
