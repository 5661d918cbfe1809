"""Whatever the wire sends, the normaliser answers with well-formed timexes and never raises."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.enrich.domain.timeline import find_timexes

# Fragments that exercise many rules at once, glued with arbitrary text around them.
_FRAGMENTS = [
    "on Monday", "May 5", "February 30", "31 April 2021", "13/13/13", "2009-2011", "from 2014 to",
    "the following day", "three days later", "Q4", "the fourth quarter of", "mid-", "late ",
    "12:75 GMT", "25:00 UTC", "9 p.m.", "every", "a year and a half", "36-year-old", "ago",
    "the 1990s", "the '80s", "fiscal 99", "H2 2020", "this weekend", "yesterday morning",
    "Christmas", "Thanksgiving", "2021-02-29T10:00Z", "now", "recently", "in the future", " ",
    ", ", ". ", "\n", "the", "next", "last", "year", "years", "1999", "0", "Sept.", "—",
]  # fmt: skip
_VALUE = re.compile(
    r"^(?:\d{2,4}(?:-(?:\d\d|W\d\d|Q[1-4]|H[12]|SP|SU|FA|WI))?(?:-\d\d|-WE)?"
    r"(?:T(?:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)?|MO|AF|EV|NI))?|"
    r"P(?:T)?(?:X|\d+(?:\.\d+)?)(?:Y|M|W|D|H|S|DE|CE|Q)|XXXX-WXX-[1-7]|FY\d{4}|"
    r"PRESENT_REF|PAST_REF|FUTURE_REF)$"
)

texts = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=6)), max_size=25).map(
    "".join
)
datelines = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
hints = st.lists(st.tuples(st.integers(-5, 300), st.integers(-5, 300)), max_size=4)


@settings(max_examples=300, deadline=None)
@given(text=texts, dateline=datelines, candidate_spans=hints)
def test_timexes_are_well_formed_for_any_text(
    text: str, dateline: date, candidate_spans: list[tuple[int, int]]
) -> None:
    for timex in find_timexes(text, dateline, candidate_spans):
        assert 0 <= timex.start < timex.end <= len(text)
        assert text[timex.start : timex.end] == timex.text
        assert timex.type in ("DATE", "TIME", "DURATION", "SET")
        assert _VALUE.match(timex.value), timex
        if timex.granularity is not None:
            assert timex.type in ("DATE", "TIME")
        if timex.type in ("DURATION", "SET"):
            assert timex.granularity is None
