"""What the words around a name say about it: modifier or mention, and what kind of thing."""

from __future__ import annotations

import re

import pytest

from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.domain.enrichment import ArticleTexts
from newsroom.enrich.domain.name_context import (
    Word,
    described_as_organisation,
    in_hyphenated_modifier,
    modifies_a_noun,
    named_as_a_thing,
    not_a_personal_name,
    type_by_head,
)


def tagged(text: str, *tags: str) -> list[Word]:
    """Tokens of `text` as spaCy splits them here (words, and punctuation on its own: "non",
    "-", "stop"), with the given tags in order."""
    tokens = list(re.finditer(r"\w+|[^\w\s]", text))
    return [Word(t.start(), t.end(), tag) for t, tag in zip(tokens, tags, strict=True)]


@pytest.mark.parametrize(
    ("text", "tags", "modifier"),
    [
        ("Apple CEO Steve Jobs", ("NNP", "NNP", "NNP", "NNP"), True),
        ("Boeing employees went home", ("NNP", "NNS", "VBD", "NN"), True),
        ("Apple mobile devices", ("NNP", "JJ", "NNS"), True),
        ("Apple said it", ("NNP", "VBD", "PRP"), False),
        ("Apple today unveiled", ("NNP", "NN", "VBD"), False),
        ("Station next month", ("NNP", "JJ", "NN"), False),
        ("Ryanair exercises options", ("NNP", "NNS", "NNS"), False),  # a headline's verb
        ("Sydney non-stop", ("NNP", "NN", ":", "NN"), False),  # tokens: non, -, stop
    ],
)
def test_a_name_before_the_noun_it_modifies_is_no_mention(
    text: str, tags: tuple[str, ...], modifier: bool
) -> None:
    words = tagged(text, *tags)
    first = words[0]
    assert modifies_a_noun(text, words, first.start, first.end) is modifier


def test_without_tags_nothing_is_a_modifier() -> None:
    assert not modifies_a_noun("Apple CEO Steve Jobs", [], 0, 5)


def test_hyphenated_adjectives_hold_no_mention() -> None:
    assert in_hyphenated_modifier("new Intel-based Mac", 4, 9)
    assert in_hyphenated_modifier("an all-Airbus fleet", 7, 13)
    assert not in_hyphenated_modifier("Rolls-Royce engines", 0, 11)


def test_the_head_noun_and_a_descriptor_say_what_a_name_is() -> None:
    assert type_by_head("Worldwide Developers Conference") == "event"
    assert type_by_head("International Space Station") == "place"
    assert type_by_head("Changi International Airport") == "place"
    assert type_by_head("Station") is None
    assert type_by_head("Channel One") is None
    text = "the Russian space agency Roscosmos and Tom Cruise"
    assert described_as_organisation(text, text.index("Roscosmos"))
    assert not described_as_organisation(text, text.index("Tom"))


def test_articles_possessives_and_brand_shapes_name_products() -> None:
    text = "Apple sold an iPod, its iPhone and the PowerBook; the Guardian said."
    for product in ("iPod", "iPhone", "PowerBook"):
        start = text.index(product)
        assert named_as_a_thing(text, start, start + len(product))
    for company in ("Apple", "Guardian"):
        start = text.index(company)
        assert not named_as_a_thing(text, start, start + len(company))
    assert not_a_personal_name("SpaceX")
    assert not not_a_personal_name("McCain")
    assert not not_a_personal_name("O'Leary")
    assert not not_a_personal_name("NASA")


def test_the_tagger_keeps_modifiers_out_of_an_articles_entities(enricher: Enricher) -> None:
    from datetime import date

    story = ArticleTexts(
        headline="",
        standfirst="",
        body=(
            "Apple CEO Steve Jobs unveiled an iPod in San Francisco on Tuesday. "
            "Apple said 500 Apple engineers worked on it. "
            "Boeing employees in Everett watched the Intel-based Mac."
        ),
        dateline=date(2007, 1, 10),
        language="en",
    )
    entities = {e.id: e for e in enricher.enrich(story).entities}
    # "Apple" is named once ("Apple said"); "Apple CEO", "Apple engineers" modify nouns.
    assert [m.text for m in entities["organisation/apple"].mentions] == ["Apple"]
    assert "person/steve-jobs" in entities
    assert not any(e.name in ("Boeing", "Intel") for e in entities.values())
    assert "organisation/ipod" not in entities
