"""The timeline's order is the order of the periods its entries name, by when they begin."""

from __future__ import annotations

from newsroom.render.domain.periods import UNDATED, period_bounds, period_start


def test_a_week_sorts_by_its_first_day_not_as_a_string() -> None:
    values = ["2017-07-03", "2017-W26", "2017", "2017-06", "2017-Q3", "2017-SU", "PRESENT_REF"]
    ordered = sorted(values, key=period_start)
    assert ordered == [
        "2017",
        "2017-06",
        "2017-SU",
        "2017-W26",
        "2017-Q3",
        "2017-07-03",
        "PRESENT_REF",
    ]
    # as strings, the week would come after the day
    assert sorted(["2017-07-03", "2017-W26"]) == ["2017-07-03", "2017-W26"]
    assert period_start("2017-W26") < period_start("2017-07-03")


def test_each_kind_of_value_begins_where_a_reader_expects() -> None:
    assert period_start("2017-W26") == "2017-06-26"  # the Monday
    assert period_start("2017-W26-WE") == "2017-07-01"  # the Saturday
    assert period_start("2017-Q3") == "2017-07-01"
    assert period_start("2017-H2") == "2017-07-01"
    assert period_start("2017-07-03T10:30") == "2017-07-03T10:30"
    assert period_start("201") == "2010-01-01"
    assert period_start("2017-02-30") == UNDATED
    assert period_start("PAST_REF") == UNDATED


def test_a_month_of_the_timeline_holds_what_begins_in_it() -> None:
    start, end = period_bounds(2017, 6)
    assert start <= period_start("2017-W26") < end
    assert start <= period_start("2017-06") < end
    assert not start <= period_start("2017-07-03") < end
    assert period_bounds(2017, 12) == ("2017-12", "2018-01")
    assert period_bounds(2017) == ("2017", "2018")
