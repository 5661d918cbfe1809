"""What the words around a name say about it: whether it is a name mention at all, and what
kind of thing it names when the statistical model's label says otherwise.

Each rule is English grammar, not a list of names:
- **A name that modifies a noun is not a mention of it** ("Apple CEO Steve Jobs", "Boeing
  employees", "US airtanker contract", "the Airbus website"): the noun phrase is about the
  noun. The part-of-speech tagger (`Word.tag`, Penn Treebank) tells the noun after it from a
  verb ("Apple plans to…" is a subject, "Apple plans" with a noun tag a modifier).
- **A name inside a hyphenated modifier** ("Intel-based", "EADS-led", "all-Airbus") is a
  piece of an adjective.
- **The head noun of a name says its kind**: "… Conference", "… Air Show" are events;
  "… Airport", "… Station", "… Stadium" are places (facilities).
- **A descriptor right before a name says its kind** ("space agency Roscosmos", "electronics
  retailer Best Buy", "magazine Der Spiegel"): organisations.
- **Organisations take no article or possessive**: "an iPod", "its iPhone", "the new
  MacBook" name things (products), while a company is "Apple", never "an Apple".
- **People's names have no inner capital** except after Mc/Mac/O'/De…: "SpaceX", "PayPal"
  are not people.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from newsroom.shared.events.enrichment import EntityType


@dataclass(frozen=True, slots=True)
class Word:
    """A token and its part-of-speech tag (Penn Treebank: NN, NNS, VBZ…), as offsets."""

    start: int
    end: int
    tag: str


# Penn Treebank tags of common nouns, and of the words that may stand between a modifying
# name and its noun ("Apple mobile devices", "Apple operating system", "Airbus chief executive").
_COMMON_NOUNS: Final = frozenset({"NN", "NNS"})
_NOUN_MODIFIERS: Final = frozenset({"JJ", "NN", "NNS", "VBG", "VBN"})
# Tags that begin an object noun phrase.
_OBJECT_STARTS: Final = frozenset({"DT", "PRP$", "CD", "NN", "NNS", "NNP", "NNPS", "JJ", "PRP"})
# Words of time make an adverbial, not a noun phrase: "Apple today unveiled", "the station
# next month", "Boeing last week said".
_TIME_WORDS: Final = frozenset(
    {"today", "yesterday", "tomorrow", "tonight", "now", "morning", "afternoon", "evening",
     "next", "last", "this", "earlier", "later", "day", "days", "week", "weeks", "weekend",
     "month", "months", "year", "years", "quarter", "season", "decade", "century", "time"}
)  # fmt: skip
# Titles in capitals that follow a company name ("Apple CEO Steve Jobs"); tagged NNP.
_TITLE_ACRONYMS: Final = frozenset({"CEO", "CFO", "COO", "CTO", "CIO", "MD", "VP", "EVP", "SVP"})
# English prefixes that make an adjective of a name: "all-Airbus fleet", "pro-EU", "non-US".
_NAME_PREFIXES: Final = re.compile(
    r"(?:^|[\s(\"'“‘])(?:all|anti|non|pro|post|pre|pan|ex|mid|neo)-$"
)
_HYPHEN_ADJECTIVE_AFTER: Final = re.compile(r"^-[a-z]")


def word_index(words: Sequence[Word], offset: int) -> int:
    """The index of the first word that starts at or after `offset`."""
    return bisect_left(words, offset, key=lambda word: word.start)


def modifies_a_noun(text: str, words: Sequence[Word], start: int, end: int) -> bool:
    """True when the name `text[start:end]` stands before the noun it modifies: the next word
    (one space away, same line) is a common noun or a title acronym, or begins a run of
    adjectives and nouns ending in a common noun. Without tags (a model that has no tagger)
    nothing is known: False."""
    if not words or end >= len(text) or text[end] != " ":
        return False
    index = word_index(words, end + 1)
    if index >= len(words) or words[index].start != end + 1:
        return False
    first = words[index]
    token = text[first.start : first.end]
    if token in _TITLE_ACRONYMS:
        return True
    if token[:1].isupper():
        return False
    previous_end = end
    for position in range(index, min(index + 3, len(words))):
        word = words[position]
        if text[previous_end : word.start] != " " or word.tag not in _NOUN_MODIFIERS:
            return False
        if (
            text[word.start : word.end].lower() in _TIME_WORDS
            or text[word.end : word.end + 1] == "-"
        ):
            return False  # an adverbial of time, or the first part of a compound ("non-stop")
        if word.tag in _COMMON_NOUNS and text[word.start].islower():
            following = words[position + 1] if position + 1 < len(words) else None
            # A plural noun with an object after it is a verb the tagger misread, as in a
            # headline: "Ryanair exercises options", "Office requests rerun".
            return not (
                word.tag == "NNS"
                and following is not None
                and text[word.end : following.start] == " "
                and following.tag in _OBJECT_STARTS
            )
        previous_end = word.end
    return False


def in_hyphenated_modifier(text: str, start: int, end: int) -> bool:
    """ "Intel-based", "EADS-led", "all-Airbus": the name is a piece of a compound adjective."""
    return bool(
        _HYPHEN_ADJECTIVE_AFTER.match(text[end : end + 2])
        or _NAME_PREFIXES.search(text[max(0, start - 6) : start])
    )


# The head noun of a name, and the kind of thing it makes the name.
_EVENT_HEADS: Final = frozenset(
    {"conference", "summit", "show", "expo", "exhibition", "festival", "games", "olympics",
     "championship", "championships", "cup", "tournament", "awards", "war", "fair", "week",
     "convention", "marathon", "grand prix"}
)  # fmt: skip
_FACILITY_HEADS: Final = frozenset(
    {"airport", "station", "stadium", "arena", "bridge", "tower", "terminal", "theater",
     "theatre", "palace", "cathedral", "square", "street", "avenue", "road", "highway",
     "tunnel", "dam", "harbour", "harbor", "canal", "prison", "plant", "factory", "mine"}
)  # fmt: skip


def type_by_head(name: str) -> EntityType | None:
    """The kind of a name of two words or more by its last word, when that is a head noun of
    events or facilities; None otherwise."""
    words = name.split()
    if len(words) < 2 or not words[-1][:1].isupper():
        return None
    head = words[-1].lower()
    if head in _EVENT_HEADS:
        return "event"
    if head in _FACILITY_HEADS:
        return "place"
    return None


# Common nouns that, right before a name, say it is an organisation's ("space agency
# Roscosmos", "public broadcaster Channel One", "engine maker Europrop").
ORGANISATION_DESCRIPTORS: Final = frozenset(
    {"airline", "carrier", "company", "firm", "maker", "manufacturer", "retailer",
     "broadcaster", "network", "bank", "agency", "band", "rival", "brand", "label",
     "publisher", "magazine", "newspaper", "airframer", "operator", "giant", "startup",
     "group", "organisation", "organization", "charity", "insurer", "lender", "regulator",
     "conglomerate", "supplier", "developer", "studio", "club", "team", "party", "union",
     "subsidiary", "airliner", "automaker", "carmaker", "chipmaker", "outlet", "daily",
     "tabloid", "website", "service", "consortium", "unit", "division"}
)  # fmt: skip
_DESCRIPTOR_BEFORE: Final = re.compile(r"\b([a-z]+)\s+$")


def described_as_organisation(text: str, start: int) -> bool:
    """ "the Russian space agency Roscosmos": a descriptor noun right before the name."""
    match = _DESCRIPTOR_BEFORE.search(text[max(0, start - 30) : start])
    return match is not None and match.group(1) in ORGANISATION_DESCRIPTORS


# An indefinite article, a possessive or "new"/"latest" right before a one-word name: a thing.
_THING_BEFORE: Final = re.compile(
    r"(?:^|[\s(\"“])(?:a|an|its|their|his|her|our|your|my|new|latest|newest)\s+$"
)


def named_as_a_thing(text: str, start: int, end: int) -> bool:
    """ "an iPod", "its iPhone", "the new MacBook": a one-word name with an article or a
    possessive of its own names a product, not an organisation; so does a brand-shaped word
    (a capital inside: "the iPhone", "the PowerBook") after "the"."""
    name = text[start:end]
    if " " in name:
        return False
    before = text[max(0, start - 12) : start]
    if _THING_BEFORE.search(before):
        return True
    return bool(_THE_BEFORE.search(before)) and _brand_shaped(name)


_THE_BEFORE: Final = re.compile(r"(?:^|[\s(\"“])the\s+$")


def _brand_shaped(name: str) -> bool:
    return bool(_INNER_CAPITAL.search(name)) and not _NAME_WITH_INNER_CAPITAL.match(name)


# Surname prefixes after which a capital is part of a person's name: McCain, MacArthur,
# O'Leary, DeSantis, DiCaprio, LeBron, LaGuardia, VanderBilt, FitzGerald.
_NAME_WITH_INNER_CAPITAL: Final = re.compile(
    r"^(?:Mc|Mac|O'|O’|D'|D’|De|Di|Du|La|Le|Van|Von|Fitz|St|Ben|Al|El)[A-Z]|^[A-Z][a-z]+-[A-Z]"
)
# A capital right after a small letter: "iPhone", "PowerBook", "SpaceX" (not "USAF").
_INNER_CAPITAL: Final = re.compile(r"[a-z][A-Z]")


def not_a_personal_name(name: str) -> bool:
    """ "SpaceX", "PayPal", "iPhone": a one-word name with a capital inside that no surname
    prefix explains is a brand, not a person."""
    if " " in name or name.isupper():
        return False
    return _brand_shaped(name)
