"""`<time datetime>` values: what HTML allows, and what a TIMEX3 value becomes."""

from __future__ import annotations

import pytest

from newsroom.render.domain.html_time import html_datetime, is_valid_datetime


@pytest.mark.parametrize(
    "value",
    [
        "2021",
        "2021-10",
        "2021-10-05",
        "2020-02-29",
        "--10-05",
        "2020-W53",
        "2021-W38",
        "14:00",
        "14:00:59.123",
        "2021-10-05T14:00",
        "2021-10-05 14:00:00",
        "2021-10-05T14:00:00Z",
        "2021-10-05T14:00:00+02:00",
        "2021-10-05T14:00:00-0530",
        "Z",
        "+01:00",
    ],
)
def test_what_html_allows_is_kept_as_it_is(value):
    assert is_valid_datetime(value)
    assert html_datetime(value) == value


@pytest.mark.parametrize(
    ("timex", "shown"),
    [
        ("2017-W26-WE", "2017-W26"),  # a weekend: the week (the Nu Html Checker's one error)
        ("2021-10-05TMO", "2021-10-05"),  # a morning: the day
        ("2021-10-05T14", "2021-10-05"),
        ("2021-SU", "2021"),  # a season: the year
        ("2021-Q3", "2021"),
        ("2021-W53", "2021"),  # 2021 has 52 ISO weeks
        ("2021-02-29", "2021-02"),  # no such day
        ("2021-13", "2021"),
        ("2021-10-05T25:00", "2021-10-05"),
        ("2021-10-05T10:00:00.1234Z", "2021-10-05"),  # four decimals: too many
        ("XXXX-10-05", None),  # no year: nothing a machine can read
        ("PRESENT_REF", None),
        ("0000", None),
        ("12345", None),  # not 1234
        ("P3Y", None),
        ("", None),
    ],
)
def test_a_timex_value_html_cannot_hold_gives_the_most_precise_one_it_can(timex, shown):
    assert not is_valid_datetime(timex)
    assert html_datetime(timex) == shown
