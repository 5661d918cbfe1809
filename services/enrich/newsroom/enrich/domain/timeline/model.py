"""The result type of the timeline normaliser (re-exported by the package)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]
Granularity = Literal["year", "season", "quarter", "month", "week", "day", "time"]
# TIMEX3 MOD for the part of a period news names: "early 2009", "mid-2011", "late October".
TimexMod = Literal["START", "MID", "END"]


@dataclass(frozen=True)
class Timex:
    start: int  # code-point offsets into the text given, end exclusive
    end: int
    text: str
    type: TimexType
    value: str  # TIMEX3 value: 2021-10-05, 2021-10, 2021, P12D, XXXX-WXX-1, PRESENT_REF, …
    # Set for DATE/TIME values that are points on a calendar (timeline entries); None otherwise.
    granularity: Granularity | None
    mod: TimexMod | None = None
