"""What is not a point on the calendar: durations ("12-day", "the past six months"), sets ("every
Monday", "annually", "twice a year"), and PRESENT/PAST/FUTURE_REF."""

from __future__ import annotations

import re
from typing import Final

from newsroom.enrich.domain.timeline.calendar import duration_value
from newsroom.enrich.domain.timeline.lexicon import (
    UNIT_MULTIPLIER,
    UNITS,
    WEEKDAYS,
    parse_number,
    unit_key,
)
from newsroom.enrich.domain.timeline.matching import Context, Resolver, timex_of
from newsroom.enrich.domain.timeline.model import Timex


def resolve_duration(match: re.Match[str], ctx: Context) -> list[Timex]:
    """ "12-day", "three years", "the past six months", "two and a half hours": P12D, P3Y, P6M…"""
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"]) if match["n"] else None
    if amount is not None:
        if re.search(r"(?i:and\s+a\s+half)$", match.group()) and amount == int(amount):
            amount += 0.5  # "a year and a half": the half follows the unit
        amount *= UNIT_MULTIPLIER.get(unit, 1)
    return [timex_of(match, ctx, "DURATION", duration_value(amount, designator, is_time))]


def resolve_one_unit(match: re.Match[str], ctx: Context) -> list[Timex]:
    """One unit back or ahead of the dateline as a stretch: "the past year", "the coming week"."""
    designator, is_time = UNITS[unit_key(match["unit"])]
    return [timex_of(match, ctx, "DURATION", duration_value(1, designator, is_time))]


def resolve_fuzzy_duration(match: re.Match[str], ctx: Context) -> list[Timex]:
    designator, is_time = UNITS[unit_key(match["unit"])]
    return [timex_of(match, ctx, "DURATION", duration_value(None, designator, is_time))]


def resolve_uncounted_duration(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit_text = match["unit"] or match["unit2"]
    designator, is_time = UNITS[unit_key(unit_text)]
    return [timex_of(match, ctx, "DURATION", duration_value(None, designator, is_time))]


SET_WORDS: Final = {
    "annual": "P1Y", "annually": "P1Y", "yearly": "P1Y", "daily": "P1D", "weekly": "P1W",
    "monthly": "P1M", "quarterly": "P3M", "hourly": "PT1H", "nightly": "P1D",
    "biannual": "P6M", "biennial": "P2Y",
}  # fmt: skip


def resolve_set_word(match: re.Match[str], ctx: Context) -> list[Timex]:
    return [timex_of(match, ctx, "SET", SET_WORDS[match["word"].lower()])]


def resolve_set_unit(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    amount = parse_number(match["n"]) if match["n"] else 1.0
    return [timex_of(match, ctx, "SET", duration_value(amount, designator, is_time))]


def resolve_set_every(match: re.Match[str], ctx: Context) -> list[Timex]:
    unit = unit_key(match["unit"])
    designator, is_time = UNITS[unit]
    count = (match["n"] or "").lower()
    amount = 2.0 if count == "other" else (parse_number(count) if count else 1.0)
    return [timex_of(match, ctx, "SET", duration_value(amount, designator, is_time))]


def resolve_weekday_set(match: re.Match[str], ctx: Context) -> list[Timex]:
    name = (match["weekday"] or match["weekday2"]).lower()
    weekday = WEEKDAYS[name[:-1] if name.endswith("s") else name]
    return [timex_of(match, ctx, "SET", f"XXXX-WXX-{weekday}")]


def fixed_value(value: str) -> Resolver:
    def resolve(match: re.Match[str], ctx: Context) -> list[Timex]:
        return [timex_of(match, ctx, "DATE", value)]

    return resolve
