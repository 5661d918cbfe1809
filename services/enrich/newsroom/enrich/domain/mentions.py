"""From NER spans to clean name mentions.

The statistical model's spans are close to names but not quite: they run across line breaks
("Wikimedia Commons⏎Space Race 2"), swallow possessives ("Elon Musk's SpaceX"), keep
determiners ("the International Space Station"), cut institution names in two ("the Yuri
Gagarin Center" + "for Cosmonaut Training") and split products from their makers ("Airbus" +
"A380"). The rules here repair those shapes; they decide nothing about identity (that is
`canonical.py`)."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from newsroom.enrich.domain.labels import SPACY_LABELS
from newsroom.enrich.domain.name_context import (
    Word,
    described_as_organisation,
    in_hyphenated_modifier,
    modifies_a_noun,
    named_as_a_thing,
    not_a_personal_name,
    type_by_head,
)
from newsroom.enrich.domain.overrides import NOT_NAMES
from newsroom.shared.events.enrichment import EntityType, TextField


@dataclass(frozen=True)
class NerSpan:
    """A span as the model tagged it: character offsets into one field's text."""

    start: int
    end: int
    label: str  # spaCy label, e.g. PERSON


@dataclass(frozen=True)
class Mention:
    """A cleaned name mention in one field; `weight` is the trust its label deserves in the
    type vote (lower for pieces split off a wrongly bounded span)."""

    field: TextField
    start: int
    end: int
    text: str
    type: EntityType
    sentence: int
    weight: float = 1.0
    # "wire": an occurrence of a name the wire's metadata gives (see wire_entities.py); "both":
    # the model found it too.
    origin: Literal["text", "wire", "both"] = "text"


# A product's model designation following its maker: A380, 787, 737-800, 777-200LR, A330s.
# Bare four-digit years are not model codes; single digits ("Channel 4") are not either.
_MODEL_CODE = re.compile(r"^(?:[A-Z]{1,3}-?\d{2,}|\d{3,})[A-Za-z0-9-]*$")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
# Nouns that head an institution's name and take an "of"/"for" complement that is part of the
# name: "Center for Cosmonaut Training", "University of Oxford", "Bank of England".
_INSTITUTION_HEADS = frozenset(
    [
        "center",
        "centre",
        "institute",
        "university",
        "college",
        "school",
        "academy",
        "museum",
        "agency",
        "department",
        "ministry",
        "council",
        "committee",
        "commission",
        "foundation",
        "association",
        "society",
        "bank",
        "office",
        "bureau",
        "board",
        "federation",
        "union",
        "league",
        "court",
        "church",
        "hospital",
        "library",
        "laboratory",
        "laboratories",
    ]
)
_NAME_LINK = re.compile(r"^ (?:for|of|on) $")
# "Everett, Washington", "Toulouse, France": a place qualified by its region is one name...
_PLACE_QUALIFIER = re.compile(r"^, $")
# ...unless the pair sits in a list ("Paris, London and Rome"), the first is a continent ("In
# Asia, Japan's Nikkei fell": an introductory phrase, not an address), or the second owns
# what follows ("In Europe, London's FTSE 100").
_LIST_BEFORE = re.compile(r"(?:,|\band|\bor)\s*$")
_CONTINENTS = frozenset(
    {"europe", "asia", "africa", "america", "americas", "north america", "south america",
     "latin america", "oceania", "antarctica", "the middle east", "middle east"}
)  # fmt: skip
_LIST_AFTER = re.compile(r"^\s*(?:,\s*(?:and\b|or\b|[A-Z])|and\b|or\b)")
# A title the model took into a name ("Spokeswoman Sandy Angers", tagged ORG at a sentence's
# start): the name is the person after it. Only titles that do not begin organisations' names
# ("General Motors" is why "General" is not here), and only before a run of capitalised words.
_LEADING_TITLE = re.compile(
    r"^(?:Mr|Mrs|Ms|Dr|Sir|Dame|President|Vice[- ]President|Prime Minister|Minister|Senator|"
    r"Sen|Rep|Governor|Gov|Spokesman|Spokeswoman|Spokesperson|Chairman|Chairwoman|Judge|"
    r"Chancellor|Mayor|Ambassador|Secretary)\.?\s+(?=[A-Z])"
)
_CAPITALISED_WORDS = re.compile(r"^(?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*)*$")
# A date the model ran into a name: "Government Accountability Office on June 18".
_TRAILING_DATE = re.compile(
    r"\s+(?:on|in|at|since|until)\s+(?:\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|"
    r"Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b).*$",
    re.DOTALL,
)
# Common nouns whose possessive is part of a name ("People's Republic of China").
_POSSESSIVE_IN_NAME = frozenset(
    [
        "people",
        "women",
        "children",
        "men",
        "workers",
        "veterans",
        "citizens",
        "farmers",
        "king",
        "queen",
        "st",
        "saint",
    ]
)
# Legal forms of companies, as `canonical.normalise` writes them ("N.V." is "n v").
LEGAL_FORMS = frozenset(
    ["inc", "corp", "corporation", "co", "cos", "ltd", "llc", "plc", "gmbh", "ag", "sa", "nv",
     "group", "holdings"]
)  # fmt: skip
# Final words that make a name an organisation, whatever the model thought.
ORGANISATION_DESIGNATORS = LEGAL_FORMS | frozenset(
    ["inc.", "corp.", "co.", "ltd.", "n.v.", "airlines", "airways", "aircraft", "aviation",
     "motors", "systems", "industries", "technologies", "bank", "partners", "associates",
     "ventures", "capital", "media", "entertainment", "studios", "records", "pharmaceuticals"]
)  # fmt: skip
_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# "the Brexit negotiations", "a Trump rally": one capitalised word between a determiner and a
# common noun modifies the noun. It is not a person being named (people take no article), and
# not a mention at all, as TimeML-style gold and readers count them.
_DETERMINER_BEFORE = re.compile(r"(?:^|[\s(])(?:the|a|an)\s+$", re.IGNORECASE)
_COMMON_NOUN_AFTER = re.compile(r"^\s+[a-z]")
_POSSESSIVE = re.compile(r"['’]s?(?=\s|$)")
_EDGE_JUNK = " \t\r\n\"'“”‘’«»()[]{}<>,.;:!?-–—/|*"
_UPPER = re.compile(r"[A-Z]")
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Bros|Jr|Sr|St|Mt|Ft|Dr|Mr|Mrs|Ms|Pty|Cos|Assn|Dept|Univ)"
    r"|\b[A-Z](?:\.[A-Z])+)\.$"
)
# Lines that credit a picture rather than tell the story; their names are not mentions.
_CREDIT_LINE = re.compile(
    r"^\s*(?:photo(?:graph)?s?|pictures?|images?|credit|courtesy|copyright|©)\b|©|\(c\)\s|"
    r"wikimedia commons|getty images|shutterstock|/\s*(?:ap|afp|reuters|epa|pa|dpa)\s*$",
    re.IGNORECASE,
)


def credit_line_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the lines in `text` that are photo credits or captions' credits."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if len(line.split()) <= 20 and _CREDIT_LINE.search(line):
            spans.append((offset, offset + len(line)))
        offset += len(line)
    return spans


def is_model_code(token: str) -> bool:
    return bool(_MODEL_CODE.match(token)) and not _YEAR.match(token)


def _next_word(text: str, end: int) -> tuple[int, int] | None:
    """The whitespace-delimited word right after `end` (one space away), as offsets."""
    if end >= len(text) or text[end] != " ":
        return None
    match = re.match(r"[^\s,;:()\"“”]+", text[end + 1 :])
    if match is None:
        return None
    word_end = end + 1 + match.end()
    # A sentence-final period is punctuation, not part of a model code.
    while word_end > end + 1 and text[word_end - 1] in ".'’":
        word_end -= 1
    return end + 1, word_end


def join_spans(text: str, spans: Sequence[NerSpan]) -> list[NerSpan]:
    """Repairs names the model cut in two: maker + model become one product, an institution and
    its "of/for" complement become one name."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    joined: list[NerSpan] = []
    index = 0
    while index < len(ordered):
        span = ordered[index]
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if span.label in ("ORG", "PRODUCT", "FAC"):
            word = _next_word(text, span.end)
            if word is not None and is_model_code(text[word[0] : word[1]]):
                end = word[1]
                if following is not None and following.start < end:
                    end = max(end, following.end)
                    index += 1
                joined.append(NerSpan(span.start, end, "PRODUCT"))
                index += 1
                continue
        if (
            following is not None
            and following.start == span.end + 1
            and text[span.end] == " "
            and span.label in ("ORG", "GPE")
            and following.label in ("ORG", "PRODUCT")
            and not _POSSESSIVE.search(text[span.start : span.end])
        ):
            # Two names touching are one name the model cut: "Lockheed" + "Martin", "UK" + "RAF".
            label = following.label if span.label == "GPE" else span.label
            joined.append(NerSpan(span.start, following.end, label))
            index += 2
            continue
        if (
            following is not None
            and span.label in ("GPE", "LOC")
            and following.label in ("GPE", "LOC")
            and _PLACE_QUALIFIER.match(text[span.end : following.start])
            and not _LIST_BEFORE.search(text[max(0, span.start - 6) : span.start])
            and not _LIST_AFTER.match(text[following.end : following.end + 6])
            and text[span.start : span.end].lower() not in _CONTINENTS
            and not text.startswith(("'s", "’s"), following.end)
        ):
            joined.append(NerSpan(span.start, following.end, span.label))
            index += 2
            continue
        if (
            following is not None
            and span.label in ("ORG", "FAC", "GPE")
            and _NAME_LINK.match(text[span.end : following.start])
            and text[span.start : span.end].split()[-1].lower() in _INSTITUTION_HEADS
        ):
            joined.append(NerSpan(span.start, following.end, span.label))
            index += 2
            continue
        joined.append(span)
        index += 1
    return joined


def _trim(text: str, start: int, end: int, keep_determiner: bool) -> tuple[int, int]:
    date = _TRAILING_DATE.search(text[start:end])
    if date is not None:
        end = start + date.start()
    while start < end and text[start] in _EDGE_JUNK:
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        # Keep the period of an abbreviation that is part of the name: "Apple Inc.", "U.S."
        if text[end - 1] == "." and _ABBREVIATION_END.search(text[start:end]):
            break
        end -= 1
    if not keep_determiner:
        match = _DETERMINER.match(text[start:end])
        if match is not None and match.end() < end - start:
            start += match.end()
    # A possessive ending belongs to the sentence, not the name: "Russia's" → "Russia".
    match = re.search(r"['’]s?$", text[start:end])
    if match is not None and end - start - len(match.group()) > 1:
        end -= len(match.group())
    return start, end


def _pieces(text: str, span: NerSpan) -> Iterable[tuple[int, int, float]]:
    """A span split at line breaks and possessives; the weight says whether the piece keeps
    the span's label with full trust (the first piece) or only as a guess."""
    cuts: list[tuple[int, int]] = []
    cursor = span.start
    for match in re.finditer(r"\n+", text[span.start : span.end]):
        cuts.append((cursor, span.start + match.start()))
        cursor = span.start + match.end()
    cuts.append((cursor, span.end))
    first = True
    for start, end in cuts:
        piece_start = start
        for match in _POSSESSIVE.finditer(text[start:end]):
            possessive_end = start + match.end()
            owner = _DETERMINER.sub("", text[piece_start : start + match.start()].strip()).split()
            if len(owner) == 1 and owner[0].lower() in _POSSESSIVE_IN_NAME:
                continue
            if possessive_end < end:  # something follows the possessive inside the span
                yield piece_start, start + match.start(), 1.0 if first else 0.5
                first = False
                piece_start = possessive_end
        yield piece_start, end, 1.0 if first else 0.5
        first = False


def clean_mentions(
    field: TextField,
    text: str,
    spans: Sequence[NerSpan],
    sentences: Sequence[tuple[int, int]],
    words: Sequence[Word] = (),
) -> list[Mention]:
    """Name mentions of one field from the model's spans. `sentences` are the field's sentence
    ranges, in order; `words` its tagged tokens, when the model has a tagger (they tell a name
    that modifies a noun from one that names: `name_context.py`)."""
    credits = credit_line_spans(text)
    mentions: list[Mention] = []
    for span in join_spans(text, spans):
        entity_type = SPACY_LABELS.get(span.label)
        if entity_type is None:
            continue
        for start, end, weight in _pieces(text, span):
            if any(s <= start < e for s, e in credits):
                continue
            start, end = _trim(text, start, end, keep_determiner=entity_type == "work")
            name = text[start:end]
            if not _is_name(name):
                continue
            piece_type: EntityType = entity_type
            title = (
                _LEADING_TITLE.match(name) if entity_type in ("person", "organisation") else None
            )
            if title is not None and _CAPITALISED_WORDS.match(name[title.end() :]):
                start += title.end()
                name, piece_type = text[start:end], "person"
            elif entity_type == "person" and name.split()[-1].lower() in ORGANISATION_DESIGNATORS:
                piece_type = "organisation"
            elif entity_type == "person" and _premodifier(text, start, end):
                continue
            if entity_type not in _KEPT_AS_MODIFIERS and not_a_mention(text, words, start, end):
                continue
            by_context = retyped_by_context(text, start, end, piece_type)
            if by_context != piece_type:
                # Grammar is better evidence than the label it overrules: it outvotes the
                # model's label on another mention of the same name.
                piece_type, weight = by_context, weight * CONTEXT_WEIGHT
            mentions.append(
                Mention(
                    field=field,
                    start=start,
                    end=end,
                    text=name,
                    type=piece_type,
                    sentence=sentence_index(sentences, start),
                    weight=weight,
                )
            )
    return mentions


CONTEXT_WEIGHT = 2.0
# Nationality adjectives always modify ("Russian space agency"), and titles of works and
# names of events keep their own spans: the rules about modifiers are for names.
_KEPT_AS_MODIFIERS: frozenset[EntityType] = frozenset({"nationality", "work", "event"})


def not_a_mention(text: str, words: Sequence[Word], start: int, end: int) -> bool:
    """A name used as a modifier: before the noun it modifies ("Apple CEO", "US contract") or
    inside a hyphenated adjective ("Intel-based"). The same test decides for names the model
    tagged and for occurrences recovered later (`canonical._recover_missed`)."""
    return in_hyphenated_modifier(text, start, end) or modifies_a_noun(text, words, start, end)


def retyped_by_context(text: str, start: int, end: int, entity_type: EntityType) -> EntityType:
    """The kind the name's own words or the words before it say, over the model's label."""
    name = text[start:end]
    if entity_type in ("nationality", "work"):
        return entity_type
    by_head = type_by_head(name)
    if by_head is not None:
        return by_head
    if described_as_organisation(text, start):
        return "organisation"
    if entity_type == "organisation" and named_as_a_thing(text, start, end):
        return "product"
    if entity_type == "person" and not_a_personal_name(name):
        return "product" if name[0].islower() else "organisation"
    return entity_type


def _premodifier(text: str, start: int, end: int) -> bool:
    return (
        " " not in text[start:end]
        and bool(_DETERMINER_BEFORE.search(text[max(0, start - 6) : start]))
        and bool(_COMMON_NOUN_AFTER.match(text[end : end + 3]))
    )


def _is_name(name: str) -> bool:
    """Numbers, lowercase words and non-name abbreviations are not entities."""
    if len(name) < 2 or not _UPPER.search(name):
        return False
    if not any(ch.isalpha() for ch in name):
        return False
    return re.sub(r"[^a-z]", "", name.lower()) not in NOT_NAMES


def sentence_index(sentences: Sequence[tuple[int, int]], offset: int) -> int:
    """The index of the sentence (ranges in text order) that holds `offset`; between two
    sentences, the one before; before the first, the first. (A binary search: a story in
    pieces has tens of thousands of sentences.)"""
    return max(bisect_right(sentences, (offset, math.inf)) - 1, 0)


# A sentence ends at . ! ? (and closing quotes or brackets) before a capital or a digit.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[^\W_a-z])")


def rule_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ranges without a model (languages no model reads): line breaks and sentence
    punctuation before an upper-case letter or a digit."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        ranges.append((start, match.end()))
        start = match.end()
    if start < len(text):
        ranges.append((start, len(text)))
    return split_sentences_at_lines(text, ranges)


def split_sentences_at_lines(
    text: str, sentences: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Sentence ranges with every line break a boundary too: headlines, datelines and
    paragraphs never share a sentence."""
    result: list[tuple[int, int]] = []
    for start, end in sentences:
        cursor = start
        for match in re.finditer(r"\n+", text[start:end]):
            if start + match.start() > cursor:
                result.append((cursor, start + match.start()))
            cursor = start + match.end()
        if end > cursor:
            result.append((cursor, end))
    return result
