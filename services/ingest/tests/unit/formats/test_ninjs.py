"""ninjs in every generation, and the real-world variants wires actually send."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from newsroom.ingest.domain.errors import MalformedBody, UnusableItem
from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.shared.article import Article, PubStatus


def parse(item: Any, content_type: str = "application/json", **kwargs: Any) -> list[Article]:
    return parse_wire_items(json.dumps(item).encode(), content_type, source="test", **kwargs)


def one(item: Any, **kwargs: Any) -> Article:
    articles = parse(item, **kwargs)
    assert len(articles) == 1
    return articles[0]


NINJS_1 = {
    "uri": "urn:test:lighthouse",
    "type": "text",
    "version": "4",
    "versioncreated": "2024-03-01T10:15:00Z",
    "firstcreated": "2024-03-01T08:00:00Z",
    "pubstatus": "usable",
    "urgency": 2,
    "language": "en",
    "headline": "Lighthouse keeper retires after 40 years",
    "description_text": "The last keeper of the Skerry light hands over the keys.",
    "byline": "Ann Example",
    "located": "Lerwick",
    "body_html": "<p>Mary Example climbed the 120 steps for the last time.</p><p>Second.</p>",
    "subject": [{"code": "medtop:01000000", "name": "arts", "scheme": "medtop"}],
    "place": [{"name": "Shetland"}],
    "ednote": "Adds quote in paragraph 2.",
    "signals": ["update"],
    "associations": {
        "featureimage": {
            "uri": "urn:test:lighthouse:pic",
            "type": "picture",
            "description_text": "The Skerry light at dusk",
            "byline": "Photo Person",
            "renditions": {
                "thumbnail": {"href": "https://img.test/small.jpg", "width": 100},
                "original": {
                    "href": "https://img.test/big.jpg",
                    "width": 2000,
                    "mimetype": "image/jpeg",
                },
            },
        }
    },
}


def test_ninjs_1x_fills_every_canonical_field() -> None:
    article = one(NINJS_1)
    assert article.source == "test"
    assert article.uri == "urn:test:lighthouse"
    assert article.version == "4"
    assert article.versioncreated == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert article.firstcreated == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert article.pubstatus is PubStatus.USABLE
    assert article.embargo is None
    assert article.urgency == 2
    assert article.language == "en"
    assert article.headline == "Lighthouse keeper retires after 40 years"
    assert article.standfirst == "The last keeper of the Skerry light hands over the keys."
    assert article.byline == "Ann Example"
    assert article.dateline == "Lerwick"
    assert article.place == "Shetland"
    assert article.body_html.startswith("<p>Mary Example climbed")
    assert article.body_text == "Mary Example climbed the 120 steps for the last time.\n\nSecond."
    assert [(s.code, s.name) for s in article.subjects] == [("medtop:01000000", "arts")]
    assert article.ednote == "Adds quote in paragraph 2."
    assert article.signals == ["update"]
    [picture] = article.pictures
    assert picture.href == "https://img.test/big.jpg"  # the original, not the thumbnail
    assert picture.caption == "The Skerry light at dusk"
    assert picture.credit == "Photo Person"
    assert picture.mimetype == "image/jpeg"


def test_ninjs_1x_plain_text_body_becomes_paragraphs() -> None:
    item = {**NINJS_1, "body_html": None, "body_text": "First para.\n\nSecond & last."}
    article = one(item)
    assert article.body_text == "First para.\n\nSecond & last."
    assert article.body_html == "<p>First para.</p><p>Second &amp; last.</p>"


def test_ninjs_2x_headlines_and_bodies_arrays() -> None:
    article = one(
        {
            "uri": "urn:test:two",
            "type": "text",
            "versioncreated": "2024-03-01T10:15:00+01:00",
            "by": "B. Writer",
            "headlines": [
                {"role": "short", "value": "Short"},
                {"role": "main", "value": "The main headline"},
            ],
            "bodies": [
                {"role": "main", "contenttype": "text/plain", "value": "Plain body."},
                {"role": "main", "contenttype": "text/html", "value": "<p>Rich <b>body</b>.</p>"},
            ],
            "subjects": [
                {"name": "weather", "uri": "http://cv.iptc.org/newscodes/mediatopic/17000000"}
            ],
            "places": [{"name": "Oslo"}],
        }
    )
    assert article.headline == "The main headline"
    assert article.byline == "B. Writer"
    assert article.body_html == "<p>Rich <b>body</b>.</p>"
    assert article.body_text == "Plain body."
    assert article.versioncreated == datetime(2024, 3, 1, 9, 15, tzinfo=UTC)
    assert article.subjects[0].code == "http://cv.iptc.org/newscodes/mediatopic/17000000"
    assert article.place == "Oslo"
    # No version on the wire: the version time stands in for it.
    assert article.version == "2024-03-01T09:15:00Z"


def test_ninjs_3x_camel_case_and_embargoed_until() -> None:
    article = one(
        {
            "uri": "urn:test:three",
            "type": "text",
            "version": "2",
            "versionCreated": "2024-03-01T10:15:00Z",
            "firstCreated": "2024-03-01T09:00:00Z",
            "embargoedUntil": "2024-03-02T06:00:00Z",
            "pubStatus": "usable",
            "headlines": [{"value": "Embargoed budget"}],
            "bodies": [{"contentType": "text/plain", "value": "Numbers."}],
        }
    )
    assert article.versioncreated == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert article.firstcreated == datetime(2024, 3, 1, 9, tzinfo=UTC)
    assert article.embargo is not None
    assert article.embargo.until == datetime(2024, 3, 2, 6, tzinfo=UTC)


def test_superdesk_style_guid_offsets_cancelled_spelling_and_extra_fields() -> None:
    article = one(
        {
            "guid": "urn:newsml:localhost:2024:abc",
            "type": "text",
            "version": "7",
            "versioncreated": "2024-03-01T04:38:34+0000",
            "pubstatus": "cancelled",
            "headline": "Withdrawn story",
            "priority": 6,
            "extra": {"anything": True},
        }
    )
    assert article.uri == "urn:newsml:localhost:2024:abc"
    assert article.versioncreated == datetime(2024, 3, 1, 4, 38, 34, tzinfo=UTC)
    assert article.pubstatus is PubStatus.CANCELED
    assert article.body_text == ""  # a kill needs no text


def test_uri_wins_over_guid() -> None:
    article = one({**NINJS_1, "guid": "other-id"})
    assert article.uri == "urn:test:lighthouse"


def test_naive_timestamps_are_read_in_the_source_timezone() -> None:
    article = one(
        {**NINJS_1, "versioncreated": "2024-07-01T12:00:00"}, default_timezone="Europe/Oslo"
    )
    assert article.versioncreated.utcoffset() == timedelta(hours=2)
    assert article.versioncreated == datetime(2024, 7, 1, 10, tzinfo=UTC)


def test_ap_media_api_envelope_is_unwrapped() -> None:
    article = one({"api_version": "2", "data": {"item": {**NINJS_1, "uri": "urn:ap:1"}}})
    assert article.uri == "urn:ap:1"


def test_ap_item_whose_story_is_only_a_rendition_to_download_is_refused_naming_it() -> None:
    item = {
        "uri": "urn:ap:2",
        "type": "text",
        "versioncreated": "2024-03-01T10:15:00Z",
        "headline": "Top ten",
        "renditions": {"nitf": {"type": "text", "href": "https://ap.test/x.xml"}},
    }
    with pytest.raises(UnusableItem) as refused:
        parse({"data": {"item": item}})
    assert refused.value.pointer == "/data/item/renditions/nitf"
    assert "rendition" in refused.value.detail


def test_search_style_envelope_yields_every_item() -> None:
    second = {**NINJS_1, "uri": "urn:test:second"}
    articles = parse({"total": 2, "item": [NINJS_1, second]})
    assert [a.uri for a in articles] == ["urn:test:lighthouse", "urn:test:second"]


def test_picture_only_item_is_refused_with_the_reason() -> None:
    picture = {
        "uri": "urn:test:pic",
        "type": "picture",
        "versioncreated": "2024-03-01T10:15:00Z",
        "headline": "A picture",
        "body_text": "caption-like text",
        "renditions": {"original": {"href": "https://img.test/p.jpg"}},
    }
    with pytest.raises(UnusableItem) as refused:
        parse(picture)
    assert refused.value.status == 422
    assert refused.value.pointer == "/type"
    assert "picture" in refused.value.detail


@pytest.mark.parametrize(
    ("missing", "pointer"),
    [
        (("uri",), "/uri"),
        # firstcreated stands in for a missing versioncreated; with neither, no order exists.
        (("versioncreated", "firstcreated"), "/versioncreated"),
        (("headline",), "/headline"),
    ],
)
def test_missing_required_field_is_refused_naming_it(
    missing: tuple[str, ...], pointer: str
) -> None:
    item = {k: v for k, v in NINJS_1.items() if k not in missing}
    with pytest.raises(UnusableItem) as refused:
        parse(item)
    assert refused.value.pointer == pointer


def test_text_item_without_any_text_is_refused() -> None:
    item = {k: v for k, v in NINJS_1.items() if k != "body_html"}
    with pytest.raises(UnusableItem) as refused:
        parse(item)
    assert refused.value.pointer == "/body_html"


def test_malformed_json_is_400() -> None:
    with pytest.raises(MalformedBody):
        parse_wire_items(b'{"uri": "x",', "application/json", source="test")


def test_unreadable_timestamp_is_refused_naming_the_field() -> None:
    with pytest.raises(UnusableItem) as refused:
        parse({**NINJS_1, "versioncreated": "yesterday-ish"})
    assert refused.value.pointer == "/versioncreated"


def test_out_of_range_urgency_is_dropped_not_fatal() -> None:
    assert one({**NINJS_1, "urgency": 42}).urgency is None


def test_offsets_are_kept_as_sent() -> None:
    article = one({**NINJS_1, "versioncreated": "2024-03-01T10:15:00+05:30"})
    assert article.versioncreated.utcoffset() == timezone(timedelta(hours=5, minutes=30)).utcoffset(
        None
    )


def test_embargoed_flag_without_a_time_holds_the_story() -> None:
    article = one({**NINJS_1, "embargoed": True})
    assert article.embargo is not None
    assert article.embargo.until is None


def test_embargoed_false_is_no_embargo() -> None:
    assert one({**NINJS_1, "embargoed": False}).embargo is None


def test_control_characters_never_reach_the_article_text() -> None:
    # JSON carries them as \u escapes; XML 1.0 (render's Atom feed) cannot carry them at all.
    item = {
        "uri": "urn:control",
        "versioncreated": "2024-01-01T00:00:00Z",
        "headline": "Head\u0000line\u0008",
        "byline": "By\u001b someone",
        "description_text": "Stand\u000efirst",
        "body_text": "Para\u0001graph one.\n\nPara\u0007graph\ttwo.",
        "ednote": "Note\u0002",
    }
    [article] = parse_wire_items(json.dumps(item).encode(), "application/json", source="s")
    assert article.headline == "Headline"
    assert article.byline == "By someone"
    assert article.standfirst == "Standfirst"
    assert article.body_text == "Paragraph one.\n\nParagraph\ttwo."
    assert article.body_html == "<p>Paragraph one.</p><p>Paragraph two.</p>"
    assert article.ednote == "Note"


def test_slugline_is_kept() -> None:
    assert one({**NINJS_1, "slugline": "LIGHTHOUSE-KEEPER"}).slugline == "LIGHTHOUSE-KEEPER"
    assert one(NINJS_1).slugline is None


def test_item_without_any_timestamp_is_dated_by_its_arrival() -> None:
    undated = {k: v for k, v in NINJS_1.items() if k not in ("versioncreated", "firstcreated")}
    undated.pop("version", None)
    arrived = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    article = one(undated, received_at=arrived)
    assert article.versioncreated == arrived
    # The text names the version: a re-send later is the same version, new text a new one.
    assert one(undated, received_at=arrived + timedelta(hours=1)).version == article.version
    changed = {**undated, "headline": "Another headline"}
    assert one(changed, received_at=arrived).version != article.version


def test_timestamps_outside_the_publishable_range_are_refused_naming_the_field() -> None:
    for field in ("versioncreated", "firstcreated", "embargoed"):
        for moment in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"):
            for item in (NINJS_1, {k: v for k, v in NINJS_1.items() if k != "version"}):
                with pytest.raises(UnusableItem) as refused:
                    parse({**item, field: moment})
                assert refused.value.pointer == f"/{field}"


def test_a_lone_surrogate_is_refused_in_identifiers_and_text() -> None:
    for field in ("uri", "version", "headline", "body_html", "byline"):
        with pytest.raises(UnusableItem) as refused:
            parse({**NINJS_1, field: "text\ud800"})
        assert "surrogate" in refused.value.detail


def test_a_picture_whose_link_a_browser_would_run_is_dropped() -> None:
    associations = {
        "bad": {"type": "picture", "renditions": {"original": {"href": "javascript:alert(1)"}}},
        "good": {"type": "picture", "renditions": {"original": {"href": "https://x.test/a.jpg"}}},
    }
    article = one({**NINJS_1, "associations": associations})
    assert [picture.href for picture in article.pictures] == ["https://x.test/a.jpg"]
