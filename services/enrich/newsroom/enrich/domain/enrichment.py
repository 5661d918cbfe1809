"""Enrichment of one article as a pure function of its texts, their analysis and its dateline.

The model runs elsewhere (adapters/nlp.py); what it found arrives here as `ParsedField`s, so
the worker, the CLI and the tests all call the same code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from newsroom.enrich.domain.canonical import canonical_entities, normalise
from newsroom.enrich.domain.casing import shouted
from newsroom.enrich.domain.labels import TEMPORAL_LABELS
from newsroom.enrich.domain.language import DEFAULT_LANGUAGE
from newsroom.enrich.domain.mentions import Mention, NerSpan, clean_mentions, sentence_index
from newsroom.enrich.domain.name_context import Word
from newsroom.enrich.domain.pieces import piece_ranges
from newsroom.enrich.domain.places import Gazetteer, PlaceToLink, link_places
from newsroom.enrich.domain.timeline import Timex, find_timexes
from newsroom.enrich.domain.wire_entities import (
    on_the_map,
    wire_ids_of,
    with_wire_entities,
    with_wire_mentions,
)
from newsroom.shared.article import WireEntity
from newsroom.shared.events.enrichment import (
    EnrichedEntity,
    LanguageSource,
    TextField,
    TimelineEntry,
)

FIELDS: tuple[TextField, ...] = ("headline", "standfirst", "body")

# What one enriched event holds at most, so its size (and render's pages and API answers,
# which follow from it) stays bounded however long the story: the most salient entities,
# each entity's first mentions (pages link those; `mention_count` keeps the true number),
# the first timeline entries, and sentences (a list or a table can be one) cut around the date.
# An ordinary story is far below each: the seed story has 21 entities, at most 5 mentions
# each, 7 timeline entries.
MAX_ENTITIES: Final = 100
MAX_MENTIONS_KEPT: Final = 20
MAX_TIMELINE_ENTRIES: Final = 100
SENTENCE_CHARS: Final = 400
TIMELINE_PIECE_CHARS: Final = 50_000


@dataclass(frozen=True)
class ArticleTexts:
    """What is enriched: the plain text of each field and the dateline relative dates are
    read against (`firstcreated`, else `versioncreated`)."""

    headline: str
    standfirst: str
    body: str
    dateline: date
    # The language the wire declares (BCP 47), or the one asked for with `requested`.
    language: str | None = None
    language_requested: bool = False
    # The dateline's place, which places in the story are disambiguated against.
    place: str | None = None
    # The people, organisations, places and topics the wire names itself.
    wire_entities: tuple[WireEntity, ...] = ()

    def fields(self) -> list[tuple[TextField, str]]:
        texts: dict[TextField, str] = {
            "headline": self.headline,
            "standfirst": self.standfirst,
            "body": self.body,
        }
        return [(name, texts[name]) for name in FIELDS if texts[name].strip()]


@dataclass(frozen=True)
class ParsedField:
    """The model's reading of one field: named-entity spans and sentence ranges."""

    text: str
    spans: Sequence[NerSpan]
    sentences: Sequence[tuple[int, int]]
    # Tagged tokens, when the model has a tagger (English): they tell modifiers from names.
    words: Sequence[Word] = ()


@dataclass(frozen=True)
class FieldTimex:
    field: TextField
    timex: Timex


@dataclass(frozen=True)
class Reading:
    """How an article was read: its language, how that was decided, and whether a
    named-entity model read it (`ner` False: none exists for the language, so only the wire's
    named things are entities) and which (`model` None: the default pipeline)."""

    language: str = DEFAULT_LANGUAGE
    source: LanguageSource = "default"
    ner: bool = True
    model: str | None = None


@dataclass(frozen=True)
class EnrichmentResult:
    entities: list[EnrichedEntity]
    # Every mention with its canonical entity's type and id, in text order per field.
    mentions: list[tuple[str, Mention]]
    timexes: list[FieldTimex]
    timeline: list[TimelineEntry] = field(default_factory=list)
    reading: Reading = field(default_factory=Reading)


def enrich_parsed(
    article: ArticleTexts,
    parsed: Mapping[TextField, ParsedField],
    reading: Reading | None = None,
    gazetteer: Gazetteer | None = None,
) -> EnrichmentResult:
    """Entities (the model's spans, merged with the wire's named things; places linked to
    GeoNames when a gazetteer is given) and the timeline, in `reading.language`."""
    reading = reading or Reading()
    texts = {name: p.text for name, p in parsed.items()}
    sentences = {name: p.sentences for name, p in parsed.items()}
    words = {name: p.words for name, p in parsed.items()}
    mentions: list[Mention] = []
    for name, p in parsed.items():
        mentions.extend(clean_mentions(name, p.text, p.spans, p.sentences, p.words))
    mentions = with_wire_mentions(
        _confirmed_in_plain_text(mentions, texts), article.wire_entities, texts, sentences
    )
    entities_with_mentions = with_wire_entities(
        canonical_entities(mentions, texts, sentences, words), article.wire_entities
    )
    if gazetteer is not None:
        entities_with_mentions = _on_the_map(entities_with_mentions, article, gazetteer)

    by_salience = sorted(entities_with_mentions, key=lambda pair: -pair[0].salience)
    kept = {entity.id for entity, _ in by_salience[:MAX_ENTITIES]}
    entities_with_mentions = [pair for pair in entities_with_mentions if pair[0].id in kept]
    flat = [(entity.id, mention) for entity, typed in entities_with_mentions for mention in typed]
    flat.sort(key=lambda pair: (FIELDS.index(pair[1].field), pair[1].start))
    # Which entities each sentence names, in the order it names them, for the timeline.
    named_in: dict[tuple[TextField, int], list[str]] = {}
    for entity_id, mention in flat:
        ids = named_in.setdefault((mention.field, mention.sentence), [])
        if entity_id not in ids:
            ids.append(entity_id)

    timexes: list[FieldTimex] = []
    timeline: list[TimelineEntry] = []
    for name, p in parsed.items():
        for timex in _timexes(p, article.dateline, reading.language):
            timexes.append(FieldTimex(name, timex))
            if timex.type not in ("DATE", "TIME") or timex.granularity is None:
                continue
            if len(timeline) >= MAX_TIMELINE_ENTRIES:
                continue
            index = sentence_index(p.sentences, timex.start)
            start, end = p.sentences[index] if p.sentences else (0, len(p.text))
            timeline.append(
                TimelineEntry(
                    value=timex.value,
                    type=timex.type,
                    granularity=timex.granularity,
                    mod=timex.mod,
                    text=timex.text,
                    field=name,
                    start=timex.start,
                    end=timex.end,
                    sentence=excerpt(p.text, start, end, timex.start, timex.end),
                    entity_ids=named_in.get((name, index), []),
                )
            )
    return EnrichmentResult(
        entities=[_bounded(entity) for entity, _ in entities_with_mentions],
        mentions=flat,
        timexes=timexes,
        timeline=timeline,
        reading=reading,
    )


def _timexes(parsed: ParsedField, dateline: date, language: str) -> list[Timex]:
    """The field's temporal expressions, read a piece of `TIMELINE_PIECE_CHARS` at a time
    (the finder compares expressions pairwise, so a story in one piece of millions of
    characters would take hours); ordinary stories are one piece."""
    found: list[Timex] = []
    hints = [(s.start, s.end) for s in parsed.spans if s.label in TEMPORAL_LABELS]
    for start, end in piece_ranges(parsed.text, TIMELINE_PIECE_CHARS):
        inside = [(s - start, e - start) for s, e in hints if start <= s and e <= end]
        for timex in find_timexes(parsed.text[start:end], dateline, inside, language):
            found.append(replace(timex, start=timex.start + start, end=timex.end + start))
    return found


def excerpt(text: str, start: int, end: int, focus_start: int, focus_end: int) -> str:
    """The sentence `text[start:end]`, stripped; one longer than `SENTENCE_CHARS` (a list, a
    table, a text without punctuation) cut to that many characters around the focus, at
    spaces, so it is still a piece of the text itself."""
    sentence_start, sentence_end = start, end
    if end - start > SENTENCE_CHARS:
        room = max(SENTENCE_CHARS - (focus_end - focus_start), 0) // 2
        start = max(start, focus_start - room)
        end = min(end, focus_end + room)
        if start > sentence_start:
            space = text.find(" ", start, focus_start)
            start = space + 1 if space >= 0 else start
        if end < sentence_end:
            space = text.rfind(" ", focus_end, end)
            end = space if space >= 0 else end
    return text[start:end].strip()


def _bounded(entity: EnrichedEntity) -> EnrichedEntity:
    """At most `MAX_MENTIONS_KEPT` mentions (the first, headline first); `mention_count`
    stays the true count."""
    if len(entity.mentions) <= MAX_MENTIONS_KEPT:
        return entity
    return entity.model_copy(update={"mentions": entity.mentions[:MAX_MENTIONS_KEPT]})


def _confirmed_in_plain_text(
    mentions: list[Mention], texts: Mapping[TextField, str]
) -> list[Mention]:
    """A field in capitals is read by the model in ordinary case (`casing.py`), but the case it
    guessed can still make a verb or a common noun a name ("WARNS", "BREXIT TALKS"). A name
    found there counts only if the story's ordinary text names it too; the names it does
    name are found in the capitals again by `canonical._recover_missed`."""
    shouting = {name for name, text in texts.items() if shouted(text)}
    if not shouting:
        return mentions
    plain = {normalise(m.text) for m in mentions if m.field not in shouting}
    return [m for m in mentions if m.field not in shouting or normalise(m.text) in plain]


def _on_the_map(
    entities: list[tuple[EnrichedEntity, list[Mention]]],
    article: ArticleTexts,
    gazetteer: Gazetteer,
) -> list[tuple[EnrichedEntity, list[Mention]]]:
    places = [
        PlaceToLink(entity.id, entity.name, wire_ids_of(entity, article.wire_entities))
        for entity, _ in entities
        if entity.type == "place"
    ]
    linked = link_places(places, article.place, gazetteer)
    return [
        (on_the_map(entity, linked[entity.id]) if entity.id in linked else entity, mentions)
        for entity, mentions in entities
    ]
