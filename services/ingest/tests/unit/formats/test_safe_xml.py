"""Hostile XML: entity expansion and external entities never get through."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.ingest.domain.errors import MalformedBody
from newsroom.ingest.domain.formats import parse_wire_items


def billion_laughs(root: str) -> bytes:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n{"".join(levels)}\n]>\n<{root}>&lol9;</{root}>'.encode()


@pytest.mark.parametrize("root", ["newsMessage", "nitf", "rss", "feed", "lolz"])
def test_billion_laughs_is_refused_as_malformed(root: str) -> None:
    with pytest.raises(MalformedBody) as refused:
        parse_wire_items(billion_laughs(root), "application/xml", source="test")
    assert refused.value.status == 400


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-PASSWORD-42")
    return path


def xxe_nitf(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        '<nitf><head><docdata><doc-id id-string="x"/><date.issue norm="20240101T000000Z"/></docdata></head>'
        "<body><body.head><hedline><hl1>&leak;</hl1></hedline></body.head>"
        "<body.content><p>&leak;</p></body.content></body></nitf>"
    ).encode()


def xxe_rss(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><item><guid>g</guid><title>&leak;</title>'
        "<description>&leak;</description><pubDate>Mon, 06 Feb 2017 10:51:00 +0100</pubDate>"
        "</item></channel></rss>"
    ).encode()


def xxe_parameter_entity(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE newsItem [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>'
        '<newsItem guid="x"/>'
    ).encode()


@pytest.mark.parametrize("make", [xxe_nitf, xxe_rss, xxe_parameter_entity])
def test_external_entity_never_puts_the_file_anywhere(make: object, secret_file: Path) -> None:
    body = make(secret_file)  # type: ignore[operator]
    with pytest.raises(MalformedBody) as refused:
        parse_wire_items(body, "application/xml", source="test")
    assert "TOP-SECRET" not in str(refused.value)
    assert "TOP-SECRET" not in refused.value.detail
    assert "TOP-SECRET" not in repr(refused.value.__cause__)


def test_not_well_formed_xml_is_400() -> None:
    with pytest.raises(MalformedBody):
        parse_wire_items(b"<newsItem><unclosed></newsItem>", "application/xml", source="test")
