"""Choose among overlapping rule matches, resolve them in text order, add what the rules leave to
the tagger's candidate spans (dateparser fallback), and mark ranges and modifiers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Final

from newsroom.enrich.domain.timeline.fallback import parse_span
from newsroom.enrich.domain.timeline.lexicon import mod_of
from newsroom.enrich.domain.timeline.matching import Candidate, Context
from newsroom.enrich.domain.timeline.model import Timex
from newsroom.enrich.domain.timeline.rules import candidates

# "early 2009", "mid-2011", "late October", "the end of next month": TIMEX3 keeps the value of the
# inner expression and puts the modifier in its MOD attribute; the extent covers the modifier.
_MODIFIER_BEFORE: Final = re.compile(
    r"(?i:(?:\b(?:the\s+)?(?:early|mid|late|very\s+early|very\s+late)(?:\s+|-)|\bmid-|"
    r"\bthe\s+(?:very\s+)?(?:beginning|start|end|middle|close|turn|rest|remainder)\s+of\s+))$"
)
_RANGE: Final = re.compile(r"(?i:from|between)\s+$")
_RANGE_JOIN: Final = re.compile(r"^\s*(?i:to|until|till|through|and|[-–—])\s*$")
_YEAR_RANGE: Final = re.compile(
    r"(?<![\w-])((?:1[6-9]|20)\d\d)\s?[-–]\s?(\d\d|(?:1[6-9]|20)\d\d)(?![\w-])"
)


def _select(found: list[Candidate]) -> list[Candidate]:
    """Longest match first; among equals the earlier rule in the table; no overlaps."""
    order = sorted(found, key=lambda c: (-(c.end - c.start), c.start))
    taken: list[Candidate] = []
    for candidate in order:
        if all(candidate.end <= t.start or candidate.start >= t.end for t in taken):
            taken.append(candidate)
    return sorted(taken, key=lambda c: c.start)


def _resolve(chosen: list[Candidate], ctx: Context) -> list[Timex]:
    """Points first (they anchor clock times and "three days later"), then the anchored rules."""
    results: list[Timex] = []
    for anchored_pass in (False, True):
        for candidate in chosen:
            if candidate.rule.anchored != anchored_pass:
                continue
            try:
                produced = candidate.rule.resolve(candidate.match, ctx)
            except (ValueError, KeyError, OverflowError):
                # A match that names no real date ("February 30", a year out of range) is
                # dropped; one odd phrase must not cost the article its whole timeline.
                continue
            results.extend(produced)
            ctx.points.extend(t for t in produced if t.granularity is not None)
            ctx.points.sort(key=lambda t: t.start)
    return results


def _with_modifiers(text: str, timexes: list[Timex]) -> list[Timex]:
    extended = []
    for timex in timexes:
        if timex.type == "DATE":
            match = _MODIFIER_BEFORE.search(text, max(0, timex.start - 40), timex.start)
            if match:
                timex = replace(
                    timex,
                    start=match.start(),
                    text=text[match.start() : timex.end],
                    mod=mod_of(match.group()),
                )
        extended.append(timex)
    return extended


def _years_between(first: Timex, second: Timex) -> int | None:
    if first.granularity == second.granularity == "year" and first.value.isdigit():
        return int(second.value) - int(first.value)
    return None


def _ranges(text: str, timexes: list[Timex]) -> list[Timex]:
    """Ranges ("from 2009 to 2011", "between 2014 and 2016", "2009-2011"): a DURATION over the
    range beside the two dates, as TimeML annotates them."""
    added: list[Timex] = []
    points = [t for t in timexes if t.granularity == "year"]
    for first, second in itertools.pairwise(points):
        years = _years_between(first, second)
        if years is None or years <= 0 or not _RANGE_JOIN.match(text[first.end : second.start]):
            continue
        opener = _RANGE.search(text, max(0, first.start - 9), first.start)
        start = opener.start() if opener else first.start
        added.append(
            Timex(start, second.end, text[start : second.end], "DURATION", f"P{years}Y", None)
        )
    covered = [(t.start, t.end) for t in timexes]
    for match in _YEAR_RANGE.finditer(text):
        first_year = int(match[1])
        second_text = match[2]
        second_year = (
            first_year // 100 * 100 + int(second_text)
            if len(second_text) == 2
            else int(second_text)
        )
        if second_year <= first_year or second_year - first_year > 50:
            continue
        if any(s <= match.start() and match.end() <= e for s, e in covered):
            continue
        added.append(
            Timex(
                match.start(),
                match.end(),
                match[0],
                "DURATION",
                f"P{second_year - first_year}Y",
                None,
            )
        )
        for group, year in ((1, first_year), (2, second_year)):
            if not any(s <= match.start(group) < e for s, e in covered):
                start, end = match.span(group)
                added.append(Timex(start, end, match[group], "DATE", f"{year:04d}", "year"))
    return added


def _fallback(
    text: str, dateline: date, hints: Sequence[tuple[int, int]], timexes: list[Timex]
) -> list[Timex]:
    """Tagger spans no rule explains, normalised by dateparser when they name a calendar point."""
    added: list[Timex] = []
    for start, end in hints:
        if not 0 <= start < end <= len(text):
            continue
        if any(t.start < end and start < t.end for t in timexes + added):
            continue
        timex = parse_span(text, start, end, dateline)
        if timex is not None:
            added.append(timex)
    return added


def find(text: str, dateline: date, candidate_spans: Sequence[tuple[int, int]] = ()) -> list[Timex]:
    if isinstance(dateline, datetime):
        # A timestamp dateline (firstcreated) counts by its calendar day; datetime and date
        # do not compare.
        dateline = dateline.date()
    ctx = Context(text=text, dateline=dateline)
    timexes = _with_modifiers(text, _resolve(_select(list(candidates(text))), ctx))
    timexes += _ranges(text, timexes)
    timexes += _fallback(text, dateline, candidate_spans, timexes)
    return sorted(timexes, key=lambda t: (t.start, -t.end))
