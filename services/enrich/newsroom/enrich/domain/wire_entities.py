"""The wire's own named things, made canonical entities beside (and merged with) the model's.

A wire that names a person, organisation or place in its metadata says what it is and often
which one (a Wikidata QID, an ISO country code); that is better evidence than a statistical
model. So:
- each occurrence of the name in the text becomes a mention typed as the wire says, weighted
  to outvote the model's label (`WIRE_WEIGHT`), and clusters with the model's mentions of the
  same name (in every language, also where no model runs);
- the canonical entity then carries the wire's URIs (`same_as`) and says where it came from
  (`origin`: text, wire or both);
- a named thing the text never mentions is still an entity of the story (no mentions, no
  salience), as are the wire's IPTC subjects, which become `topic` entities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from newsroom.enrich.domain.canonical import entity_id, normalise
from newsroom.enrich.domain.mentions import Mention, sentence_index
from newsroom.enrich.domain.places import GazetteerEntry
from newsroom.shared.article import WireEntity
from newsroom.shared.events.enrichment import (
    EnrichedEntity,
    EntityOrigin,
    EntityType,
    TextField,
)

# A wire's type counts as three of the model's labels in the type vote.
WIRE_WEIGHT = 3.0
_TYPES: Mapping[str, EntityType] = {
    "person": "person",
    "organisation": "organisation",
    "place": "place",
    "event": "event",
    "topic": "topic",
    "other": "other",
}


def geonames_uri(geonames_id: int) -> str:
    return f"https://sws.geonames.org/{geonames_id}/"


def _uris(ids: Iterable[str]) -> list[str]:
    return [i for i in ids if i.startswith(("http://", "https://"))]


def with_wire_mentions(
    mentions: Sequence[Mention],
    entities: Sequence[WireEntity],
    texts: Mapping[TextField, str],
    sentences: Mapping[TextField, Sequence[tuple[int, int]]],
) -> list[Mention]:
    """The model's mentions with the wire's: a wire mention inside a longer name the model
    found is dropped ("Paris" in "Paris Saint-Germain"); a model mention inside (or equal to)
    a wire mention gives way to it, which then counts as found by both."""
    from_wire = wire_mentions(entities, texts, sentences)
    kept_wire: list[Mention] = []
    for wire in from_wire:
        inside = [
            m for m in mentions if _covers(m, wire) and (m.start, m.end) != (wire.start, wire.end)
        ]
        if not inside:
            kept_wire.append(wire)
    merged: list[Mention] = []
    for mention in mentions:
        if any(_covers(w, mention) for w in kept_wire):
            continue
        merged.append(mention)
    confirmed = [
        replace(w, origin="both") if any(_covers(w, m) for m in mentions) else w for w in kept_wire
    ]
    return [*merged, *confirmed]


def _covers(outer: Mention, inner: Mention) -> bool:
    return outer.field == inner.field and outer.start <= inner.start and inner.end <= outer.end


def wire_mentions(
    entities: Sequence[WireEntity],
    texts: Mapping[TextField, str],
    sentences: Mapping[TextField, Sequence[tuple[int, int]]],
) -> list[Mention]:
    """Every whole-word, same-case occurrence of a wire-named thing's name in the fields."""
    found: list[Mention] = []
    for entity in entities:
        if entity.type == "topic" or len(entity.name) < 2:
            continue
        pattern = re.compile(rf"(?<![\w-]){re.escape(entity.name)}(?![\w-])")
        for field, text in texts.items():
            for match in pattern.finditer(text):
                found.append(
                    Mention(
                        field=field,
                        start=match.start(),
                        end=match.end(),
                        text=match.group(),
                        type=_TYPES[entity.type],
                        sentence=sentence_index(sentences.get(field, ()), match.start()),
                        weight=WIRE_WEIGHT,
                        origin="wire",
                    )
                )
    return found


def with_wire_entities(
    entities: Sequence[tuple[EnrichedEntity, list[Mention]]], wire: Sequence[WireEntity]
) -> list[tuple[EnrichedEntity, list[Mention]]]:
    """The canonical entities with the ids of the wire entities named like them, then the wire
    entities no canonical entity took (topics among them), with no mentions."""
    by_name: dict[str, list[WireEntity]] = {}
    for thing in wire:
        by_name.setdefault(normalise(thing.name), []).append(thing)
    taken: set[int] = set()
    result: list[tuple[EnrichedEntity, list[Mention]]] = []
    for entity, mentions in entities:
        keys = {normalise(m.text) for m in mentions} | {normalise(entity.name)}
        matched = [
            t for key in keys for t in by_name.get(key, []) if t.type != "topic"
        ]  # a topic is what the story is about, not a name in it
        for thing in matched:
            taken.add(id(thing))
        from_text = any(m.origin != "wire" for m in mentions)
        origin: EntityOrigin = ("both" if from_text else "wire") if matched else "text"
        result.append((_with_ids(entity, matched, origin), mentions))
    known = {entity.id for entity, _ in result}
    for thing in wire:
        if id(thing) in taken:
            continue
        entity = _with_ids(
            EnrichedEntity(
                id=entity_id(_TYPES[thing.type], thing.name),
                name=thing.name,
                type=_TYPES[thing.type],
                mentions=[],
                mention_count=0,
                salience=0.0,
            ),
            [thing],
            "wire",
        )
        if entity.id not in known:
            known.add(entity.id)
            result.append((entity, []))
    return result


def _with_ids(
    entity: EnrichedEntity, things: Sequence[WireEntity], origin: EntityOrigin
) -> EnrichedEntity:
    same_as = list(dict.fromkeys([*entity.same_as, *(u for t in things for u in _uris(t.ids))]))
    position = next((t for t in things if t.latitude is not None and t.longitude is not None), None)
    return entity.model_copy(
        update={
            "origin": origin,
            "same_as": same_as,
            "latitude": position.latitude if position else entity.latitude,
            "longitude": position.longitude if position else entity.longitude,
        }
    )


def wire_ids_of(entity: EnrichedEntity, wire: Sequence[WireEntity]) -> list[str]:
    """All ids (URIs and codes) the wire gives for things named like `entity`."""
    names = {normalise(entity.name)} | {normalise(m.text) for m in entity.mentions}
    return [i for t in wire if normalise(t.name) in names for i in t.ids]


def on_the_map(entity: EnrichedEntity, feature: GazetteerEntry) -> EnrichedEntity:
    """A place with its GeoNames feature: id, URI and (unless the wire gave a position)
    coordinates."""
    keep_position = entity.latitude is not None and entity.longitude is not None
    return entity.model_copy(
        update={
            "geonames_id": feature.geonames_id,
            "same_as": list(dict.fromkeys([*entity.same_as, geonames_uri(feature.geonames_id)])),
            "latitude": entity.latitude if keep_position else feature.latitude,
            "longitude": entity.longitude if keep_position else feature.longitude,
        }
    )
