"""The language and the named things a wire states itself, read from every format.

Corpus expectations were written by reading the files: which people, places and topics each
item names in its metadata or markup, with which ids, and which language it declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.ingest.domain.formats.wire_entities import wire_id
from newsroom.shared.article import Article, WireEntity

WIKIDATA = "http://www.wikidata.org/entity/"
MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/"
SUBJECTCODE = "http://cv.iptc.org/newscodes/subjectcode/"


def corpus_item(corpus_dir: Path, name: str) -> Article:
    articles = parse_wire_items(
        (corpus_dir / name).read_bytes(), None, source="test", default_timezone="UTC"
    )
    assert len(articles) == 1
    return articles[0]


def named(article: Article) -> dict[tuple[str, str], WireEntity]:
    return {(e.type, e.name): e for e in article.entities}


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("newsml-g2/dpa.xml", "de"),
        ("newsml-g2/stt1.xml", "fi-FI"),
        ("newsml-g2/TT_newsmlg2_sample.xml", "sv"),
        # ANSA's English service declares Italian; ingest keeps what the wire says (enrich
        # checks it against the text).
        ("newsml-g2/ansa-newsmlg2-text.xml", "it"),
        # A plain `lang` on the newsMessage around the item.
        ("newsml-g2/scoop.xml", "en-US"),
        ("ninjs/ninjs1.json", "fr"),
        # Only a paragraph declares it.
        ("nitf/nitf-fishing.xml", "en-US"),
        ("rss-atom/wenn.xml", None),
    ],
)
def test_the_language_is_the_one_the_item_declares(
    corpus_dir: Path, name: str, language: str | None
) -> None:
    articles = parse_wire_items(
        (corpus_dir / name).read_bytes(), None, source="test", default_timezone="UTC"
    )
    if language is None:  # wenn: Atom xml:lang on the feed
        assert {a.language for a in articles} == {"en"}
    else:
        assert articles[0].language == language


@pytest.mark.parametrize("name", ["nitf/pa3.xml", "rss-atom/nrk-rss.xml", "ninjs/ninjs2.json"])
def test_an_item_that_declares_no_language_has_none(corpus_dir: Path, name: str) -> None:
    articles = parse_wire_items(
        (corpus_dir / name).read_bytes(), None, source="test", default_timezone="UTC"
    )
    assert all(a.language is None for a in articles)


@pytest.mark.parametrize(
    "name",
    [
        "ninjs/iptc-1.6-005_complex_text_article.json",
        "ninjs/iptc-2.2-005_complex_text_article.json",
        "ninjs/iptc-3.1-005_complex_text_article.json",
    ],
)
def test_ninjs_people_organisations_and_places_keep_their_ids(corpus_dir: Path, name: str) -> None:
    things = named(corpus_item(corpus_dir, name))
    assert things[("person", "Francesco Schettino")].ids == [WIKIDATA + "Q4421821"]
    assert things[("organisation", "Costa Crociere SpA")].ids == []
    assert things[("place", "Italy")].ids == ["http://cvx.iptc.org/iso3166-1a2/it"]
    assert {("place", "Grossetto"), ("place", "Tuscany")} <= things.keys()


def test_ninjs_iptc_subject_codes_become_topics(corpus_dir: Path) -> None:
    things = named(corpus_item(corpus_dir, "ninjs/ninjs_embargoed.json"))
    assert things[("topic", "global warming")].ids == [SUBJECTCODE + "06011000"]
    assert things[("topic", "agriculture")].ids == [SUBJECTCODE + "04001000"]


def test_subjects_outside_iptc_vocabularies_are_not_topics(corpus_dir: Path) -> None:
    # The seed's subjects have names only; BBC's a private "category:" code.
    for name in ("seed/space-race-2.v1.ninjs.json", "ninjs/bbc-ninjs-text-test.json"):
        assert not [e for e in corpus_item(corpus_dir, name).entities if e.type == "topic"]


def test_dpa_places_carry_wikidata_and_iso_codes_and_the_poi_its_position(
    corpus_dir: Path,
) -> None:
    things = named(corpus_item(corpus_dir, "newsml-g2/dpa.xml"))
    germany = things[("place", "Deutschland")]
    assert WIKIDATA + "Q183" in germany.ids
    assert "iso3166-1a2:DE" in germany.ids
    assert WIKIDATA + "Q145" in things[("place", "Großbritannien")].ids
    stadium = things[("place", "Tottenham Hotspur Stadium")]  # the display line, not the address
    assert (stadium.latitude, stadium.longitude) == (51.6047, -0.06809)
    football = things[("topic", "Fußball")]
    assert football.ids[:2] == [MEDTOP + "20001065", SUBJECTCODE + "15054000"]


def test_tt_typed_subjects_are_people_and_organisations(corpus_dir: Path) -> None:
    things = named(corpus_item(corpus_dir, "newsml-g2/TT_newsmlg2_sample.xml"))
    assert {
        ("person", "Jan Guillou"),
        ("person", "Erik Ponti"),
        ("organisation", "Aftonbladet"),
    } <= (things.keys())
    assert things[("topic", "Litteratur")].ids == [MEDTOP + "20000013"]


def test_stt_private_subjects_and_reuters_codes_name_no_entities(corpus_dir: Path) -> None:
    assert corpus_item(corpus_dir, "newsml-g2/stt1.xml").entities == []
    reuters = "newsml-g2/tag_reuters.com_2014_newsml_KBN0FL0NN_version_5"
    assert corpus_item(corpus_dir, reuters).entities == []


def test_nitf_marked_up_names_and_subjects_not_the_byline(corpus_dir: Path) -> None:
    articles = parse_wire_items(
        (corpus_dir / "nitf/nitf-fishing.xml").read_bytes(), None, source="t"
    )
    things = named(articles[0])
    assert things[("organisation", "Acme Boat Company")].ids == ["iptc.org:acm"]
    assert things[("topic", "Fishing Industry")].ids == [SUBJECTCODE + "04001002"]
    # The byline's person is the author; the distributor is the wire; neither is news.
    assert ("person", "Alan Karben") not in things
    assert ("organisation", "XML Team Solutions, Inc.") not in things


NINJS_2 = {
    "uri": "urn:test:harbour",
    "type": "text",
    "versioncreated": "2024-03-01T10:15:00Z",
    "language": "nl",
    "headlines": [{"value": "Haven van Rotterdam breidt uit"}],
    "bodies": [{"value": "De haven van Rotterdam groeit.", "contenttype": "text/plain"}],
    "subjects": [
        {"name": "economie", "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000"},
        {
            "name": "Ahmed Aboutaleb",
            "type": "cpnat:person",
            "uri": "http://www.wikidata.org/entity/Q134971",
        },
        {"name": "a tag", "literal": "tag-1"},
    ],
    "places": [
        {
            "name": "Rotterdam",
            "uri": "http://sws.geonames.org/2747891/",
            "geojson": {"type": "Point", "coordinates": [4.47917, 51.9225]},
        }
    ],
}


def test_ninjs_2_subjects_with_uri_and_type_and_places_with_geojson() -> None:
    article = parse_wire_items(json.dumps(NINJS_2).encode(), None, source="t")[0]
    assert article.language == "nl"
    things = named(article)
    assert things[("topic", "economie")].ids == [MEDTOP + "04000000"]
    assert things[("person", "Ahmed Aboutaleb")].ids == [WIKIDATA + "Q134971"]
    rotterdam = things[("place", "Rotterdam")]
    assert (rotterdam.latitude, rotterdam.longitude) == (51.9225, 4.47917)
    assert ("topic", "a tag") not in things


def test_the_same_thing_named_twice_is_one_entity_with_both_ids() -> None:
    item: dict[str, Any] = {
        **NINJS_2,
        "people": [{"name": "Ahmed  Aboutaleb", "literal": "nl-mayor-17"}],
    }
    people = [e for e in parse_wire_items(json.dumps(item).encode(), None, source="t")[0].entities
              if e.type == "person"]  # fmt: skip
    assert len(people) == 1
    assert people[0].ids == ["nl-mayor-17", WIKIDATA + "Q134971"]


@pytest.mark.parametrize(
    ("code", "scheme", "expected"),
    [
        ("medtop:20001065", None, MEDTOP + "20001065"),
        ("subj:15054000", None, SUBJECTCODE + "15054000"),
        ("wikidata:Q183", None, WIKIDATA + "Q183"),
        ("geonames:2950159", None, "https://sws.geonames.org/2950159/"),
        ("04001000", None, SUBJECTCODE + "04001000"),
        ("it", "http://cvx.iptc.org/iso3166-1a2/", "http://cvx.iptc.org/iso3166-1a2/it"),
        ("dpacountry:54", None, "dpacountry:54"),
        ("acm", "iptc.org", "iptc.org:acm"),
        ("", None, None),
    ],
)
def test_wire_ids_become_uris_where_the_scheme_has_one(
    code: str, scheme: str | None, expected: str | None
) -> None:
    assert wire_id(code, scheme) == expected


def test_an_article_event_without_entities_still_reads() -> None:
    """Events written before wire entities existed validate, with none."""
    old = {
        "source": "s",
        "uri": "u",
        "version": "1",
        "versioncreated": "2024-01-01T00:00:00Z",
        "headline": "h",
    }
    assert Article.model_validate(old).entities == []
