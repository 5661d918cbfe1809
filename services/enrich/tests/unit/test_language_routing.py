"""The language decides the pipeline: English and French models, no model for the others
(only the wire's named things), each model loaded once per process on first use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from spacy.language import Language

from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.domain.enrichment import ArticleTexts

FRENCH = ArticleTexts(
    headline="Emmanuel Macron reçoit Angela Merkel à Paris",
    standfirst="",
    body=(
        "Le président Emmanuel Macron a reçu mardi à Paris la chancelière Angela Merkel. "
        "Les deux dirigeants ont évoqué l'avenir de l'Union européenne et la visite prévue "
        "à Berlin le 3 juin 2019, a indiqué l'Élysée."
    ),
    dateline=date(2019, 5, 14),
    language="fr",
)


def test_french_is_read_by_the_french_model(enricher: Enricher) -> None:
    result = enricher.enrich(FRENCH)
    assert (result.reading.language, result.reading.ner) == ("fr", True)
    assert result.reading.model == "fr_core_news_sm-3.8.0"
    people = {e.name for e in result.entities if e.type == "person"}
    assert {"Emmanuel Macron", "Angela Merkel"} <= people
    paris = next(e for e in result.entities if e.name == "Paris")
    assert (paris.type, paris.geonames_id) == ("place", 2988507)
    assert [(t.text, t.value) for t in result.timeline] == [
        ("mardi", "2019-05-14"),  # the dateline's own Tuesday
        ("3 juin 2019", "2019-06-03"),
    ]


def test_a_language_without_a_model_gets_only_the_wires_entities(
    enricher: Enricher, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    """dpa's German story: no "Aus Tränen" person, no "Punkte" place; dpa's own places and
    topic, with their ids; the timeline in German."""
    result = enricher.enrich(corpus_texts("newsml-g2/dpa.xml"))
    assert (result.reading.language, result.reading.ner, result.reading.model) == (
        "de",
        False,
        None,
    )
    assert result.entities
    assert {e.origin for e in result.entities} == {"wire"}
    names = {e.name for e in result.entities}
    assert not {"Aus Tränen", "Jahren zu einem", "Punkte", "Eintracht Frankfurt"} & names
    assert ("Mittwochabend", "2022-10-12") in [(t.text, t.value) for t in result.timeline]


def test_finnish_gets_no_made_up_people_or_places(
    enricher: Enricher, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    result = enricher.enrich(corpus_texts("newsml-g2/stt1.xml", "Europe/Helsinki"))
    assert (result.reading.language, result.reading.ner) == ("fi", False)
    assert result.entities == []  # STT names no person or place; "Revenio Groupin" is not one


def test_one_batch_of_mixed_languages_reads_each_in_its_own(
    enricher: Enricher, seed_texts: ArticleTexts, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    german = corpus_texts("newsml-g2/dpa.xml")
    alone = enricher.enrich(seed_texts)
    mixed = enricher.enrich_many([german, seed_texts, FRENCH])
    assert [r.reading.language for r in mixed] == ["de", "en", "fr"]
    assert mixed[1].entities == alone.entities
    assert mixed[1].timeline == alone.timeline


def test_models_load_lazily_once_per_language(
    enricher: Enricher, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    loads: list[str] = []

    def load(model: str) -> Language:
        loads.append(model)
        return load_pipeline("fr_core_news_sm")

    counting = Enricher(enricher.nlp, models={"en": "unused", "fr": "fr-model"}, load=load)
    assert loads == []
    counting.enrich(corpus_texts("newsml-g2/dpa.xml"))
    assert loads == []  # German has no model: nothing to load
    counting.enrich_many([FRENCH, FRENCH])
    counting.enrich(FRENCH)
    assert loads == ["fr-model"]


def test_a_requested_language_overrides_the_text(enricher: Enricher) -> None:
    english_as_german = ArticleTexts(
        headline="Talks in Berlin",
        standfirst="",
        body="Chancellor Angela Merkel met the president in Berlin on Tuesday. " * 5,
        dateline=date(2019, 5, 14),
        language="de",
        language_requested=True,
    )
    result = enricher.enrich(english_as_german)
    assert (result.reading.language, result.reading.source) == ("de", "requested")
    assert result.entities == []
