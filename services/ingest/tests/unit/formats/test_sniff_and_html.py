"""Format choice (Content-Type confirmed by the body) and HTML sanitising."""

from __future__ import annotations

import json

import pytest

from newsroom.ingest.domain.errors import MalformedBody, UnsupportedFormat
from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.ingest.domain.formats.html import html_to_text, sanitise_html

ITEM = {
    "uri": "urn:test:x",
    "versioncreated": "2024-01-01T00:00:00Z",
    "headline": "H",
    "body_html": "<p>Body</p>",
}
ITEM_BYTES = json.dumps(ITEM).encode()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/ninjs+json",
        None,
        "application/octet-stream",
    ],
)
def test_json_is_accepted_when_declared_or_undeclared(content_type: str | None) -> None:
    assert parse_wire_items(ITEM_BYTES, content_type, source="s")[0].uri == "urn:test:x"


def test_json_sent_as_xml_is_415() -> None:
    with pytest.raises(UnsupportedFormat):
        parse_wire_items(ITEM_BYTES, "application/xml", source="s")


def test_xml_sent_as_json_is_415() -> None:
    with pytest.raises(UnsupportedFormat):
        parse_wire_items(b"<rss version='2.0'/>", "application/json", source="s")


@pytest.mark.parametrize("content_type", ["text/html", "image/jpeg", "multipart/form-data"])
def test_non_wire_content_types_are_415(content_type: str) -> None:
    with pytest.raises(UnsupportedFormat) as refused:
        parse_wire_items(ITEM_BYTES, content_type, source="s")
    assert refused.value.status == 415


def test_unreadable_body_without_a_type_is_415() -> None:
    with pytest.raises(UnsupportedFormat):
        parse_wire_items(b"\x89PNG\r\n\x1a\n....", None, source="s")


def test_xml_that_is_no_wire_format_is_415() -> None:
    with pytest.raises(UnsupportedFormat) as refused:
        parse_wire_items(b"<invoice><total>3</total></invoice>", "application/xml", source="s")
    assert "invoice" in refused.value.detail


def test_html_page_is_415() -> None:
    with pytest.raises(UnsupportedFormat):
        parse_wire_items(b"<html><body>hi</body></html>", "application/xml", source="s")


def test_declared_json_that_is_not_json_is_400() -> None:
    with pytest.raises(MalformedBody):
        parse_wire_items(b"uri=x&headline=y", "application/json", source="s")


def test_script_handlers_and_javascript_urls_never_reach_the_article() -> None:
    hostile = (
        '<p onclick="steal()">Hello <a href="javascript:alert(1)">link</a></p>'
        "<script>alert('x')</script><img src=x onerror=alert(1)>"
        '<a href="https://ok.test/">fine</a><style>p{}</style>'
    )
    [article] = parse_wire_items(
        json.dumps({**ITEM, "body_html": hostile}).encode(), None, source="s"
    )
    lowered = article.body_html.lower()
    for forbidden in ("<script", "onclick", "onerror", "javascript:", "alert", "<style"):
        assert forbidden not in lowered
    assert 'href="https://ok.test/"' in article.body_html
    assert "alert" not in article.body_text


def test_sanitise_keeps_ordinary_markup() -> None:
    assert (
        sanitise_html("<p>A <b>bold</b> <em>move</em></p>") == "<p>A <b>bold</b> <em>move</em></p>"
    )


def test_html_to_text_separates_blocks_and_decodes_entities() -> None:
    assert html_to_text("<p>One &amp; two</p><ul><li>three</li></ul>four<br>five") == (
        "One & two\n\nthree\n\nfour\n\nfive"
    )


def test_picture_furniture_is_not_body_text() -> None:
    markup = "<figure><img src='a.jpg'><figcaption>Photo: Someone/Agency</figcaption></figure><p>Story.</p>"
    assert html_to_text(markup) == "Story."


@pytest.mark.parametrize("content_type", ["application/json", "application/xml", None])
def test_empty_body_is_400(content_type: str | None) -> None:
    with pytest.raises(MalformedBody):
        parse_wire_items(b"  \n", content_type, source="s")


@pytest.mark.parametrize(
    "body", [b"[" * 100_000, b'{"n": ' + b"9" * 5_000 + b"}"], ids=["deep", "huge-int"]
)
def test_pathological_json_is_400_not_a_crash(body: bytes) -> None:
    with pytest.raises(MalformedBody):
        parse_wire_items(body, "application/json", source="s")
