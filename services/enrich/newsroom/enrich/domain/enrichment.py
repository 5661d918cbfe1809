"""Enrichment of one article as a pure function of its texts, their analysis and its dateline.

The model runs elsewhere (adapters/nlp.py); what it found arrives here as `ParsedField`s, so
the worker, the CLI and the tests all call the same code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from newsroom.enrich.domain.canonical import canonical_entities, normalise
from newsroom.enrich.domain.casing import shouted
from newsroom.enrich.domain.labels import TEMPORAL_LABELS
from newsroom.enrich.domain.language import DEFAULT_LANGUAGE
from newsroom.enrich.domain.mentions import Mention, NerSpan, clean_mentions, sentence_index
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
    mentions: list[Mention] = []
    for name, p in parsed.items():
        mentions.extend(clean_mentions(name, p.text, p.spans, p.sentences))
    mentions = with_wire_mentions(
        _confirmed_in_plain_text(mentions, texts), article.wire_entities, texts, sentences
    )
    entities_with_mentions = with_wire_entities(
        canonical_entities(mentions, texts, sentences), article.wire_entities
    )
    if gazetteer is not None:
        entities_with_mentions = _on_the_map(entities_with_mentions, article, gazetteer)

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
        hints = [(s.start, s.end) for s in p.spans if s.label in TEMPORAL_LABELS]
        for timex in find_timexes(p.text, article.dateline, hints, reading.language):
            timexes.append(FieldTimex(name, timex))
            if timex.type not in ("DATE", "TIME") or timex.granularity is None:
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
                    sentence=p.text[start:end].strip(),
                    entity_ids=named_in.get((name, index), []),
                )
            )
    return EnrichmentResult(
        entities=[entity for entity, _ in entities_with_mentions],
        mentions=flat,
        timexes=timexes,
        timeline=timeline,
        reading=reading,
    )


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
