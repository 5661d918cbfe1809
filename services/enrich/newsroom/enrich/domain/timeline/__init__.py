"""Temporal expressions → TIMEX3 (type, value) resolved against the article's dateline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]
Granularity = Literal["year", "season", "quarter", "month", "week", "day", "time"]


@dataclass(frozen=True)
class Timex:
    start: int  # code-point offsets into the text given, end exclusive
    end: int
    text: str
    type: TimexType
    value: str  # TIMEX3 value: 2021-10-05, 2021-10, 2021, P12D, XXXX-WXX-1, PRESENT_REF, …
    # Set for DATE/TIME values that are points on a calendar (timeline entries); None otherwise.
    granularity: Granularity | None


def find_timexes(
    text: str, dateline: date, candidate_spans: Sequence[tuple[int, int]] = ()
) -> list[Timex]:
    """Every temporal expression in `text`, normalised against `dateline`.

    `candidate_spans` are extra hints (e.g. spaCy DATE/TIME entity offsets); the function must
    also find expressions on its own."""
    raise NotImplementedError
