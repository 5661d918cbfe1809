"""Acceptance tests: when a match is not a temporal expression at all ("May" the verb, "2000
protesters", "36-year-old", "the fall of Rome", "NBC's Today")."""

from __future__ import annotations

import re
from typing import Final

from newsroom.enrich.domain.timeline.lexicon import unit_key

_AMBIGUOUS_MONTHS: Final = frozenset({"May", "March", "June", "August"})
_MONTH_CONTEXT_BEFORE: Final = re.compile(
    r"(?i:\b(?:in|since|until|till|by|from|of|during|before|after|through|throughout|early|mid|"
    r"late|last|next|this|every|each|between|and|to|around|end|beginning|start|late-|mid-|early-|"
    r"on|with|than|for|as\s+of)[\s-]+)$"
)


def month_alone_plausible(match: re.Match[str], text: str) -> bool:
    """ "May", "March", "June", "August" alone are months only after a word that introduces a
    time ("in May"): otherwise a verb, a name ("Theresa May") or a noun."""
    if match["month"] not in _AMBIGUOUS_MONTHS or match["rel"]:
        return True
    return bool(_MONTH_CONTEXT_BEFORE.search(text, max(0, match.start() - 20), match.start()))


_YEAR_BLOCKERS_BEFORE: Final = re.compile(
    r"(?:[$£€¥#]\s*|(?i:\b(?:no\.?|nos\.?|number|flight|route|model|room|page|pages|article|section|"
    r"rule|highway|interstate|road|street|version|iso|windows|office|suite|"
    r"unit|units|code|form|bus|train|channel|exit|box|tel|phone|fax|us\$|usd|eur|gbp)\s*)|"
    r"[\d,.:/]|[A-Za-z]-?)$"
)


_YEAR_BLOCKERS_AFTER: Final = re.compile(
    r"^(?:[,.:/]\d|\s*[-–]?\s*(?i:%|percent|per\s+cent|years?[\s-]+old|strong|"
    r"(?:people|persons|passengers|employees|workers|jobs|staff|units|aircraft|planes|jets|cars|"
    r"vehicles|homes|houses|troops|soldiers|students|copies|shares|tons|tonnes|km|kilometres|"
    r"kilometers|miles|metres|meters|feet|ft|m|kg|lbs?|pounds|dollars|euros|points|votes|seats|"
    r"times|calories|mph|kph|km/h|hp|mw|kw|gb|mb|rpm|members|customers|users|visitors|"
    r"attendees|residents|delegates|stores)\b))"
)


_QUANTITY_BEFORE: Final = re.compile(
    r"(?i:\b(?:some|about|around|nearly|almost|over|than|to|least|only|just|roughly|approximately)"
    r"\s+)$"
)


_YEAR_PREFIXES: Final = re.compile(r"(?<![\w-])(?i:mid|early|late|pre|post)-$")


_OLD_YEAR_CONTEXT: Final = re.compile(
    r"(?i:\b(?:in|since|from|until|till|by|of|year|around|circa|c\.|before|after|between|and|to)"
    r"\s+)$"
)


def year_plausible(match: re.Match[str], text: str) -> bool:
    start, end = match.span("year")
    if text.startswith("-", start - 1):
        # "mid-2011", "pre-2008" yes; "A330-2011", "10-2011" (a score, a code) no.
        return bool(_YEAR_PREFIXES.search(text, max(0, start - 8), start))
    if _YEAR_BLOCKERS_BEFORE.search(text, max(0, start - 12), start):
        return False
    if _YEAR_BLOCKERS_AFTER.search(text[end : end + 24]):
        return False
    if _QUANTITY_BEFORE.search(text, max(0, start - 12), start) and re.match(
        r"\s+[a-z]+s\b", text[end : end + 20]
    ):
        return False  # "some 2000 protesters", "up to 2000 troops": a count
    year = int(match["year"])
    return 1900 <= year <= 2099 or bool(_OLD_YEAR_CONTEXT.search(text, max(0, start - 10), start))


def _not_an_age(match: re.Match[str], text: str) -> bool:
    """Ages ("36-year-old", "36 years old", "a 3-year-old") are no temporal expression at all."""
    return not re.match(r"[\s-]*olds?\b", text[match.end() : match.end() + 8], re.IGNORECASE)


def not_premodifier_now(match: re.Match[str], text: str) -> bool:
    # "the now-cancelled deal": an adjective prefix, not a reference to the present.
    return not text.startswith("-", match.end())


def after_the(match: re.Match[str], text: str) -> bool:
    """Stretches like "the past year", "the last month" are durations (span-one-unit), not dates."""
    return match["rel"].lower() in ("past", "last", "next") and bool(
        re.search(r"(?i:\bthe\s+)$", text[max(0, match.start() - 5) : match.start()])
    )


def plausible_duration(match: re.Match[str], text: str) -> bool:
    article = match["n"].lower() in ("a", "an")
    if article and match["unit"].lower().endswith("s"):
        return False  # "a decades-long feud": the article belongs to the noun phrase
    # "a quarter-mile", "a second-hand car": the unit word is part of another compound.
    if re.match(r"-(?!long\b)[A-Za-z]", text[match.end() : match.end() + 6]):
        return False
    return _not_an_age(match, text) and not _quarter_of(match, text) and not _ordinal(match)


def _ordinal(match: re.Match[str]) -> bool:
    # "a second A380" is an ordinal, not one second.
    return match["n"].lower() in ("a", "an") and unit_key(match["unit"]) == "second"


def _quarter_of(match: re.Match[str], text: str) -> bool:
    # "three quarters of the staff" is a fraction.
    return unit_key(match["unit"]) == "quarter" and bool(
        re.match(r"\s+of\b", text[match.end() : match.end() + 4])
    )


def season_plausible(match: re.Match[str], text: str) -> bool:
    """ "the fall of Rome", "the fall in prices", "prices fall by": the noun and verb, not autumn."""
    if match["year"] or match["season2"] or match["season"].lower() != "fall":
        return True
    if match["rel"] and match["rel"].lower() in ("this", "last", "next"):
        return True
    following = text[match.end() : match.end() + 12]
    return not re.match(
        r"\s+(?i:of|in|from|to|on|by|at|and|was|is|has|had|came|would|will)\b", following
    )


def capitalised_mid_sentence(match: re.Match[str], text: str) -> bool:
    """ "the Today show", "NBC's Today": a capital inside a sentence makes a deictic word a name."""
    if not match.group()[0].isupper():
        return False
    before = text[: match.start()].rstrip(" \t\"“‘'(")
    return bool(before) and before[-1] not in ".!?:\n—–-"
