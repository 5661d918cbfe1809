"""Repairs of the model's spans into clean name mentions (no model involved)."""

from __future__ import annotations

from newsroom.enrich.domain.mentions import NerSpan, clean_mentions, credit_line_spans


def names(text: str, *spans: tuple[str, str], occurrence: int = 0) -> list[tuple[str, str]]:
    """Runs `clean_mentions` on spans given as (text, spaCy label)."""
    ner = []
    for span_text, label in spans:
        start = text.index(span_text)
        ner.append(NerSpan(start, start + len(span_text), label))
    return [(m.text, m.type) for m in clean_mentions("body", text, ner, [(0, len(text))])]


def test_possessives_split_into_two_names() -> None:
    text = "backed by Elon Musk’s SpaceX programme"
    assert names(text, ("Elon Musk’s SpaceX", "PERSON")) == [
        ("Elon Musk", "person"),
        # The piece keeps the span's label unless its shape says otherwise (a brand).
        ("SpaceX", "organisation"),
    ]


def test_a_possessive_ending_and_determiners_go() -> None:
    text = "the filmmaker behind Russia's film at the International Space Station"
    assert names(text, ("Russia's", "GPE"), ("the International Space Station", "FAC")) == [
        ("Russia", "place"),
        ("International Space Station", "place"),
    ]


def test_a_possessive_inside_a_name_stays() -> None:
    text = "officials of the People's Republic of China agreed"
    assert names(text, ("the People's Republic of China", "GPE")) == [
        ("People's Republic of China", "place")
    ]


def test_a_span_across_a_line_break_is_two_names() -> None:
    text = "Courtesy of Wikimedia Commons\nSpace Race 2 begins"
    assert ("Space Race 2", "organisation") in names(text, ("Commons\nSpace Race 2", "ORG"))


def test_photo_credit_lines_name_nothing() -> None:
    text = "Photo: Jane Doe/Reuters\nJane Doe met NASA."
    assert credit_line_spans(text) == [(0, 24)]
    found = names(text, ("Jane Doe", "PERSON"), ("NASA", "ORG"))
    assert found == [("NASA", "organisation")]


def test_numbers_ages_ordinals_and_abbreviations_are_not_entities() -> None:
    text = "the 36-year-old was first, 320x240 pixels, date TBC, and 4 more"
    found = names(
        text,
        ("36-year-old", "DATE"),
        ("first", "ORDINAL"),
        ("320x240", "ORG"),
        ("TBC", "ORG"),
        ("4", "CARDINAL"),
    )
    assert found == []


def test_a_maker_and_its_model_are_one_product() -> None:
    text = "a test flight of the new Airbus A380 superjumbo"
    assert names(text, ("Airbus", "ORG"), ("A380", "PRODUCT")) == [("Airbus A380", "product")]


def test_a_year_after_a_company_is_not_a_model() -> None:
    text = "Apple 2010 results"
    assert names(text, ("Apple", "ORG")) == [("Apple", "organisation")]


def test_an_institution_and_its_complement_are_one_name() -> None:
    text = "at the Yuri Gagarin Center for Cosmonaut Training, previously"
    assert names(text, ("the Yuri Gagarin Center", "FAC"), ("Cosmonaut Training", "PERSON")) == [
        ("Yuri Gagarin Center for Cosmonaut Training", "place")
    ]


def test_a_place_and_its_region_are_one_name_but_a_list_is_not() -> None:
    assert names(
        "flown to Everett, Washington today", ("Everett", "GPE"), ("Washington", "GPE")
    ) == [("Everett, Washington", "place")]
    assert names(
        "routes to Paris, London and Rome", ("Paris", "GPE"), ("London", "GPE"), ("Rome", "GPE")
    ) == [("Paris", "place"), ("London", "place"), ("Rome", "place")]


def test_an_introductory_place_before_a_comma_is_no_region() -> None:
    assert names("In Europe, London's FTSE 100 fell", ("Europe", "LOC"), ("London's", "GPE")) == [
        ("Europe", "place"),
        ("London", "place"),
    ]
    assert names("In Asia, Japan led the fall", ("Asia", "LOC"), ("Japan", "GPE")) == [
        ("Asia", "place"),
        ("Japan", "place"),
    ]


def test_a_date_run_into_a_name_is_cut_off() -> None:
    text = "The Government Accountability Office on June 18 called"
    assert names(text, ("Government Accountability Office on June 18", "ORG")) == [
        ("Government Accountability Office", "organisation")
    ]


def test_a_company_designator_makes_a_person_label_an_organisation() -> None:
    text = "the original home of Douglas Aircraft and others"
    assert names(text, ("Douglas Aircraft", "PERSON")) == [("Douglas Aircraft", "organisation")]


def test_two_touching_names_are_one_name_the_model_cut() -> None:
    text = "fought between Boeing and Lockheed Martin, Lockheed winning"
    assert names(text, ("Boeing", "ORG"), ("Lockheed", "ORG"), ("Martin", "PRODUCT")) == [
        ("Boeing", "organisation"),
        ("Lockheed Martin", "organisation"),
    ]


def test_a_possessive_keeps_two_touching_names_apart() -> None:
    text = "supply the United Kingdom's Royal Air Force with tankers"
    assert names(text, ("the United Kingdom's", "GPE"), ("Royal Air Force", "ORG")) == [
        ("United Kingdom", "place"),
        ("Royal Air Force", "organisation"),
    ]


def test_a_title_taken_into_a_name_is_left_out_and_makes_it_a_person() -> None:
    text = "Spokeswoman Sandy Angers said the team would meet."
    assert names(text, ("Spokeswoman Sandy Angers", "ORG")) == [("Sandy Angers", "person")]
    text = "President Barack Obama signed it."
    assert names(text, ("President Barack Obama", "PERSON")) == [("Barack Obama", "person")]
    # Not a title: the name of a company, or a title followed by what is not a name.
    assert names("General Motors cut jobs.", ("General Motors", "ORG")) == [
        ("General Motors", "organisation")
    ]
    text = "the Minister of Defence said"
    assert names(text, ("Minister of Defence", "ORG")) == [("Minister of Defence", "organisation")]
