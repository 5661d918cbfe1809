"""Capitals as typography are read in ordinary case, and only the story's names count."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.domain.casing import for_model, shouted, spellings
from newsroom.enrich.domain.enrichment import ArticleTexts

PA = "UK BREAK-UP 'NOT INCONCEIVABLE', FIRST MINISTER WARNS AHEAD OF BREXIT TALKS"


@pytest.mark.parametrize(
    ("text", "is_shouted"),
    [(PA, True), ("NASA and ESA", False), ("US-SYRIA", False), ("Fed to halt QE", False)],
)
def test_shouted(text: str, is_shouted: bool) -> None:
    assert shouted(text) is is_shouted


def test_a_shouted_headline_takes_the_bodys_spellings() -> None:
    known = spellings(["The UK risks breaking up unless all home nations play a role in Brexit"])
    normal = for_model(PA, known)
    assert normal == "UK break-up 'not inconceivable', first minister warns ahead of Brexit talks"
    assert len(normal) == len(PA)  # offsets stay valid


def test_pas_capital_headline_names_no_verbs_or_events_as_people(
    enricher: Enricher, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    texts = corpus_texts("nitf/pa3.xml")
    assert shouted(texts.headline)
    result = enricher.enrich(texts)
    people = {e.name for e in result.entities if e.type == "person"}
    assert not people & {"WARNS", "Warns", "Brexit", "BREXIT"}
    uk = next(e for e in result.entities if e.name == "UK")
    assert uk.type == "place"
    assert "headline" in {m.field for m in uk.mentions}  # found in the capitals too
