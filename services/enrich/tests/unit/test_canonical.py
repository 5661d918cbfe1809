"""Canonicalisation rules on small hand-made mentions (no model involved)."""

from __future__ import annotations

from newsroom.enrich.domain.canonical import (
    canonical_entities,
    display_name,
    initials,
    normalise,
)
from newsroom.enrich.domain.mentions import Mention, NerSpan, clean_mentions
from newsroom.shared.events.enrichment import EntityType, TextField


def mentions_in(
    text: str, *names: tuple[str, EntityType], field: TextField = "body"
) -> list[Mention]:
    """Mentions of each (name, type), found in `text` in the order given."""
    found: list[Mention] = []
    cursor = 0
    for name, entity_type in names:
        start = text.index(name, cursor)
        cursor = start + len(name)
        found.append(Mention(field, start, start + len(name), name, entity_type, sentence=0))
    return found


def entities_of(text: str, *names: tuple[str, EntityType]) -> dict[str, list[str]]:
    result = canonical_entities(
        mentions_in(text, *names), {"body": text}, {"body": [(0, len(text))]}
    )
    return {entity.id: [m.text for m in entity.mentions] for entity, _ in result}


def test_a_surname_joins_the_full_name() -> None:
    text = "Tom Cruise flew. Later Cruise said it was fun."
    assert entities_of(text, ("Tom Cruise", "person"), ("Cruise", "person")) == {
        "person/tom-cruise": ["Tom Cruise", "Cruise"]
    }


def test_a_first_name_joins_the_full_name() -> None:
    text = "Yulia Peresild trained. Yulia said so."
    assert entities_of(text, ("Yulia Peresild", "person"), ("Yulia", "person")) == {
        "person/yulia-peresild": ["Yulia Peresild", "Yulia"]
    }


def test_a_surname_shared_by_two_people_stays_apart() -> None:
    text = "Kate Smith and John Smith met. Smith spoke first."
    ids = entities_of(text, ("Kate Smith", "person"), ("John Smith", "person"), ("Smith", "person"))
    assert set(ids) == {"person/kate-smith", "person/john-smith", "person/smith"}


def test_an_acronym_joins_its_expansion() -> None:
    text = "They joined the European Space Agency. The ESA is old."
    assert entities_of(
        text, ("European Space Agency", "organisation"), ("ESA", "organisation")
    ) == {"organisation/european-space-agency": ["European Space Agency", "ESA"]}


def test_an_acronym_defined_in_brackets_joins_even_when_initials_differ() -> None:
    text = "The Government Accountability Office (GAO) ruled. GAO staff agreed."
    ids = entities_of(
        text, ("Government Accountability Office", "organisation"), ("GAO", "organisation")
    )
    # The bracketed definition and the later mention both join the expansion.
    assert ids == {
        "organisation/government-accountability-office": [
            "Government Accountability Office",
            "GAO",
            "GAO",
        ]
    }


def test_the_type_is_a_vote_of_the_mentions() -> None:
    text = "Yulia Peresild acts. Peresild said yes. Peresild left."
    result = canonical_entities(
        mentions_in(
            text, ("Yulia Peresild", "organisation"), ("Peresild", "person"), ("Peresild", "person")
        ),
        {"body": text},
        {"body": [(0, len(text))]},
    )
    [(entity, _)] = result
    assert (entity.id, entity.type, entity.mention_count) == (
        "person/yulia-peresild",
        "person",
        3,
    )


def test_a_brand_shaped_name_the_model_reads_as_a_person_is_an_organisation() -> None:
    # Was the override list's job (SpaceX → organisation); now the name's shape decides: a
    # capital inside a word no surname prefix explains (`name_context.not_a_personal_name`).
    text = "SpaceX launched. SpaceX landed. McCain spoke."
    spans = [NerSpan(0, 6, "PERSON"), NerSpan(17, 23, "PERSON"), NerSpan(32, 38, "PERSON")]
    cleaned = clean_mentions("body", text, spans, [(0, len(text))])
    result = canonical_entities(cleaned, {"body": text}, {"body": [(0, len(text))]})
    assert {entity.id for entity, _ in result} == {"organisation/spacex", "person/mccain"}


def test_a_surname_the_model_missed_is_recovered() -> None:
    text = "Konstantin Ernst runs Channel One. Ernst tells Variety it is fine."
    ids = entities_of(text, ("Konstantin Ernst", "person"), ("Channel One", "organisation"))
    assert ids["person/konstantin-ernst"] == ["Konstantin Ernst", "Ernst"]


def test_headline_mentions_weigh_more_than_body_mentions() -> None:
    headline, body = "Roscosmos wins", "NASA and Roscosmos talk. NASA agrees. Later NASA waits."
    mentions = [
        Mention("headline", 0, 9, "Roscosmos", "organisation", 0),
        *mentions_in(
            body,
            ("NASA", "organisation"),
            ("Roscosmos", "organisation"),
            ("NASA", "organisation"),
            ("NASA", "organisation"),
        ),
    ]
    result = canonical_entities(
        [
            m if m.field == "headline" else Mention(m.field, m.start, m.end, m.text, m.type, 5)
            for m in mentions
        ],
        {"headline": headline, "body": body},
        {"headline": [(0, len(headline))], "body": [(0, len(body))]},
    )
    salience = {entity.id: entity.salience for entity, _ in result}
    # Two mentions (one in the headline) outweigh three in the body.
    assert salience["organisation/roscosmos"] > salience["organisation/nasa"]
    assert abs(sum(salience.values()) - 1.0) < 0.001


def test_names_compare_without_case_quotes_or_determiners() -> None:
    assert normalise("the Kremlin’s") == normalise("The Kremlin's")
    assert initials("European Aeronautic Defence and Space Company") == "EADSC"


def test_names_in_a_photo_credit_are_not_recovered() -> None:
    text = "NASA plans a flight.\nCourtesy of NASA/Roscosmos, via Wikimedia Commons\nNASA agrees."
    ids = entities_of(text, ("NASA", "organisation"))
    assert ids == {"organisation/nasa": ["NASA", "NASA"]}


def test_a_company_is_named_without_its_legal_form_too() -> None:
    text = "Apple Inc. reported. Apple shares rose. Singapore Airlines flew to Singapore."
    ids = entities_of(
        text,
        ("Apple Inc.", "organisation"),
        ("Apple", "organisation"),
        ("Singapore Airlines", "organisation"),
        ("Singapore", "place"),
    )
    assert ids == {
        "organisation/apple-inc": ["Apple Inc.", "Apple"],
        "organisation/singapore-airlines": ["Singapore Airlines"],
        "place/singapore": ["Singapore"],
    }


def test_an_acronym_with_periods_joins_its_expansion() -> None:
    text = "The United States agreed. U.S. officials said so."
    assert entities_of(text, ("United States", "place"), ("U.S.", "place")) == {
        "place/united-states": ["United States", "U.S."]
    }


def test_a_name_in_capitals_is_shown_as_spelled_unless_it_is_typography() -> None:
    def shown(*texts: str) -> str:
        return display_name([Mention("body", 0, len(t), t, "place", sentence=0) for t in texts])

    assert shown("FTSE 100") == "FTSE 100"  # an acronym is the spelling
    assert shown("NASA") == "NASA"
    assert shown("WASHINGTON") == "Washington"  # a dateline shouts
    assert shown("WASHINGTON", "Washington") == "Washington"


def test_a_market_index_is_not_an_organisation() -> None:
    text = "Hong Kong's Hang Seng index fell, as did the Nasdaq Composite. Hang Seng traders sold."
    result = canonical_entities(
        mentions_in(text, ("Hang Seng", "organisation"), ("Nasdaq Composite", "organisation"),
                    ("Hang Seng", "organisation")),
        {"body": text},
        {"body": [(0, len(text))]},
    )  # fmt: skip
    assert {(entity.name, entity.type) for entity, _ in result} == {
        ("Hang Seng", "other"),
        ("Nasdaq Composite", "other"),
    }
    text = "Boeing said its average price rose."  # "average" not right after the name
    [(boeing, _)] = canonical_entities(
        mentions_in(text, ("Boeing", "organisation")), {"body": text}, {"body": [(0, len(text))]}
    )
    assert boeing.type == "organisation"


def test_a_leading_article_of_the_sentence_is_not_part_of_the_name() -> None:
    text = (
        "Ministers of the Organisation of the Petroleum Exporting Countries met in Vienna. "
        "The Organisation of the Petroleum Exporting Countries said output would rise."
    )
    names = entities_of(
        text,
        ("the Organisation of the Petroleum Exporting Countries", "organisation"),
        ("The Organisation of the Petroleum Exporting Countries", "organisation"),
    )
    assert list(names) == ["organisation/organisation-of-the-petroleum-exporting-countries"]
    result = canonical_entities(
        mentions_in(
            text, ("the Organisation of the Petroleum Exporting Countries", "organisation")
        ),
        {"body": text},
        {"body": [(0, len(text))]},
    )
    assert result[0][0].name == "Organisation of the Petroleum Exporting Countries"


def test_a_capital_article_that_is_part_of_the_name_stays() -> None:
    def shown(*texts: str) -> str:
        return display_name([Mention("body", 0, len(t), t, "place", sentence=0) for t in texts])

    assert shown("The Hague") == "The Hague"
    assert shown("the European Union") == "European Union"
    assert shown("The European Union", "European Union") == "European Union"
