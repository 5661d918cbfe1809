"""The rule table: where each kind of temporal expression is found, and which resolver reads it.

A rule is a regex that finds and classifies (a date, a duration, a set…), an optional acceptance
test (`plausibility.py`) and a resolver: `resolve_dates.py` hands calendar expressions to
dateparser with the dateline as RELATIVE_BASE; `resolve_periods.py` and `resolve_measures.py`
hold what news writes and dateparser does not read. Month and weekday names match
case-sensitively ("May" the month, "may" the verb)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from newsroom.enrich.domain.timeline.lexicon import (
    DAY_NUMBER,
    FUZZY_QUANTIFIER,
    MONTH_NAME,
    NUMBER,
    UNIT_WORD,
    WEEKDAY_NAME,
    YEAR_NUMBER,
)
from newsroom.enrich.domain.timeline.matching import Candidate, Rule, span_of
from newsroom.enrich.domain.timeline.plausibility import (
    after_the,
    capitalised_mid_sentence,
    month_alone_plausible,
    not_premodifier_now,
    plausible_duration,
    season_plausible,
    year_plausible,
)
from newsroom.enrich.domain.timeline.resolve_dates import (
    resolve_ago,
    resolve_anaphoric,
    resolve_bare_year,
    resolve_clock,
    resolve_clock_24h,
    resolve_deictic_day,
    resolve_full_date,
    resolve_iso_date,
    resolve_month_alone,
    resolve_month_day,
    resolve_named_time,
    resolve_numeric_date,
    resolve_relative_unit,
    resolve_this_part_of_day,
    resolve_unit_of_the_year,
    resolve_weekday,
)
from newsroom.enrich.domain.timeline.resolve_measures import (
    SET_WORDS,
    fixed_value,
    resolve_duration,
    resolve_fuzzy_duration,
    resolve_one_unit,
    resolve_set_every,
    resolve_set_unit,
    resolve_set_word,
    resolve_uncounted_duration,
    resolve_weekday_set,
)
from newsroom.enrich.domain.timeline.resolve_periods import (
    resolve_century,
    resolve_decade,
    resolve_fiscal_year,
    resolve_half,
    resolve_holiday,
    resolve_quarter,
    resolve_season,
    resolve_this_century,
    resolve_this_decade,
    resolve_weekend,
)


def _word(pattern: str) -> str:
    """A case-insensitive whole-word pattern."""
    return rf"(?<![\w-])(?i:{pattern})(?![\w])"


_B = r"(?<![\w-])"  # left word boundary that also refuses the inside of "A330-200"-style tokens


# ... except after the prefixes of "mid-September", "late-2019", "pre-war".
_BM = r"(?:(?<=(?i:mid)-)|(?<=(?i:early)-)|(?<=(?i:late)-)|(?<![\w-]))"


_E = r"(?![\w])"


_WS = r"[\s\u00a0]+"


_WEEKDAY_PREFIX = rf"(?:{WEEKDAY_NAME},?{_WS})?"


_YEAR = rf"(?P<year>{YEAR_NUMBER})"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_REL = r"(?P<rel>(?i:this|last|next|current|past|previous))"


_PART = r"(?P<part>(?i:morning|afternoon|evening|night))"


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "month-day-year",
        _compile(
            rf"{_BM}{_WEEKDAY_PREFIX}(?P<month>{MONTH_NAME}){_WS}(?P<day>{DAY_NUMBER}),?{_WS}"
            rf"{_YEAR}{_E}"
        ),
        resolve_full_date,
    ),
    Rule(
        "day-month-year",
        _compile(
            rf"{_B}{_WEEKDAY_PREFIX}(?:(?i:the){_WS})?(?P<day>{DAY_NUMBER}){_WS}(?:(?i:of){_WS})?"
            rf"(?P<month>{MONTH_NAME}),?{_WS}{_YEAR}{_E}"
        ),
        resolve_full_date,
    ),
    Rule(
        "month-day",
        _compile(
            rf"{_BM}{_WEEKDAY_PREFIX}(?P<month>{MONTH_NAME}){_WS}(?:(?i:the){_WS})?"
            rf"(?P<day>{DAY_NUMBER}){_E}(?![,.:]?\d|\s*(?i:%|percent|per\s+cent|million|billion))"
        ),
        resolve_month_day,
    ),
    Rule(
        "day-month",
        _compile(
            rf"{_B}{_WEEKDAY_PREFIX}(?:(?i:the){_WS})?(?P<day>{DAY_NUMBER}){_WS}(?:(?i:of){_WS})?"
            rf"(?P<month>{MONTH_NAME}){_E}"
        ),
        resolve_month_day,
    ),
    Rule(
        "month-year",
        _compile(rf"{_BM}(?P<month>{MONTH_NAME}),?{_WS}(?:(?i:of){_WS})?{_YEAR}{_E}"),
        resolve_full_date,
    ),
    Rule(
        "month",
        _compile(
            rf"{_BM}(?:(?P<rel>(?i:this|last|next)){_WS})?"
            r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
            rf"November|December){_E}(?!\s+\d)"
        ),
        resolve_month_alone,
        accept=month_alone_plausible,
    ),
    Rule(
        "numeric-date",
        _compile(
            r"(?<![\d/.])(?P<a>\d{1,2})(?:(?P<sep>/)(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})|"
            r"(?P<dot>\.)(?P<b2>\d{1,2})\.(?P<y2>\d{4}))(?![\d/]|\.\d)"
        ),
        resolve_numeric_date,
    ),
    Rule(
        "iso-date",
        _compile(
            rf"(?<![\d-]){_YEAR}-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-2]\d|3[01])"
            r"(?:[T ](?P<hh>[01]\d|2[0-3]):(?P<mm>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?"
            r"(?P<tz>Z|[+-]\d\d:?\d\d)?)?(?![\d-])"
        ),
        resolve_iso_date,
    ),
    Rule(
        "holiday",
        _compile(
            r"(?<![\w-])(?P<holiday>New\s+Year['’]s\s+(?:Day|Eve)|Valentine['’]s\s+Day|Halloween|"
            r"Christmas(?:\s+(?:Eve|Day))?|Boxing\s+Day|Independence\s+Day|Bastille\s+Day|"
            r"St\.?\s+Patrick['’]s\s+Day|Thanksgiving)(?:,?\s+(?P<year>(?:19|20)\d\d))?(?![\w-])"
            r"(?!\s+(?:Island|Islands|Tree|tree|card|cards|carol|carols|market|markets|lights|"
            r"pudding|cake|special|party|film|movie|song|album))"
        ),
        resolve_holiday,
    ),
    Rule(
        "year",
        _compile(rf"(?<![\w'’]){_YEAR}(?![\w'’]|-\d)"),
        resolve_bare_year,
        accept=year_plausible,
    ),
    Rule(
        "fiscal-year",
        _compile(r"(?<![\w-])(?i:fiscal(?:\s+year)?\s+|FY\s?)(?P<fy>(?:19|20)\d\d|\d\d)(?![\w])"),
        resolve_fiscal_year,
    ),
    Rule(
        "decade",
        _compile(
            r"(?<![\w-])(?:(?i:the)\s+)?(?:(?P<century>1[0-9]|20)(?P<digit>\d)0|['’](?P<short>\d)0)s"
            r"(?![\w])"
        ),
        resolve_decade,
    ),
    Rule(
        "century",
        _compile(
            r"(?<![\w-])(?:(?i:the)\s+)?(?P<ord>\d{1,2}(?:st|nd|rd|th)|(?i:twenty[- ]first|"
            r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
            r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
            r"twentieth))[\s-](?i:century)(?![\w])"
        ),
        resolve_century,
    ),
    Rule("this-century", _compile(_word(r"this\s+century")), resolve_this_century),
    Rule("this-decade", _compile(_word(r"this\s+decade")), resolve_this_decade),
    Rule(
        "season",
        _compile(
            rf"{_B}(?:(?P<rel>(?i:this|last|next|the|early|late)){_WS}|(?<=(?i:in|by) )|"
            rf"(?<=(?i:during) )|(?<=(?i:until) ))"
            r"(?P<season>(?i:spring|summer|autumn|fall|winter))"
            rf"(?:{_WS}(?:(?i:of){_WS})?{_YEAR})?{_E}"
            r"|"
            rf"{_B}(?P<season2>(?i:spring|summer|autumn|fall|winter)){_WS}{YEAR_NUMBER}{_E}"
        ),
        resolve_season,
        accept=season_plausible,
    ),
    Rule(
        "quarter",
        _compile(
            rf"{_B}(?:(?i:the){_WS})?(?P<ord>(?i:first|second|third|fourth|final|1st|2nd|3rd|4th))"
            rf"[\s-](?i:quarter|qtr)(?:{_WS}(?:(?i:of){_WS})?(?:(?i:fiscal|financial){_WS})?"
            rf"{_YEAR})?{_E}"
            rf"|{_B}Q(?P<qn>[1-4])(?:(?:{_WS}|-|/|')(?P<year2>{YEAR_NUMBER}))?{_E}"
        ),
        resolve_quarter,
    ),
    Rule(
        "half",
        _compile(
            rf"{_B}(?:(?i:the){_WS})?(?P<half>(?i:first|second)){_WS}(?i:half){_WS}(?i:of){_WS}"
            rf"(?:{_YEAR}|(?i:the{_WS}year)|(?P<rel>(?i:this|last|next)){_WS}(?i:year))"
            rf"|{_B}(?P<half2>H[12]){_WS}{YEAR_NUMBER}{_E}"
        ),
        resolve_half,
    ),
    Rule(
        "relative-unit",
        _compile(
            rf"{_B}(?:(?i:earlier|later){_WS}(?i:in{_WS})?)?{_REL}{_WS}"
            r"(?P<unit>(?i:week|month|quarter|year))(?![\w-])(?!\s+(?i:old))"
        ),
        resolve_relative_unit,
        accept=lambda m, t: not after_the(m, t),
    ),
    Rule(
        "the-last-quarter",
        _compile(
            rf"{_B}(?i:the){_WS}(?P<rel>(?i:last|past|previous|current|next)){_WS}"
            r"(?P<unit>(?i:quarter))(?![\w-])(?!\s+(?i:of|century))"
        ),
        resolve_relative_unit,
    ),
    Rule(
        "weekend",
        _compile(rf"{_B}(?:(?P<rel>(?i:this|last|next|past|the)){_WS})(?i:weekend)(?![\w])"),
        resolve_weekend,
    ),
    Rule(
        "unit-of-the-year",
        _compile(
            rf"{_B}(?i:(?:the{_WS}(?:very{_WS})?(?:beginning|start|end|middle|close|rest|remainder)"
            rf"{_WS}of|earlier{_WS}in|later{_WS}in){_WS}the{_WS})(?P<unit>(?i:week|month|year))"
            r"(?![\w])"
        ),
        resolve_unit_of_the_year,
    ),
    Rule(
        "deictic-day",
        _compile(
            rf"(?<![\w-])(?<!USA )(?P<day>(?i:today|tonight|yesterday|tomorrow|the{_WS}day{_WS}"
            rf"(?:before{_WS}yesterday|after{_WS}tomorrow)))(?:['’]s)?(?:{_WS}{_PART})?(?![\w])"
        ),
        resolve_deictic_day,
        accept=lambda m, t: not capitalised_mid_sentence(m, t),
    ),
    Rule(
        "this-part-of-day",
        _compile(rf"{_B}(?P<rel>(?i:this|last)){_WS}{_PART}(?![\w])"),
        resolve_this_part_of_day,
        accept=lambda m, _t: not (m["rel"].lower() == "last" and m["part"].lower() != "night"),
    ),
    Rule(
        "weekday",
        _compile(
            rf"{_B}(?:(?P<rel>(?i:last|next|this)){_WS})?(?P<weekday>{WEEKDAY_NAME})(?![\w])"
            rf"(?:{_WS}{_PART})?"
        ),
        resolve_weekday,
    ),
    Rule(
        "weekday-set",
        _compile(
            rf"{_B}(?:(?i:every|each){_WS}(?P<weekday>{WEEKDAY_NAME})|(?i:on{_WS})?"
            rf"(?P<weekday2>(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s))(?![\w])"
        ),
        resolve_weekday_set,
    ),
    Rule(
        "ago",
        _compile(
            rf"{_B}(?:(?P<n>{NUMBER}|{FUZZY_QUANTIFIER}){_WS})?(?P<unit>(?i:{UNIT_WORD})s?)"
            rf"{_WS}(?i:ago|earlier\s+than\s+now)(?![\w])"
        ),
        resolve_ago,
    ),
    Rule(
        "anaphoric-unit",
        _compile(
            rf"{_B}(?i:the){_WS}(?P<rel>(?i:following|next|previous|prior|preceding|same)){_WS}"
            r"(?P<unit>(?i:day|week|month|year))(?![\w-])"
        ),
        resolve_anaphoric,
        # "the next day" follows the story's last date; "the next month" is a stretch ahead.
        accept=lambda m, _t: m["rel"].lower() != "next" or m["unit"].lower() == "day",
    ),
    Rule(
        "units-later",
        _compile(
            rf"{_B}(?P<n>{NUMBER}){_WS}(?P<unit>(?i:day|week|month|year)s?){_WS}"
            r"(?P<rel>(?i:later|earlier))(?![\w])(?!\s+than)"
        ),
        resolve_anaphoric,
        anchored=True,
    ),
    Rule(
        "clock",
        _compile(
            r"(?<![\w:.])(?P<h>[01]?\d|2[0-4])(?:[:.](?P<m>[0-5]\d))?\s*"
            r"(?:(?P<ampm>(?i:a\.m\.|p\.m\.|am|pm|a\.m|p\.m))(?![\w])|(?=\s*\(?(?:UTC|GMT)))"
            r"(?:\s*\(?(?P<zone>UTC|GMT|Z|EST|EDT|CST|CDT|MST|MDT|PST|PDT|BST|CET|CEST)"
            r"(?:\s*(?P<offset>[+-−]\s*\d{1,2}(?::?\d\d)?))?\)?)?"
        ),
        resolve_clock,
        anchored=True,
    ),
    Rule(
        "clock-24h",
        _compile(
            r"(?<![\w:.$£€])(?:(?<=(?i:at) )|(?<=(?i:until) )|(?<=(?i:by) )|(?<=(?i:from) )|"
            r"(?<=(?i:before) )|(?<=(?i:after) ))(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])"
            r"(?P<ampm>)(?:\s*\(?(?P<zone>UTC|GMT|Z|EST|EDT|CST|CDT|MST|MDT|PST|PDT|BST|CET|CEST)"
            r"(?:\s*(?P<offset>[+-]\s*\d{1,2}))?\)?)?"
            r"|(?<![\w:.])(?P<h2>[01]\d|2[0-3])(?P<m2>[0-5]\d)\s*(?P<zone2>GMT|UTC|hrs|hours\s+GMT)"
            r"(?![\w])"
        ),
        resolve_clock_24h,
        anchored=True,
    ),
    Rule(
        "named-time",
        _compile(
            rf"{_B}(?:(?i:at|by|until|before|after|around){_WS})(?P<t>(?P<name>(?i:noon|midday|midnight)))(?![\w])"
        ),
        resolve_named_time,
        anchored=True,
    ),
    Rule(
        "set-rate",
        _compile(
            r"(?:\d|\b(?i:once|twice|thrice|times|percent|million|billion))"
            rf"[%\w]*{_WS}(?P<t>(?i:an?){_WS}(?P<n>)(?P<unit>(?i:second|minute|hour|day|week|month|year)))"
            r"(?![\w-])"
        ),
        resolve_set_unit,
    ),
    Rule(
        "span-duration",
        _compile(
            rf"{_B}(?:(?i:the){_WS}(?i:past|last|next|coming|following|previous|first|final)"
            rf"{_WS})(?P<n>{NUMBER}){_WS}(?P<unit>(?i:{UNIT_WORD})s?)(?![\w-])"
        ),
        resolve_duration,
    ),
    Rule(
        "span-one-unit",
        _compile(
            rf"{_B}(?:(?i:the){_WS}(?i:past|last|coming|next|previous)"
            rf"{_WS})(?P<unit>(?i:week|month|year|decade|century))(?![\w-])"
        ),
        resolve_one_unit,
    ),
    Rule(
        "duration",
        _compile(
            rf"{_B}(?:(?i:almost|nearly|about|around|approximately|roughly)"
            rf"{_WS})?(?P<n>{NUMBER})[\s\u00a0-]+(?P<unit>(?i:{UNIT_WORD})s?)"
            r"(?:(?i:[\s-]long))?(?:\s+(?i:and\s+a\s+half))?(?![\w])"
        ),
        resolve_duration,
        accept=plausible_duration,
    ),
    Rule(
        "a-unit-and-a-half",
        _compile(
            rf"{_B}(?P<n>(?i:an?)){_WS}(?P<unit>(?i:{UNIT_WORD})){_WS}(?i:and{_WS}a{_WS}half)(?![\w])"
        ),
        resolve_duration,
    ),
    Rule(
        "fuzzy-duration",
        _compile(
            rf"{_B}(?:(?P<q>{FUZZY_QUANTIFIER}|(?i:the{_WS}(?:past|last|next|coming|following)"
            rf"(?:{_WS}(?:few|several|many))?)|(?i:recent|coming)){_WS}(?P<unit>(?i:{UNIT_WORD})s)"
            r"|(?P<unit2>(?i:decades|years|months|weeks|days|hours|centuries))-long)(?![\w-])"
        ),
        resolve_uncounted_duration,
    ),
    Rule(
        "bare-plural-duration",
        _compile(
            rf"(?:(?<=(?i:for) )|(?<=(?i:in) )|(?<=(?i:within) ))"
            rf"(?P<unit>(?i:decades|years|months|weeks|days|hours|minutes|"
            rf"centuries))(?![\w-])(?!{_WS}(?i:ago|of|old|later|earlier|before|after))"
        ),
        resolve_fuzzy_duration,
    ),
    Rule(
        "over-the-years",
        _compile(_word(r"over\s+the\s+(?P<unit>years|decades|months)")),
        resolve_fuzzy_duration,
    ),
    Rule(
        "set-word",
        _compile(rf"(?<![\w-])(?P<word>{'|'.join(SET_WORDS)})(?![\w-])"),
        resolve_set_word,
    ),
    Rule(
        "set-every",
        _compile(
            rf"{_B}(?i:every|each|per){_WS}(?:(?P<n>{NUMBER}|other){_WS})?"
            rf"(?P<unit>(?i:{UNIT_WORD})s?)(?![\w-])"
        ),
        resolve_set_every,
    ),
    Rule(
        "present-ref",
        _compile(
            _word(
                r"now|currently|presently|nowadays|at\s+present|at\s+the\s+moment|these\s+days|"
                r"right\s+now|the\s+present(?:\s+day)?"
            )
        ),
        fixed_value("PRESENT_REF"),
        accept=not_premodifier_now,
    ),
    Rule(
        "past-ref",
        _compile(
            _word(
                r"(?:more\s+|most\s+|only\s+|until\s+)?recently|lately|formerly|"
                r"in\s+the\s+past|once\s+upon\s+a\s+time|in\s+recent\s+times"
            )
        ),
        fixed_value("PAST_REF"),
    ),
    Rule(
        "future-ref",
        _compile(
            _word(
                r"(?:in\s+)?the\s+(?:near\s+|distant\s+)?future|in\s+future|someday|"
                r"one\s+day\s+soon|a\s+later\s+date|a\s+later\s+time"
            )
        ),
        fixed_value("FUTURE_REF"),
    ),
)


# Speed (Python's regex engine tries a pattern at every offset): a rule only runs on a text that
# contains one of its key substrings (lower-cased), and a pattern that can only begin with certain
# characters says so up front, which lets the engine skip to them.
_MONTH_KEYS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                      "dec")  # fmt: skip


_UNIT_KEYS: Final = ("second", "minute", "hour", "day", "night", "week", "fortnight", "month",
                     "quarter", "year", "decade", "centur")  # fmt: skip


_RELATIVE_KEYS: Final = ("this", "last", "next", "current", "past", "previous", "coming",
                         "following", "first", "final")  # fmt: skip


_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "month-day-year": _MONTH_KEYS, "day-month-year": _MONTH_KEYS, "month-day": _MONTH_KEYS,
    "day-month": _MONTH_KEYS, "month-year": _MONTH_KEYS, "month": _MONTH_KEYS,
    "year": ("16", "17", "18", "19", "20"), "iso-date": ("-0", "-1"),
    "numeric-date": ("/", "."), "fiscal-year": ("fiscal", "fy"), "decade": ("0s",), "century": ("century",),
    "this-century": ("century",), "this-decade": ("decade",),
    "season": ("spring", "summer", "autumn", "fall", "winter"),
    "quarter": ("quarter", "qtr", "q1", "q2", "q3", "q4"), "half": ("half", "h1", "h2"),
    "relative-unit": _RELATIVE_KEYS, "the-last-quarter": ("quarter",), "weekend": ("weekend",),
    "unit-of-the-year": ("beginning", "start", "end", "middle", "close", "rest", "remainder",
                         "earlier in", "later in"),
    "deictic-day": ("today", "tonight", "yesterday", "tomorrow"),
    "this-part-of-day": ("morning", "afternoon", "evening", "night"),
    "weekday": ("day",), "weekday-set": ("days", "every", "each"), "ago": ("ago",),
    "anaphoric-unit": ("following", "next", "previous", "prior", "preceding", "same"),
    "units-later": ("later", "earlier"),
    "clock": ("am", "pm", "a.m", "p.m", "utc", "gmt"),
    "clock-24h": ("at ", "until ", "by ", "from ", "before ", "after ", "gmt", "utc", "hrs"),
    "named-time": ("noon", "midday", "midnight"), "set-rate": _UNIT_KEYS,
    "span-duration": _RELATIVE_KEYS, "span-one-unit": _RELATIVE_KEYS, "duration": _UNIT_KEYS,
    "a-unit-and-a-half": ("half",), "fuzzy-duration": _UNIT_KEYS, "bare-plural-duration": ("for ", "in ", "within "),
    "over-the-years": ("over the",), "set-word": tuple(SET_WORDS),
    "set-every": ("every", "each", "per"),
    "present-ref": ("now", "current", "present", "moment", "these days"),
    "past-ref": ("recent", "lately", "formerly", "past", "once upon"),
    "future-ref": ("future", "someday", "later"),
    "holiday": ("year's", "year’s", "valentine", "halloween", "christmas", "boxing day",
                "independence day", "bastille", "patrick", "thanksgiving"),
}  # fmt: skip


_FIRST_CHARS: Final[dict[str, str]] = {
    "month-day-year": "A-Z", "month-day": "A-Z", "month-year": "A-Z", "month": "A-Zltn",
    "day-month-year": "0-9A-Zt", "day-month": "0-9A-Zt", "numeric-date": "0-9",
    "iso-date": "12", "year": "12", "weekday": "A-Zlnt", "clock": "0-9", "clock-24h": "0-9",
    "span-duration": "Tt", "span-one-unit": "Tt", "anaphoric-unit": "Tt",
    "duration": "0-9AaOoTtFfSsEeNnRr", "units-later": "0-9AaOoTtFfSsEeNn",
    "ago": "0-9A-Za-z", "decade": "0-9Tt'’", "century": "0-9A-Za-z",
    "set-rate": "0-9OoTtPpMmBb", "past-ref": "MmOoUuRrLlFfIi", "present-ref": "NnCcPpAaTtRr",
    "weekday-set": "EeOoA-Z", "set-every": "EePp", "unit-of-the-year": "TtEeLl",
    "future-ref": "IiTtSsOoAa", "relative-unit": "EeLlTtNnCcPp",
    "fuzzy-duration": "SsMmFfAaNnCcTtRrDdYyWwHh", "bare-plural-duration": "DdYyMmWwHhCc",
    "deictic-day": "TtYy", "this-part-of-day": "TtLl", "weekend": "TtLlNnPp",
    "the-last-quarter": "Tt", "season": "A-Za-z", "quarter": "TtFfSsQq1-4",
}  # fmt: skip


def _gated(rule: Rule) -> tuple[Rule, frozenset[str]]:
    first = _FIRST_CHARS.get(rule.name)
    if first:
        pattern = re.compile(rf"(?=[{first}])(?:{rule.pattern.pattern})")
        rule = Rule(rule.name, pattern, rule.resolve, rule.anchored, rule.accept)
    return rule, frozenset(_NEEDS.get(rule.name, ()))


_GATED_RULES: Final = tuple(_gated(rule) for rule in RULES)


_ALL_KEYS: Final = frozenset().union(*(needs for _, needs in _GATED_RULES))


# Where a sentence (or line) ends: no expression runs across one. "Oct. 5" does not end one
# (no capital follows), "6 p.m. Tuesday" does, and is two expressions anyway.
_SEGMENT_BREAK = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z“\"‘'])")


def _segments(text: str) -> list[tuple[int, int, str]]:
    bounds, start = [], 0
    for found in _SEGMENT_BREAK.finditer(text):
        if found.start() > start:
            bounds.append((start, found.start(), text[start : found.start()].lower()))
        start = found.end()
    if start < len(text):
        bounds.append((start, len(text), text[start:].lower()))
    return bounds


def candidates(text: str) -> Iterator[Candidate]:
    """Every rule match in the text (overlapping; the finder chooses among them).

    Each rule only scans the sentences holding one of its keys."""
    segments = [
        (start, end, frozenset(key for key in _ALL_KEYS if key in lowered))
        for start, end, lowered in _segments(text)
    ]
    for rule, needs in _GATED_RULES:
        for start, end, keys in segments:
            if needs and needs.isdisjoint(keys):
                continue
            for match in rule.pattern.finditer(text, start, end):
                if rule.accept is not None and not rule.accept(match, text):
                    continue
                span_start, span_end = span_of(match)
                if span_end > span_start:
                    yield Candidate(span_start, span_end, rule, match)
