"""The seed story through the real pinned model: the entities an editor expects."""

from __future__ import annotations

from collections import Counter

from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.domain.canonical import normalise
from newsroom.enrich.domain.enrichment import ArticleTexts

PEOPLE = {
    "Klim Shipenko",
    "Yulia Peresild",
    "Elon Musk",
    "Tom Cruise",
    "Doug Liman",
    "Anton Shkaplerov",
    "Konstantin Ernst",
    "Jared Isaacman",
}
ORGANISATIONS = {"NASA", "Roscosmos", "SpaceX", "Channel One", "Variety"}
PLACES = {"Moscow", "Russia"}


def test_people_organisations_and_places_are_found_with_their_types(
    enricher: Enricher, seed_texts: ArticleTexts
) -> None:
    entities = enricher.enrich(seed_texts).entities
    by_type: dict[str, set[str]] = {}
    for entity in entities:
        by_type.setdefault(entity.type, set()).add(entity.name)
    assert by_type["person"] == PEOPLE
    assert by_type["organisation"] >= ORGANISATIONS
    assert by_type["place"] >= PLACES
    assert not (PEOPLE | ORGANISATIONS) & by_type["place"]


def test_no_entity_is_listed_twice(enricher: Enricher, seed_texts: ArticleTexts) -> None:
    entities = enricher.enrich(seed_texts).entities
    assert len({e.id for e in entities}) == len(entities)
    names = Counter(normalise(e.name) for e in entities)
    assert [name for name, count in names.items() if count > 1] == []
    # A surname is never an entity of its own beside its full name.
    surnames = {name.split()[-1].lower() for name in PEOPLE}
    assert not {normalise(e.name) for e in entities} & surnames


def test_mentions_merge_with_offsets_into_their_fields(
    enricher: Enricher, seed_texts: ArticleTexts
) -> None:
    entities = {e.id: e for e in enricher.enrich(seed_texts).entities}
    peresild = entities["person/yulia-peresild"]
    assert {m.text for m in peresild.mentions} == {"Yulia Peresild", "Peresild"}
    assert peresild.mention_count == len(peresild.mentions) == 3
    musk = entities["person/elon-musk"]
    assert {m.field for m in musk.mentions} == {"standfirst", "body"}
    texts = {
        "headline": seed_texts.headline,
        "standfirst": seed_texts.standfirst,
        "body": seed_texts.body,
    }
    for entity in entities.values():
        for mention in entity.mentions:
            assert texts[mention.field][mention.start : mention.end] == mention.text
    # The acronym joins its expansion, without the determiner.
    # A facility, whatever the model's majority label: its head noun ("Station") says so.
    station = entities["place/international-space-station"]
    assert {m.text for m in station.mentions} == {"International Space Station", "ISS"}


def test_the_story_s_subjects_are_more_salient_than_passing_mentions(
    enricher: Enricher, seed_texts: ArticleTexts
) -> None:
    salience = {e.id: e.salience for e in enricher.enrich(seed_texts).entities}
    assert (
        salience["place/russia"] > salience["person/jared-isaacman"]
    )  # headline vs once in the body
    assert salience["person/klim-shipenko"] > salience["person/doug-liman"]


def test_timeline_entries_name_the_entities_of_their_sentence(
    enricher: Enricher, seed_texts: ArticleTexts
) -> None:
    result = enricher.enrich(seed_texts)
    known = {e.id for e in result.entities}
    for entry in result.timeline:
        assert entry.sentence
        assert entry.text in entry.sentence
        assert set(entry.entity_ids) <= known
        texts = {
            "headline": seed_texts.headline,
            "standfirst": seed_texts.standfirst,
            "body": seed_texts.body,
        }
        sentence_start = texts[entry.field].index(entry.sentence)
        first_mentions = []
        for entity_id in entry.entity_ids:
            entity = next(e for e in result.entities if e.id == entity_id)
            inside = [
                m.start
                for m in entity.mentions
                if m.field == entry.field
                and sentence_start <= m.start < sentence_start + len(entry.sentence)
            ]
            assert inside, f"{entity_id} is not named in {entry.sentence!r}"
            first_mentions.append(min(inside))
        assert first_mentions == sorted(first_mentions)  # in the order the sentence names them
    # Durations and ages are never timeline dates.
    assert not {e.text for e in result.timeline} & {"12-day", "36-year-old", "three-day"}
