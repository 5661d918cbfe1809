"""What a rule is (a pattern, a resolver, an acceptance test) and what resolvers see: the text, the
dateline and the calendar points resolved so far; plus the match → Timex plumbing they share."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from newsroom.enrich.domain.timeline.calendar import Period, Tense
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


def span_of(match: re.Match[str]) -> tuple[int, int]:
    """The extent of the expression: group "t" when the pattern carries context around it."""
    if "t" in match.re.groupindex and match.group("t") is not None:
        return match.span("t")
    return match.span()


def timex_of(
    match: re.Match[str],
    ctx: Context,
    type_: TimexType,
    value: str,
    granularity: Granularity | None = None,
    span: tuple[int, int] | None = None,
) -> Timex:
    start, end = span or span_of(match)
    return Timex(start, end, ctx.text[start:end], type_, value, granularity)


def point_of(match: re.Match[str], ctx: Context, period: Period | None) -> list[Timex]:
    if period is None:
        return []
    timex = timex_of(match, ctx, "DATE", period.value, period.granularity)
    ctx.first_days[timex.start] = period.first
    return [timex]
