"""Temporal expressions → TIMEX3 (type, value) resolved against the article's dateline.

How: rules find and classify expressions (`rules.py`, with acceptance tests in
`plausibility.py` that keep out "may" the verb, counts, ages); dateparser, with the dateline as
RELATIVE_BASE and the clause's tense choosing the direction, reads every calendar expression it
can (`dateparsing.py`, `resolve_dates.py`); the news rules read what dateparser cannot
(`resolve_periods.py`: seasons, quarters, decades, holidays…; `resolve_measures.py`: durations,
sets, PRESENT/PAST/FUTURE_REF); a chooser keeps the longest non-overlapping matches and
resolves them in text order (`finder.py`); tagger spans no rule found go to dateparser alone
(`fallback.py`). Pure: no I/O.

Beside one Timex per expression, TimeML's conventions add two overlapping entries: a range
("from 2009 to 2011") is a DURATION next to its two DATEs, and "two years ago" is a DATE (the whole
phrase) next to the DURATION of its measure ("two years").

`granularity` is set for calendar points (timeline entries). Decades (199), centuries (19), halves
(2025-H1), fiscal years (FY2023) and PRESENT/PAST/FUTURE_REF are DATEs without one: they are not
points the Granularity vocabulary can place. Modifiers (early/mid/late, "the end of") widen the
extent, keep the inner value and set TIMEX3's MOD (START, MID, END).

Other languages than English: `multilingual.py` (dateparser's own vocabulary for the
language, no English rule)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from newsroom.enrich.domain.timeline.finder import find
from newsroom.enrich.domain.timeline.model import Granularity, Timex, TimexMod, TimexType
from newsroom.enrich.domain.timeline.multilingual import find_in_language

__all__ = ["Granularity", "Timex", "TimexMod", "TimexType", "find_timexes"]


def find_timexes(
    text: str,
    dateline: date,
    candidate_spans: Sequence[tuple[int, int]] = (),
    language: str = "en",
) -> list[Timex]:
    """Every temporal expression in `text`, normalised against `dateline`.

    English goes through the rule layer; `candidate_spans` are extra hints for it (e.g. spaCy
    DATE/TIME entity offsets), and it also finds expressions on its own. Other languages are
    read with dateparser's vocabulary for them (`multilingual.py`): calendar points only."""
    if language == "en":
        return find(text, dateline, candidate_spans)
    return find_in_language(text, dateline, language)
