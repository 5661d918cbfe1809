"""The wire's named things as canonical entities: their ids kept, merged by name with the
model's, typed as the wire says, in every language; IPTC subjects as topics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.domain.enrichment import ArticleTexts, ParsedField, Reading, enrich_parsed
from newsroom.enrich.domain.mentions import NerSpan, rule_sentences
from newsroom.shared.article import WireEntity
from newsroom.shared.events.enrichment import EnrichedEntity

SCHETTINO = "http://www.wikidata.org/entity/Q4421821"
TRAVEL = "http://cv.iptc.org/newscodes/mediatopic/20000574"
BODY = "Francesco Schettino told the court in Grosseto he was innocent. Schettino left."


def enriched(
    wire: tuple[WireEntity, ...], spans: list[NerSpan], language: str = "en"
) -> list[EnrichedEntity]:
    article = ArticleTexts(
        headline="", standfirst="", body=BODY, dateline=date(2013, 7, 9), wire_entities=wire
    )
    parsed = {"body": ParsedField(BODY, spans, rule_sentences(BODY))}
    reading = Reading(language, "wire", ner=bool(spans))
    return enrich_parsed(article, parsed, reading).entities


def by_name(entities: list[EnrichedEntity]) -> dict[str, EnrichedEntity]:
    return {e.name: e for e in entities}


def test_a_wire_person_merges_with_the_models_mentions_and_keeps_its_id() -> None:
    # The model calls him an organisation; the wire says person, with his Wikidata id.
    wire = (WireEntity(name="Francesco Schettino", type="person", ids=[SCHETTINO]),)
    entities = by_name(enriched(wire, [NerSpan(0, 19, "ORG"), NerSpan(38, 46, "GPE")]))
    schettino = entities["Francesco Schettino"]
    assert (schettino.id, schettino.type, schettino.origin) == (
        "person/francesco-schettino",
        "person",
        "both",
    )
    assert schettino.same_as == [SCHETTINO]
    assert [m.text for m in schettino.mentions] == ["Francesco Schettino", "Schettino"]
    assert entities["Grosseto"].origin == "text"


def test_where_no_model_runs_the_wires_names_are_found_in_the_text() -> None:
    wire = (WireEntity(name="Francesco Schettino", type="person", ids=[SCHETTINO]),)
    entities = by_name(enriched(wire, [], language="it"))
    assert list(entities) == ["Francesco Schettino"]
    assert entities["Francesco Schettino"].origin == "wire"
    assert entities["Francesco Schettino"].mention_count == 2  # the surname found again


def test_topics_and_unmentioned_things_are_entities_without_mentions() -> None:
    wire = (
        WireEntity(name="travel", type="topic", ids=[TRAVEL, "medtop:20000574"]),
        WireEntity(name="Costa Crociere SpA", type="organisation"),
    )
    entities = by_name(enriched(wire, [NerSpan(0, 19, "PERSON")]))
    topic = entities["travel"]
    assert (topic.id, topic.type, topic.mention_count, topic.salience) == (
        "topic/travel",
        "topic",
        0,
        0.0,
    )
    assert topic.same_as == [TRAVEL]  # URIs only: a qcode is no link
    costa = entities["Costa Crociere SpA"]
    assert (costa.type, costa.origin, costa.mentions) == ("organisation", "wire", [])
    # The text's entities come first: they are what the story names.
    assert next(iter(entities)) == "Francesco Schettino"


def test_a_wire_position_is_kept_on_the_place() -> None:
    wire = (WireEntity(name="Grosseto", type="place", latitude=42.76, longitude=11.11),)
    grosseto = by_name(enriched(wire, []))["Grosseto"]
    assert (grosseto.latitude, grosseto.longitude) == (42.76, 11.11)


def test_tt_swedish_story_has_the_wires_people_with_their_mentions(
    enricher: Enricher, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    texts = corpus_texts("newsml-g2/TT_newsmlg2_sample.xml")
    result = enricher.enrich(texts)
    assert not result.reading.ner
    entities = by_name(result.entities)
    guillou = entities["Jan Guillou"]
    assert guillou.type == "person"
    assert "Guillou" in {m.text for m in guillou.mentions}  # "enligt Guillou", recovered
    assert entities["Aftonbladet"].type == "organisation"
    literature = entities["Litteratur"]
    assert (literature.type, literature.same_as) == (
        "topic",
        ["http://cv.iptc.org/newscodes/mediatopic/20000013"],
    )
