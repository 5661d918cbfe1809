"""Temporal expressions in languages other than English, found with dateparser's own vocabulary.

The English rule layer (tense, modals, seasons, the "may" the verb…) is English; here the
candidates come from the words dateparser's locale for the language lists: its month and
weekday names, its relative words ("gestern", "i fjol", "ensi viikolla") and "N units ago"
patterns, plus what every language writes the same (years, 11.10.2022, ISO dates, clock times
next to the locale's time word). Each candidate is then read by dateparser in that language
with the dateline as RELATIVE_BASE.

Without a tense reader for the language, an expression missing its year ("Ende April",
"am Mittwochabend") takes the reading nearest the dateline, which is how news uses them; when
the two readings around the dateline are about equally near, the dateline's own year.

What must not be dates is kept out by construction: abbreviations ("Jan" Guillou, "Mi") count
only inside a full date, numbers only as four-digit years not joined to other digits ("2:1",
"2018/19", "59 miljoonalla"), relative words only in their dictionary case ("morgen" is
tomorrow, "Morgen" the morning), month names that are lower case in the language's spelling
only in lower case mid-sentence (French "mars" the month, "Mars" the planet)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final, Literal

from newsroom.enrich.domain.timeline.calendar import Period, year_period
from newsroom.enrich.domain.timeline.dateparsing import by_tense, read, read_period
from newsroom.enrich.domain.timeline.model import Timex

Kind = Literal["full", "partial", "month+year", "relative", "year", "time"]

_MONTHS: Final = ("january", "february", "march", "april", "may", "june", "july", "august",
                  "september", "october", "november", "december")  # fmt: skip
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Languages that capitalise month and weekday names (nouns in German); the others write them
# in lower case, so a capitalised one mid-sentence is a name ("Mars", "Maggio").
_CAPITALISED_CALENDAR: Final = frozenset({"de", "en", "lb"})
_RELATIVE_KEY: Final = re.compile(r"^(?:in )?\d+ (?:day|week|month|year)(?: ago)?$")
_NUMBER: Final = r"\d++[.,]?\d*+"
# Long month names take inflection endings (Finnish "lokakuun", German "Januars").
_INFLECTABLE: Final = 6
_WEEKDAY_COMPOUND: Final = r"[^\W\d_]{0,9}"  # "Mittwochabend", "woensdagavond", "onsdagskväll"
_SENTENCE_START: Final = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")
# A four-digit year, not a part of a score, a season ("2018/19"), a decimal or an amount: a
# year-like number before a currency (symbol, ISO code, or its name in the languages of
# Europe's currencies) or a percent sign is an amount.
_MONEY: Final = (r"(?:%|€|\$|£|¥|[A-Z]{3}\b|(?i:euro|dollar|pfund|pound|livre|franc|frank|"
                 r"kron|krone|yen|rubel|rouble|rublo|lira|lir|zlot|złot|forint|koruna|kun|lei)"
                 r"\w*)")  # fmt: skip
_YEAR: Final = re.compile(rf"(?<![\w.,:/-])((?:1[6-9]|20)\d\d)(?![\w:/]|[-–.,]\d|\s?{_MONEY})")
_MONEY_BEFORE: Final = re.compile(r"[€$£¥]\s?$")


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: Kind
    phrase: str  # what dateparser reads (inflection stripped)
    extra: str = ""  # month+year: the relative year phrase


def _alternation(words: Iterable[str]) -> str:
    unique = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in unique)


@dataclass(frozen=True)
class _Vocabulary:
    language: str
    full_date: re.Pattern[str]
    day_month: re.Pattern[str]
    month_alone: re.Pattern[str]
    month_relative_year: re.Pattern[str]
    weekday: re.Pattern[str]
    relative: re.Pattern[str]
    relative_words: frozenset[str]  # one-word relative forms, as the dictionary writes them
    ago: re.Pattern[str] | None
    time: re.Pattern[str] | None
    month_forms: dict[str, str]  # an inflected or capitalised form → the dictionary form


@lru_cache(maxsize=32)
def _vocabulary(language: str) -> _Vocabulary | None:
    from dateparser.languages.loader import default_loader  # heavy: on first use only

    try:
        info = default_loader.get_locale(language).info
    except (KeyError, ValueError):
        return None
    month_all: list[str] = []
    month_full: list[str] = []
    forms: dict[str, str] = {}
    for key in _MONTHS:
        words = [w for w in info.get(key, []) if isinstance(w, str) and w.isalpha()]
        month_all += [w for w in words if len(w) >= 3]
        longest = max((len(w) for w in words), default=0)
        month_full += [w for w in words if len(w) >= 4 or len(w) == longest]
        for word in words:
            forms[word.casefold()] = word
    weekdays = [w for key in _WEEKDAYS for w in info.get(key, []) if isinstance(w, str)
                and w.isalpha() and len(w) >= 5]  # fmt: skip
    relative_phrases = [
        phrase
        for key, phrases in (info.get("relative-type") or {}).items()
        if _RELATIVE_KEY.match(key)
        for phrase in phrases
        if len(phrase.replace(" ", "")) >= 3 and not phrase.isupper()
    ]
    numbers = [
        word
        for simplification in info.get("simplifications") or []
        for word, digits in simplification.items()
        if word.isalpha() and digits.isdigit()
    ]
    number = f"(?:{_NUMBER}|{_alternation(numbers)})" if numbers else _NUMBER
    ago_patterns = [
        pattern.replace(r"(\d++[.,]?\d*+)", number)
        for key, patterns in (info.get("relative-type-regex") or {}).items()
        if re.search(r"\b(?:day|week|month|year)\b", key)
        for pattern in patterns
    ]
    months = _alternation(month_all)
    full = _alternation(month_full)
    inflection = rf"(?:(?<=[^\W\d_]{{{_INFLECTABLE}}})[^\W\d_]{{0,3}})?"
    flags = re.IGNORECASE
    day = r"(?:[12]\d|3[01]|0?[1-9])"
    year = r"(?:1[6-9]|20)\d\d"
    time_words = [
        w
        for w in [*(info.get("skip") or []), *(info.get("hour") or [])]
        if isinstance(w, str) and len(w.strip(".")) >= 2 and w.strip(".").isalpha()
    ]
    clock = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
    time_pattern = (
        re.compile(
            rf"(?<![\w.:])(?:(?:{_alternation(time_words)})\.?\s+)?({clock})(?![\w:]|\.\d)"
            rf"(?:\s+(?:{_alternation(time_words)})\b)?",
            flags,
        )
        if time_words
        else None
    )
    return _Vocabulary(
        language=language,
        full_date=re.compile(
            rf"(?<![\w.])(?:{day}\.?\s*(?:de\s+)?(?:{months})\.?,?\s+(?:de\s+|del\s+)?{year}"
            rf"|(?:{months})\.?\s+{day},?\s+{year}"
            rf"|(?:{full}){inflection}\s+(?:de\s+|del\s+)?{year}"
            rf"|{day}\.\s?(?:0?[1-9]|1[0-2])\.\s?{year}"
            rf"|{year}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\w])",
            flags,
        ),
        day_month=re.compile(
            rf"(?<![\w.]){day}\.?\s*(?:de\s+)?(?:{months})(?:\.|{inflection})(?![\w])", flags
        ),
        month_alone=re.compile(rf"(?<![\w-])((?:{full}))({inflection})(?![\w])", flags),
        month_relative_year=re.compile(
            rf"(?<![\w-])((?:{full}))({inflection})\s+"
            rf"({_alternation(p for p in relative_phrases if _is_year_phrase(info, p))})(?![\w])",
            flags,
        )
        if any(_is_year_phrase(info, p) for p in relative_phrases)
        else re.compile(r"(?!)"),
        weekday=re.compile(
            rf"(?<![\w-])({_alternation(weekdays)}){_WEEKDAY_COMPOUND}(?![\w])", flags
        ),
        relative=re.compile(rf"(?<![\w-])(?:{_alternation(relative_phrases)})(?![\w])", flags),
        relative_words=frozenset(p for p in relative_phrases if " " not in p),
        ago=re.compile(rf"(?<![\w-])(?:{'|'.join(ago_patterns)})(?![\w])", flags)
        if ago_patterns
        else None,
        time=time_pattern,
        month_forms=forms,
    )


def _is_year_phrase(info: dict[str, object], phrase: str) -> bool:
    relative = info.get("relative-type")
    if not isinstance(relative, dict):
        return False
    return any(key.endswith(("year", "year ago")) and phrase in phrases
               for key, phrases in relative.items())  # fmt: skip


def _at_sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 3) : start]))


def _candidates(text: str, vocabulary: _Vocabulary) -> Iterator[_Candidate]:
    lower_case_calendar = vocabulary.language not in _CAPITALISED_CALENDAR
    for match in vocabulary.full_date.finditer(text):
        yield _Candidate(
            match.start(), match.end(), "full", _dictionary_forms(match.group(), vocabulary)
        )
    for match in vocabulary.day_month.finditer(text):
        yield _Candidate(
            match.start(), match.end(), "partial", _dictionary_forms(match.group(), vocabulary)
        )
    for match in vocabulary.month_relative_year.finditer(text):
        yield _Candidate(match.start(), match.end(), "month+year", match[1], match[3])
    for match in vocabulary.month_alone.finditer(text):
        word = match[1]
        if (
            lower_case_calendar
            and word[0].isupper()
            and not _at_sentence_start(text, match.start())
        ):
            continue
        yield _Candidate(match.start(), match.end(), "partial", word)
    for match in vocabulary.weekday.finditer(text):
        word = match[1]
        if (
            lower_case_calendar
            and word[0].isupper()
            and not _at_sentence_start(text, match.start())
        ):
            continue
        yield _Candidate(match.start(), match.end(), "partial", word)
    for match in vocabulary.relative.finditer(text):
        phrase = match.group()
        if " " not in phrase and not _dictionary_case(phrase, text, match.start(), vocabulary):
            continue
        yield _Candidate(match.start(), match.end(), "relative", phrase)
    if vocabulary.ago is not None:
        for match in vocabulary.ago.finditer(text):
            yield _Candidate(match.start(), match.end(), "relative", match.group())
    for match in _YEAR.finditer(text):
        if not _MONEY_BEFORE.search(text[max(0, match.start() - 2) : match.start()]):
            yield _Candidate(match.start(), match.end(), "year", match.group())
    if vocabulary.time is not None:
        for match in vocabulary.time.finditer(text):
            if match.group() != match[1]:  # a bare "21.00" with no time word is a number
                yield _Candidate(match.start(), match.end(), "time", match[1].replace(".", ":"))


def _dictionary_case(word: str, text: str, start: int, vocabulary: _Vocabulary) -> bool:
    """A one-word relative term as the dictionary writes it ("morgen", not "Morgen"), or
    capitalised at a sentence's start."""
    if word in vocabulary.relative_words:
        return True
    return (
        word[:1].isupper()
        and word[1:] == word[1:].casefold()
        and word.casefold() in vocabulary.relative_words
        and _at_sentence_start(text, start)
    )


def _dictionary_forms(phrase: str, vocabulary: _Vocabulary) -> str:
    """Inflected month names back to a form dateparser knows ("lokakuun" → "lokakuu")."""

    def known(match: re.Match[str]) -> str:
        word = match.group()
        if word.casefold() in vocabulary.month_forms:
            return word
        for cut in range(1, 4):
            stem = word[:-cut]
            if len(stem) >= _INFLECTABLE and stem.casefold() in vocabulary.month_forms:
                return vocabulary.month_forms[stem.casefold()]
        return word

    return re.sub(r"[^\W\d_]+", known, phrase)


def _select(found: Iterable[_Candidate]) -> list[_Candidate]:
    taken: list[_Candidate] = []
    for candidate in sorted(found, key=lambda c: (-(c.end - c.start), c.start)):
        if all(candidate.end <= t.start or candidate.start >= t.end for t in taken):
            taken.append(candidate)
    return sorted(taken, key=lambda c: c.start)


def _period(candidate: _Candidate, dateline: date, language: str) -> Period | None:
    if candidate.kind == "year":
        return year_period(int(candidate.phrase))
    if candidate.kind == "partial":
        vocabulary = _vocabulary(language)
        phrase = _dictionary_forms(candidate.phrase, vocabulary) if vocabulary else candidate.phrase
        return _nearest_or_this_year(phrase, dateline, language)
    if candidate.kind == "month+year":
        year = read_period(candidate.extra, dateline, language=language)
        if year is None:
            return None
        anchor = date(year.first.year, dateline.month, min(dateline.day, 28))
        vocabulary = _vocabulary(language)
        month = _dictionary_forms(candidate.phrase, vocabulary) if vocabulary else candidate.phrase
        return read_period(month, anchor, language=language)
    return read_period(candidate.phrase, dateline, language=language)


# Readings this close to equally far from the dateline are a toss-up: the dateline's own year
# is then what a month name without a year means in news copy.
_TOSS_UP_DAYS: Final = 31


def _nearest_or_this_year(phrase: str, dateline: date, language: str) -> Period | None:
    nearest = by_tense(phrase, dateline, None, language=language)
    this_year = read_period(phrase, dateline, language=language)
    if nearest is None or this_year is None or nearest == this_year:
        return nearest or this_year
    toss_up = abs(_distance(nearest, dateline) - _distance(this_year, dateline)) < _TOSS_UP_DAYS
    # Only a choice between years is a toss-up; a weekday's nearest reading is the one meant.
    if toss_up and nearest.granularity == "month" and nearest.first.year != this_year.first.year:
        return this_year
    return nearest


def _distance(period: Period, dateline: date) -> int:
    if period.contains(dateline):
        return 0
    return min(abs((period.first - dateline).days), abs((period.last - dateline).days))


def find_in_language(text: str, dateline: date, language: str) -> list[Timex]:
    """Every calendar expression in `text` (written in `language`) as a DATE or TIME Timex."""
    vocabulary = _vocabulary(language)
    if vocabulary is None:
        return []
    timexes: list[Timex] = []
    for candidate in _select(_candidates(text, vocabulary)):
        surface = text[candidate.start : candidate.end]
        if candidate.kind == "time":
            day = _day_before(timexes, candidate.start, text) or dateline
            reading = read(candidate.phrase, day, language=language)
            if reading is None or reading.period != "time":
                continue
            value = f"{day.isoformat()}T{reading.moment.strftime('%H:%M')}"
            timexes.append(Timex(candidate.start, candidate.end, surface, "TIME", value, "time"))
            continue
        try:
            period = _period(candidate, dateline, language)
        except (ValueError, OverflowError):
            continue
        if period is None:
            continue
        timexes.append(
            Timex(candidate.start, candidate.end, surface, "DATE", period.value, period.granularity)
        )
    return timexes


def _day_before(timexes: list[Timex], start: int, text: str) -> date | None:
    """The day a clock time belongs to: a day named just before it in the same sentence."""
    for timex in reversed(timexes):
        gap = text[timex.end : start]
        if timex.granularity == "day" and len(gap) <= 40 and not re.search(r"[.!?]\s", gap):
            return date.fromisoformat(timex.value)
    return None
