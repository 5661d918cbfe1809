"""Canonical entities of one article: every mention of one thing merged into one entity.

Within-article, without a knowledge base:
1. The longest names come first and become heads.
2. A shorter mention joins a head when it is the same name (case, quotes, punctuation and a
   leading "the" aside); a surname or first name of a person ("Peresild" → "Yulia Peresild");
   or an acronym of a non-person name ("ISS" → "International Space Station", also when the
   text introduces it in brackets: "United States Air Force (USAF)"). A short name that fits two
   heads ("Smith" with "Kate Smith" and "John Smith") stays on its own.
3. Surnames and acronyms the model missed are recovered from the text ("Ernst tells Variety").
4. The type is a vote of the mentions' types (weighted): the model's labels, or what the
   words around a mention say over them (`name_context.py`: head nouns, descriptors,
   articles, inner capitals). A "person" the words around it contradict ("low-cost airline
   Ryanair", "Ryanair CEO") and never given a full name becomes an organisation: the small
   model often reads one-word company names as surnames. No name is typed from a list.
5. Ids are type + normalised display name (`person/yulia-peresild`), stable across articles;
   the display name is the fullest form.
6. Salience: mentions weighted by where they are (headline 3, standfirst 2, the body's lead
   1.5, the rest 1), as a share of the article's total.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from slugify import slugify

from newsroom.enrich.domain.mentions import (
    LEGAL_FORMS,
    Mention,
    credit_line_spans,
    not_a_mention,
    sentence_index,
)
from newsroom.enrich.domain.name_context import ORGANISATION_DESCRIPTORS, Word
from newsroom.shared.events.enrichment import EnrichedEntity, EntityMention, EntityType, TextField

FIELD_WEIGHTS: Mapping[TextField, float] = {"headline": 3.0, "standfirst": 2.0, "body": 1.0}
LEAD_WEIGHT = 1.5
LEAD_SENTENCES = 2  # the body's first sentences count as its lead

# Words next to a name that say what it is: titles before a person; an organisation's kind
# before it, or its people and property after it.
_PERSON_BEFORE = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "dame",
        "president",
        "minister",
        "senator",
        "governor",
        "ceo",
        "chief",
        "executive",
        "founder",
        "co-founder",
        "director",
        "chairman",
        "chairwoman",
        "spokesman",
        "spokeswoman",
        "actor",
        "actress",
        "singer",
        "player",
        "coach",
        "analyst",
        "boss",
        "head",
    ]
)
_ORGANISATION_AFTER = frozenset(
    [
        "ceo",
        "chief",
        "executive",
        "executives",
        "spokesman",
        "spokeswoman",
        "shares",
        "board",
        "employees",
        "customers",
        "orders",
        "subsidiary",
        "chairman",
    ]
)
_CONTEXT_WORDS = 3

_CONNECTORS = frozenset({"of", "the", "and", "for", "&", "de", "du", "la", "le", "von", "van"})
_ACRONYM = re.compile(r"^(?:[A-Z]\.){2,6}$|^[A-Z]{2,6}s?$")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@lru_cache(maxsize=16384)
def normalise(name: str) -> str:
    """The comparison key of a name: case, accents, quotes, punctuation and a leading
    determiner do not tell two names apart. (Cached: clustering compares every pair of names.)"""
    text = unicodedata.normalize("NFKD", name.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"^(?:the|a|an)\s+", "", text)
    text = re.sub(r"[^\w&]+", " ", text)
    return " ".join(text.split())


def _words(name: str) -> list[str]:
    return normalise(name).split()


def initials(name: str) -> str:
    """ "International Space Station" → "ISS"; connectors ("of", "and") are skipped."""
    words = [w for w in re.split(r"[\s-]+", name.translate(_QUOTES)) if w]
    letters = [w[0] for w in words if w.lower() not in _CONNECTORS and w[0].isalpha()]
    return "".join(letters).upper()


def acronym_key(name: str) -> str | None:
    """ "U.S." → "US", "NASA" → "NASA", "ISSs" → None (plural acronyms are not names)."""
    stripped = name.strip()
    if not _ACRONYM.match(stripped):
        return None
    key = stripped.replace(".", "")
    return key[:-1] if key.endswith("s") and not key.isupper() else key


@dataclass
class _Cluster:
    head: Mention
    mentions: list[Mention] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    def votes(self) -> Counter[EntityType]:
        tally: Counter[EntityType] = Counter()
        for mention in self.mentions:
            tally[mention.type] += mention.weight  # type: ignore[assignment]
        return tally

    def has_person_evidence(self) -> bool:
        return any(m.type == "person" for m in self.mentions)

    def entity_type(self) -> EntityType:
        tally = self.votes()
        best = max(tally.values())
        tied = [t for t, v in tally.items() if v == best]
        # A tie goes to the head's own label: the fullest form is the best evidence.
        return self.head.type if self.head.type in tied else sorted(tied)[0]


def _without_designators(key: str) -> str:
    words = key.split()
    while len(words) > 1 and words[-1] in _DESIGNATORS:
        words.pop()
    return " ".join(words)


# Legal forms a company is also named without ("Apple Inc." is "Apple"; "N.V." normalises
# to "n v").
_DESIGNATORS = LEGAL_FORMS | {"n", "v"}


def _token_count(mention: Mention) -> int:
    return len(_words(mention.text))


def _person_candidates(mention: Mention, clusters: Sequence[_Cluster]) -> list[_Cluster]:
    words = _words(mention.text)
    found: list[_Cluster] = []
    for cluster in clusters:
        head_words = _words(cluster.head.text)
        if len(head_words) <= len(words):
            continue
        if not (mention.type == "person" or cluster.has_person_evidence()):
            continue
        is_surname = head_words[-len(words) :] == words
        is_first_name = len(words) == 1 and head_words[0] == words[0]
        if is_surname or is_first_name:
            found.append(cluster)
    return found


def _acronym_candidates(
    mention: Mention, clusters: Sequence[_Cluster], bracketed: Mapping[str, _Cluster]
) -> list[_Cluster]:
    key = acronym_key(mention.text)
    if key is None:
        return []
    if key in bracketed:
        return [bracketed[key]]
    return [
        c
        for c in clusters
        if not c.has_person_evidence()
        and len(_words(c.head.text)) >= 2
        and initials(c.head.text) == key
    ]


def _bracketed_acronyms(
    texts: Mapping[TextField, str], clusters: Sequence[_Cluster]
) -> dict[str, _Cluster]:
    """Acronyms the text defines: "United States Air Force (USAF)"."""
    found: dict[str, _Cluster] = {}
    for cluster in clusters:
        for mention in cluster.mentions:
            text = texts.get(mention.field, "")
            match = re.match(r"\s*\(([A-Z][A-Z.&]{1,9})\)", text[mention.end : mention.end + 14])
            if match:
                key = match.group(1).replace(".", "")
                found.setdefault(key, cluster)
    return found


Sentences = Mapping[TextField, Sequence[tuple[int, int]]]
Words = Mapping[TextField, Sequence[Word]]


def cluster_mentions(
    mentions: Sequence[Mention],
    texts: Mapping[TextField, str],
    sentences: Sentences,
    words: Words | None = None,
) -> list[list[Mention]]:
    """Groups mentions of one thing; see the module docstring for the rules."""
    ordered = sorted(mentions, key=lambda m: (-_token_count(m), -len(m.text), m.field, m.start))
    clusters: list[_Cluster] = []
    by_key: dict[str, _Cluster] = {}
    pending_acronyms: list[Mention] = []
    for mention in ordered:
        key = normalise(mention.text)
        if key in by_key:
            by_key[key].mentions.append(mention)
            continue
        if acronym_key(mention.text) is not None:
            # Acronyms wait until every expansion is known (they are short, so sort last).
            pending_acronyms.append(mention)
            continue
        candidates = _person_candidates(mention, clusters)
        if len(candidates) == 1:
            candidates[0].mentions.append(mention)
            candidates[0].keys.add(key)
            by_key[key] = candidates[0]
            continue
        cluster = _Cluster(head=mention, mentions=[mention], keys={key})
        clusters.append(cluster)
        if not candidates:  # an ambiguous surname keys nothing: the next "Smith" is ambiguous too
            by_key[key] = cluster
            # "Apple" is "Apple Inc.": a company is named without its legal designator too.
            core = _without_designators(key)
            if mention.type != "person" and core != key:
                by_key.setdefault(core, cluster)
    bracketed = _bracketed_acronyms(texts, clusters)
    for mention in pending_acronyms:
        key = normalise(mention.text)
        if key in by_key:
            by_key[key].mentions.append(mention)
            continue
        candidates = _acronym_candidates(mention, clusters, bracketed)
        if len(candidates) == 1:
            target = candidates[0]
            target.mentions.append(mention)
        else:
            target = _Cluster(head=mention, mentions=[mention])
            clusters.append(target)
        target.keys.add(key)
        by_key[key] = target
    _recover_missed(clusters, texts, sentences, words or {})
    return [sorted(c.mentions, key=_position) for c in clusters]


def _position(mention: Mention) -> tuple[int, int]:
    return (list(FIELD_WEIGHTS).index(mention.field), mention.start)


def _recover_missed(
    clusters: list[_Cluster], texts: Mapping[TextField, str], sentences: Sentences, tagged: Words
) -> None:
    """Adds occurrences the model did not tag of surnames of people and of multi-word names and
    acronyms already found: "Ernst tells Variety" after "Konstantin Ernst"."""
    # Characters already named (or in credit lines, which name nothing), per field.
    taken = {field_name: bytearray(len(text)) for field_name, text in texts.items()}

    def take(field_name: TextField, start: int, end: int) -> None:
        taken[field_name][start:end] = b"\x01" * (end - start)

    for field_name, text in texts.items():
        for start, end in credit_line_spans(text):
            take(field_name, start, end)
    for cluster in clusters:
        for mention in cluster.mentions:
            if mention.field in taken:
                take(mention.field, mention.start, mention.end)
    surname_owners: Counter[str] = Counter()
    for cluster in clusters:
        words = cluster.head.text.split()
        if cluster.has_person_evidence() and len(words) >= 2:
            surname_owners[words[-1]] += 1
    for cluster in clusters:
        forms = {
            m.text for m in cluster.mentions if len(m.text.split()) >= 2 or acronym_key(m.text)
        }
        words = cluster.head.text.split()
        if cluster.has_person_evidence() and len(words) >= 2 and surname_owners[words[-1]] == 1:
            forms.add(words[-1])
        template = cluster.head
        for form in forms:
            if len(form) < 2:
                continue
            pattern = re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])")
            for field_name, text in texts.items():
                for match in pattern.finditer(text):
                    start, end = match.span()
                    if any(taken[field_name][start:end]):
                        continue
                    if _inside_longer_name(text, start, end) or not_a_mention(
                        text, tagged.get(field_name, ()), start, end
                    ):
                        continue
                    cluster.mentions.append(
                        replace(
                            template,
                            field=field_name,
                            start=start,
                            end=end,
                            text=text[start:end],
                            sentence=sentence_index(sentences.get(field_name, ()), start),
                            weight=0.5,
                        )
                    )
                    take(field_name, start, end)


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """True when a capitalised word touches the match: it is part of another name."""
    before = re.search(r"([A-Z][\w'’-]*)[ \t]$", text[max(0, start - 30) : start])
    after = re.match(r"[ \t]([A-Z][\w-]*)", text[end : end + 30])
    return bool(before) or bool(after)


def _context_says_organisation(mentions: Sequence[Mention], texts: Mapping[TextField, str]) -> bool:
    person = organisation = 0
    for mention in mentions:
        text = texts.get(mention.field, "")
        before = re.findall(r"[\w-]+", text[max(0, mention.start - 60) : mention.start].lower())
        after = re.findall(r"[\w-]+", text[mention.end : mention.end + 60].lower())
        before, after = before[-_CONTEXT_WORDS:], after[:_CONTEXT_WORDS]
        person += sum(w in _PERSON_BEFORE for w in before)
        organisation += sum(w in ORGANISATION_DESCRIPTORS for w in before)
        organisation += sum(w in _ORGANISATION_AFTER for w in after[:1])
    return organisation > person


# "the Hang Seng index", "the Nasdaq composite", "the Dow Jones Industrial Average": a market
# index is neither the exchange nor the company that publishes it.
_INDEX_WORDS = frozenset({"index", "indexes", "indices", "average", "composite"})


def _names_an_index(mentions: Sequence[Mention], texts: Mapping[TextField, str]) -> bool:
    for mention in mentions:
        if mention.text.split()[-1].lower() in _INDEX_WORDS:
            return True
        after = re.match(
            r"\s+(?:industrial\s+)?([a-z]+)\b", texts.get(mention.field, "")[mention.end :]
        )
        if after is not None and after.group(1) in _INDEX_WORDS:
            return True
    return False


def _shouted(text: str) -> bool:
    """Capitals as typography: all upper case, with a word too long to be an acronym."""
    return text.isupper() and any(len(word) > 5 for word in re.findall(r"[^\W\d_]+", text))


# An article in lower case before a name is the sentence's, never the name's ("the
# Organisation of the Petroleum Exporting Countries"); one in capitals may be the name's
# ("The Hague", "The Guardian") or the sentence's start.
_SENTENCE_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\S)")
_CAPITAL_ARTICLE = re.compile(r"^(?:The|THE)\s+(?=\S)")


def without_leading_article(name: str, forms: Sequence[str] = ()) -> str:
    """`name` without an article that belongs to the sentence: always a lower-case one; a
    capital "The" when another form of the name goes without it or has it in lower case
    (the capital was the sentence's start)."""
    if _SENTENCE_ARTICLE.match(name):
        return _SENTENCE_ARTICLE.sub("", name)
    if _CAPITAL_ARTICLE.match(name):
        bare = _CAPITAL_ARTICLE.sub("", name)
        if any(form.lower() == bare.lower() or _SENTENCE_ARTICLE.match(form) for form in forms):
            return bare
    return name


def display_name(mentions: Sequence[Mention]) -> str:
    """The fullest form: most words, then most characters, then most frequent; a form in
    capitals only when there is no other; without an article that is the sentence's."""
    counts = Counter(m.text for m in mentions)
    # A dateline's capitals ("WASHINGTON") are typography, not the name's spelling; an acronym
    # ("FTSE 100", "NASA", "ANSA") is the spelling.
    readable = [t for t in counts if not _shouted(t)]
    if not readable:
        shown = max(counts, key=lambda t: (len(t.split()), len(t), counts[t], t)).title()
    else:
        shown = max(readable, key=lambda t: (len(t.split()), len(t), counts[t], t))
    return without_leading_article(shown, list(counts))


def entity_id(entity_type: EntityType, name: str) -> str:
    return f"{entity_type}/{slugify(name.translate(_QUOTES)) or 'unnamed'}"


def mention_weight(mention: Mention) -> float:
    if mention.field == "body" and 0 <= mention.sentence < LEAD_SENTENCES:
        return LEAD_WEIGHT
    return FIELD_WEIGHTS[mention.field]


def canonical_entities(
    mentions: Sequence[Mention],
    texts: Mapping[TextField, str],
    sentences: Sentences,
    words: Words | None = None,
) -> list[tuple[EnrichedEntity, list[Mention]]]:
    """Canonical entities, most salient first, each with its typed mentions."""
    groups = cluster_mentions(mentions, texts, sentences, words)
    scored: list[tuple[str, EntityType, list[Mention], float]] = []
    for group in groups:
        cluster = _Cluster(head=max(group, key=lambda m: (_token_count(m), len(m.text))))
        cluster.mentions = list(group)
        cluster.keys = {normalise(m.text) for m in group}
        entity_type = cluster.entity_type()
        if (
            entity_type == "person"
            # A full name (first name and surname) outweighs the words around it.
            and all(len(m.text.split()) == 1 for m in group)
            and _context_says_organisation(group, texts)
        ):
            entity_type = "organisation"
        if _names_an_index(group, texts):
            entity_type = "other"
        name = display_name([m for m in group if m.weight >= 1.0] or group)
        typed = [replace(m, type=entity_type) for m in group]
        scored.append((name, entity_type, typed, sum(mention_weight(m) for m in group)))
    # Two clusters can end with one id (e.g. "US" unlinked and "U.S."): merge them.
    merged: dict[str, tuple[str, EntityType, list[Mention], float]] = {}
    for name, entity_type, typed, score in scored:
        key = entity_id(entity_type, name)
        if key in merged:
            old = merged[key]
            merged[key] = (
                old[0],
                entity_type,
                sorted([*old[2], *typed], key=_position),
                old[3] + score,
            )
        else:
            merged[key] = (name, entity_type, typed, score)
    total = sum(v[3] for v in merged.values()) or 1.0
    result = [
        (
            EnrichedEntity(
                id=key,
                name=name,
                type=entity_type,
                mentions=[
                    EntityMention(field=m.field, start=m.start, end=m.end, text=m.text)
                    for m in typed
                ],
                mention_count=len(typed),
                salience=round(score / total, 4),
            ),
            typed,
        )
        for key, (name, entity_type, typed, score) in merged.items()
    ]
    result.sort(key=lambda pair: (-pair[0].salience, pair[0].id))
    return result
