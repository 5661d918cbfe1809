"""The news rules layered on dateparser: direction by tense, the dateline's own day, granularity."""

from __future__ import annotations

from datetime import date

import pytest

from newsroom.enrich.domain.timeline import find_timexes
from newsroom.enrich.domain.timeline.calendar import Tense
from newsroom.enrich.domain.timeline.dateparsing import Prefer, by_tense, clock_reading, read_period

MONDAY = date(2021, 9, 20)


def read_by_tense(phrase: str, tense: Tense, unmarked: Prefer | None = None) -> str | None:
    period = by_tense(phrase, MONDAY, tense, unmarked)
    return period.value if period else None


@pytest.mark.parametrize(
    ("phrase", "granularity", "value"),
    [
        ("2017", "year", "2017"),  # dateparser's reading (2017-09-01) says "year", not a day
        ("October", "month", "2021-10"),
        ("next month", "month", "2021-10"),
        ("last week", "week", "2021-W37"),
        ("Q3 2020", "quarter", "2020-Q3"),
        ("October 5", "day", "2021-10-05"),
    ],
)
def test_dateparser_period_is_the_granularity(phrase: str, granularity: str, value: str) -> None:
    period = read_period(phrase, MONDAY)
    assert period is not None
    assert (period.granularity, period.value) == (granularity, value)


@pytest.mark.parametrize("tense", ["past", "future", "present", None])
def test_a_reading_on_the_dateline_itself_wins_in_every_tense(tense: Tense) -> None:
    # dateparser's "future" would make Sept. 20 next year's, its "past" last Monday.
    assert read_by_tense("Sept. 20", tense) == "2021-09-20"
    assert read_by_tense("Monday", tense, unmarked="past") == "2021-09-20"


def test_tense_picks_the_direction_and_no_cue_the_nearest() -> None:
    assert read_by_tense("October 5", "past") == "2020-10-05"
    assert read_by_tense("October 5", "future") == "2021-10-05"
    assert read_by_tense("October 5", "present") == "2021-10-05"
    # 15 days ahead is nearer than 350 days back; 19 days back nearer than 346 ahead.
    assert read_by_tense("October 5", None) == "2021-10-05"
    assert read_by_tense("September 1", None) == "2021-09-01"
    assert read_by_tense("December 30", None) == "2021-12-30"
    # An unmarked weekday is the one just past: news reports what happened.
    assert read_by_tense("Friday", None, unmarked="past") == "2021-09-17"
    assert read_by_tense("Friday", "future") == "2021-09-24"


def test_clock_times_stay_on_the_day_the_sentence_names() -> None:
    reading = clock_reading("11:30 pm", date(2021, 9, 14))
    assert reading is not None
    assert reading.moment.date() == date(2021, 9, 14)
    assert f"{reading.moment:%H:%M}" == "23:30"


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("The dynasty ended a century ago.", "a century ago", ("DATE", "1921", "year")),
        ("It began three decades ago.", "three decades ago", ("DATE", "1991", "year")),
        ("He resigned a fortnight ago.", "a fortnight", ("DURATION", "P2W", None)),
        ("He resigned a fortnight ago.", "a fortnight ago", ("DATE", "2021-W36", "week")),
        ("The filing, dated 20.09.2021, was late.", "20.09.2021", ("DATE", "2021-09-20", "day")),
        ("The filing, dated 04.03.2021, was late.", "04.03.2021", ("DATE", "2021-03-04", "day")),
        ("It landed at 1530 GMT on Tuesday.", "1530 GMT", ("TIME", "2021-09-14T15:30Z", "time")),
        ("Trading opened at 2021-09-20T08:00+02:00.", "2021-09-20T08:00+02:00",
         ("TIME", "2021-09-20T08:00+02:00", "time")),
    ],
)  # fmt: skip
def test_expressions_read_through_dateparser(
    sentence: str, phrase: str, expected: tuple[str, str, str | None]
) -> None:
    found = {t.text: (t.type, t.value, t.granularity) for t in find_timexes(sentence, MONDAY)}
    assert found.get(phrase) == expected, found
