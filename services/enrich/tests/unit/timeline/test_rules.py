"""Each rule family on sentences written for these tests (not from any evaluation set)."""

from __future__ import annotations

from datetime import date

import pytest

from newsroom.enrich.domain.timeline import find_timexes

# A Wednesday, mid-quarter, mid-year: every direction of resolution is visible from here.
DCT = date(2024, 5, 15)


def found(sentence: str, dateline: date = DCT) -> dict[str, tuple[str, str, str | None]]:
    return {t.text: (t.type, t.value, t.granularity) for t in find_timexes(sentence, dateline)}


def only(sentence: str, phrase: str, dateline: date = DCT) -> tuple[str, str, str | None]:
    result = found(sentence, dateline)
    assert phrase in result, f"{phrase!r} not among {sorted(result)}"
    return result[phrase]


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("The treaty was signed on March 3, 1999 in Oslo.", "March 3, 1999",
         ("DATE", "1999-03-03", "day")),
        ("She was born on 24 February 1955.", "24 February 1955", ("DATE", "1955-02-24", "day")),
        ("The strike began on Monday, Jan. 8, 2024.", "Monday, Jan. 8, 2024",
         ("DATE", "2024-01-08", "day")),
        ("The law takes effect in November 2025.", "November 2025", ("DATE", "2025-11", "month")),
        ("Flights resumed in 2019.", "2019", ("DATE", "2019", "year")),
        ("The invoice is dated 2023-11-30.", "2023-11-30", ("DATE", "2023-11-30", "day")),
        ("The launch was set for 7/8/24.", "7/8/24", ("DATE", "2024-07-08", "day")),
        ("The filing, dated 25/12/2023, was late.", "25/12/2023", ("DATE", "2023-12-25", "day")),
    ],
)  # fmt: skip
def test_absolute_dates(sentence: str, phrase: str, expected: tuple[str, str, str]) -> None:
    assert only(sentence, phrase) == expected


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        # Past clauses take the latest such date not after the dateline …
        ("The company said it filed the papers on February 20.", "February 20", "2024-02-20"),
        ("The plant closed in December.", "December", "2023-12"),
        # … future clauses the first one not before it …
        ("The company will file the papers on February 20.", "February 20", "2025-02-20"),
        ("The plant is expected to close in April.", "April", "2025-04"),
        ("The hearing is scheduled to begin on June 3.", "June 3", "2024-06-03"),
        # … and with no cue, the nearest one.
        ("Shareholders meet on June 3 in Paris.", "June 3", "2024-06-03"),
        ("Trading resumes in January.", "January", "2024-01"),
        # "last"/"next" + month name.
        ("Sales fell last October.", "last October", "2023-10"),
        ("Sales fell in October, the firm reported.", "October", "2023-10"),
        ("A vote is due next March.", "next March", "2025-03"),
    ],
)
def test_month_and_month_day_without_year_take_the_year_by_tense(
    sentence: str, phrase: str, value: str
) -> None:
    assert only(sentence, phrase)[1] == value


def test_may_the_verb_is_not_may_the_month() -> None:
    assert found("Prices may rise. The minister may resign.") == {}
    assert only("The vote was held in May.", "May") == ("DATE", "2024-05", "month")


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        ("Police arrested two men on Monday.", "Monday", "2024-05-13"),
        ("Speaking on Wednesday, the minister said it was over.", "Wednesday", "2024-05-15"),
        ("The court will rule on Friday.", "Friday", "2024-05-17"),
        ("The trial is set to begin on Monday.", "Monday", "2024-05-20"),
        ("The talks collapsed last Wednesday.", "last Wednesday", "2024-05-08"),
        ("Talks resume next Wednesday.", "next Wednesday", "2024-05-22"),
        # A present "be" arranges something ahead; the nearest verb decides.
        ("The vote is on Sunday.", "Sunday", "2024-05-19"),
        ("The man, who is 56, died on Monday.", "Monday", "2024-05-13"),
    ],
)
def test_weekdays_read_past_by_default_and_future_after_future_cues(
    sentence: str, phrase: str, value: str
) -> None:
    assert only(sentence, phrase) == ("DATE", value, "day")


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("Markets rallied this week.", "this week", ("DATE", "2024-W20", "week")),
        ("Markets fell last week.", "last week", ("DATE", "2024-W19", "week")),
        ("He arrives next week.", "next week", ("DATE", "2024-W21", "week")),
        ("Sales rose this month.", "this month", ("DATE", "2024-05", "month")),
        ("Sales rose last month.", "last month", ("DATE", "2024-04", "month")),
        ("It opens next month.", "next month", ("DATE", "2024-06", "month")),
        ("It opened last year.", "last year", ("DATE", "2023", "year")),
        ("It opens next year.", "next year", ("DATE", "2025", "year")),
        ("Earlier this month the board met.", "Earlier this month", ("DATE", "2024-05", "month")),
        ("Profit doubled in the last quarter.", "the last quarter", ("DATE", "2024-Q1", "quarter")),
        ("The protest grew this weekend.", "this weekend", ("DATE", "2024-W20-WE", "week")),
    ],
)  # fmt: skip
def test_this_next_last_units(sentence: str, phrase: str, expected: tuple[str, str, str]) -> None:
    assert only(sentence, phrase) == expected


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("He resigned today.", "today", ("DATE", "2024-05-15", "day")),
        ("He resigned yesterday.", "yesterday", ("DATE", "2024-05-14", "day")),
        ("The results come tomorrow.", "tomorrow", ("DATE", "2024-05-16", "day")),
        ("The band plays tonight.", "tonight", ("TIME", "2024-05-15TNI", "time")),
        ("Fire broke out last night.", "last night", ("TIME", "2024-05-14TNI", "time")),
        ("The minister spoke this morning.", "this morning", ("TIME", "2024-05-15TMO", "time")),
        ("Talks ended Friday morning.", "Friday morning", ("TIME", "2024-05-10TMO", "time")),
        ("The storm hit yesterday evening.", "yesterday evening",
         ("TIME", "2024-05-14TEV", "time")),
    ],
)  # fmt: skip
def test_deictic_days_and_parts_of_day(
    sentence: str, phrase: str, expected: tuple[str, str, str]
) -> None:
    assert only(sentence, phrase) == expected


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        ("The plane landed on Tuesday at 18:00 UTC.", "18:00 UTC", "2024-05-14T18:00Z"),
        ("Polls close at 8 p.m. tonight.", "8 p.m.", "2024-05-15T20:00"),
        ("The ship sank at 6:40 a.m. on May 2.", "6:40 a.m.", "2024-05-02T06:40"),
        ("The talks resume at noon.", "noon", "2024-05-15T12:00"),
        ("Take-off was at 0830 GMT.", "0830 GMT", "2024-05-15T08:30Z"),
    ],
)
def test_clock_times_anchor_to_the_day_named_in_the_sentence(
    sentence: str, phrase: str, value: str
) -> None:
    assert only(sentence, phrase) == ("TIME", value, "time")


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("The war ended three years ago.", "three years ago", ("DATE", "2021", "year")),
        ("The fire started two days ago.", "two days ago", ("DATE", "2024-05-13", "day")),
        ("The firm was sold six months ago.", "six months ago", ("DATE", "2023-11", "month")),
        ("He left a week ago.", "a week ago", ("DATE", "2024-W19", "week")),
    ],
)
def test_units_ago_are_dates_beside_the_duration_of_their_measure(
    sentence: str, phrase: str, expected: tuple[str, str, str]
) -> None:
    assert only(sentence, phrase) == expected
    measure = phrase.removesuffix(" ago")
    assert only(sentence, measure)[0] == "DURATION"


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("Tourism peaks in the summer.", "the summer", ("DATE", "2024-SU", "season")),
        ("Sales slumped last winter.", "last winter", ("DATE", "2023-WI", "season")),
        ("The film opens in spring 2026.", "spring 2026", ("DATE", "2026-SP", "season")),
        ("Profits rose in the fourth quarter of 2006.", "the fourth quarter of 2006",
         ("DATE", "2006-Q4", "quarter")),
        ("Revenue hit a record in Q3 2023.", "Q3 2023", ("DATE", "2023-Q3", "quarter")),
        ("First-quarter profit rose 8%, the bank reported.", "First-quarter",
         ("DATE", "2024-Q1", "quarter")),
    ],
)  # fmt: skip
def test_seasons_and_quarters(sentence: str, phrase: str, expected: tuple[str, str, str]) -> None:
    assert only(sentence, phrase) == expected


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        ("Growth stalled in the 1990s.", "the 1990s", "199"),
        ("It was a hit in the '80s.", "the '80s", "198"),
        ("The church dates from the 12th century.", "the 12th century", "11"),
        ("A new model is due in the first half of 2025.", "the first half of 2025", "2025-H1"),
        ("Results for fiscal 2023 disappointed.", "fiscal 2023", "FY2023"),
    ],
)
def test_decades_centuries_halves_and_fiscal_years_are_dates_off_the_timeline(
    sentence: str, phrase: str, value: str
) -> None:
    assert only(sentence, phrase) == ("DATE", value, None)


@pytest.mark.parametrize(
    ("sentence", "phrase", "value", "granularity", "mod"),
    [
        ("The line opens in early 2026.", "early 2026", "2026", "year", "START"),
        ("The cut came in mid-2019.", "mid-2019", "2019", "year", "MID"),
        ("Rates rose in late October.", "late October", "2023-10", "month", "END"),
        ("It ends at the end of next month.", "the end of next month", "2024-06", "month", "END"),
        ("Sales slowed at the beginning of the year.", "the beginning of the year", "2024", "year",
         "START"),
        ("Rates may rise later in the year.", "later in the year", "2024", "year", None),
        ("Flights resumed in 2019.", "2019", "2019", "year", None),
    ],
)  # fmt: skip
def test_early_mid_late_modifiers_keep_the_inner_value_and_set_the_mod(
    sentence: str, phrase: str, value: str, granularity: str, mod: str | None
) -> None:
    assert only(sentence, phrase) == ("DATE", value, granularity)
    [timex] = [t for t in find_timexes(sentence, DCT) if t.text == phrase]
    assert timex.mod == mod


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        ("Prices are now higher.", "now", "PRESENT_REF"),
        ("The firm currently employs 300 people.", "currently", "PRESENT_REF"),
        ("The site was recently renovated.", "recently", "PAST_REF"),
        ("He was formerly a banker.", "formerly", "PAST_REF"),
        ("The rules may change in the future.", "in the future", "FUTURE_REF"),
    ],
)
def test_present_past_and_future_references(sentence: str, phrase: str, value: str) -> None:
    assert only(sentence, phrase) == ("DATE", value, None)


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        ("The magazine appears every week.", "every week", "P1W"),
        ("Buses leave every two hours.", "every two hours", "PT2H"),
        ("The plant makes 15 a year.", "a year", "P1Y"),
        ("The annual meeting was cancelled.", "annual", "P1Y"),
        ("Markets are checked daily.", "daily", "P1D"),
        ("The shop closes on Sundays.", "on Sundays", "XXXX-WXX-7"),
        ("He jogs every Monday.", "every Monday", "XXXX-WXX-1"),
    ],
)
def test_sets(sentence: str, phrase: str, value: str) -> None:
    assert only(sentence, phrase) == ("SET", value, None)


@pytest.mark.parametrize(
    ("sentence", "phrase", "value"),
    [
        ("The trip lasts 12 days.", "12 days", "P12D"),
        ("A 12-day trip begins soon.", "12-day", "P12D"),
        ("They signed a twenty-five-year lease.", "twenty-five-year", "P25Y"),
        ("The delay is almost two and a half years.", "almost two and a half years", "P2.5Y"),
        ("It took a year and a half.", "a year and a half", "P1.5Y"),
        ("The system failed after thirty minutes.", "thirty minutes", "PT30M"),
        ("The project has been pushed back several years.", "several years", "PXY"),
        ("A few weeks passed.", "A few weeks", "PXW"),
        ("They have fought for years.", "years", "PXY"),
        ("Oil hit its highest level in decades.", "decades", "PXDE"),
        ("A decades-long dispute ended.", "decades-long", "PXDE"),
        ("Jobs will go over the next four years.", "the next four years", "P4Y"),
        ("Prices rose in the past decade.", "the past decade", "P10Y"),
        ("Three years after the crash, the report came out.", "Three years", "P3Y"),
    ],
)
def test_durations(sentence: str, phrase: str, value: str) -> None:
    assert only(sentence, phrase) == ("DURATION", value, None)


def test_a_range_is_a_duration_beside_its_two_dates() -> None:
    result = found("The airline takes six jets from 2009 to 2011.")
    assert result["from 2009 to 2011"] == ("DURATION", "P2Y", None)
    assert result["2009"] == ("DATE", "2009", "year")
    assert result["2011"] == ("DATE", "2011", "year")
    dashed = found("Output fell in 2014-16.")
    assert dashed["2014-16"] == ("DURATION", "P2Y", None)
    assert dashed["2014"] == ("DATE", "2014", "year")
    assert dashed["16"] == ("DATE", "2016", "year")


def test_anaphoric_units_lean_on_the_last_date_named() -> None:
    result = found("The bridge opened on March 3, 2010. It closed the following day.")
    assert result["the following day"] == ("DATE", "2010-03-04", "day")
    later = found("The war began in 1939. Six years later it ended.")
    assert later["Six years later"] == ("DATE", "1945", "year")


def test_offsets_are_code_points_into_the_given_text() -> None:
    text = "Café “Zoë” — opened on Thursday, closed 2 weeks ago 🎉 in 2019."
    timexes = find_timexes(text, DCT)
    assert {t.text for t in timexes} >= {"Thursday", "2 weeks ago", "2019"}
    assert all(text[t.start : t.end] == t.text for t in timexes)


def test_results_come_in_text_order() -> None:
    timexes = find_timexes("In 2019 it grew; on Monday it shrank; next year it may grow.", DCT)
    starts = [t.start for t in timexes]
    assert starts == sorted(starts)
    assert [t.text for t in timexes] == ["2019", "Monday", "next year"]


@pytest.mark.parametrize(
    ("sentence", "phrase", "expected"),
    [
        ("Sales jumped over Christmas.", "Christmas", ("DATE", "2023-12-25", "day")),
        ("Stores will close on Thanksgiving.", "Thanksgiving", ("DATE", "2024-11-28", "day")),
        ("Thanksgiving 2020 was quiet.", "Thanksgiving 2020", ("DATE", "2020-11-26", "day")),
        ("The feed was updated 2016-10-21T16:25:32-05:00.", "2016-10-21T16:25:32-05:00",
         ("TIME", "2016-10-21T16:25-05:00", "time")),
        ("Posted 2019-07-03T04:05:12Z.", "2019-07-03T04:05:12Z",
         ("TIME", "2019-07-03T04:05Z", "time")),
        ("The office reopens on 11.10.2024.", "11.10.2024", ("DATE", "2024-10-11", "day")),
    ],
)  # fmt: skip
def test_holidays_timestamps_and_european_dotted_dates(
    sentence: str, phrase: str, expected: tuple[str, str, str]
) -> None:
    assert only(sentence, phrase) == expected


def test_units_later_without_a_date_before_them_are_only_a_measure() -> None:
    assert found("Two years later the plant closed.") == {"Two years": ("DURATION", "P2Y", None)}
    assert found("A few years later it ended.") == {"A few years": ("DURATION", "PXY", None)}


def test_the_next_day_follows_the_story_while_the_next_week_is_a_stretch_ahead() -> None:
    result = found("He left on May 2. He returned the next day.")
    assert result["the next day"] == ("DATE", "2024-05-03", "day")
    assert found("Talks continue in the next week.") == {"the next week": ("DURATION", "P1W", None)}


def test_a_quarter_whose_figures_are_reported_is_one_already_begun() -> None:
    # Dated in Q2 2024: the results announced next week are Q1's, not next year's.
    assert only("The bank will report first-quarter results next week.", "first-quarter")[1] == (
        "2024-Q1"
    )
    assert only("Growth should pick up in the third quarter.", "the third quarter")[1] == (
        "2024-Q3"
    )
