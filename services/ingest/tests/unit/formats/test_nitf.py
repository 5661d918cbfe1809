"""NITF 3.x: declared encodings, management status, and a DOCTYPE that is never fetched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.shared.article import Article, PubStatus


def nitf(
    docdata_attrs: str = "", docdata: str = "", body: str = "<p>Text.</p>", prolog: str = ""
) -> str:
    return (
        f"{prolog}<nitf><head><title>Title headline</title>"
        f"<docdata {docdata_attrs}>"
        '<doc-id id-string="urn:test:nitf:1"/><urgency ed-urg="2"/>'
        '<date.issue norm="20240502T093000+0200"/>'
        '<du-key key="story" version="5"/>'
        '<ed-msg info="Moves at 0900"/>'
        f"{docdata}</docdata></head>"
        "<body><body.head><hedline><hl1>NITF headline</hl1></hedline>"
        "<byline>By <person>Siv</person><byttl>Agency</byttl></byline>"
        "<dateline><location><city>Tromsø</city></location></dateline>"
        "<abstract><p>Short summary.</p></abstract></body.head>"
        f"<body.content>{body}</body.content></body></nitf>"
    )


def parse(body: bytes) -> list[Article]:
    return parse_wire_items(body, "application/xml", source="test")


def test_nitf_fields() -> None:
    body = '<media media-type="image"><media-reference source="https://img.test/a.jpg" mime-type="image/jpeg"/><media-caption>Cap</media-caption><media-producer>Snapper</media-producer></media><p>Text.</p>'
    [article] = parse(nitf(body=body).encode())
    assert article.uri == "urn:test:nitf:1"
    assert article.version == "5"
    assert article.versioncreated == datetime(2024, 5, 2, 7, 30, tzinfo=UTC)
    assert article.pubstatus is PubStatus.USABLE
    assert article.urgency == 2
    assert article.headline == "NITF headline"
    assert article.byline == "By Siv, Agency"
    assert article.dateline == "Tromsø"
    assert article.standfirst == "Short summary."
    assert article.ednote == "Moves at 0900"
    assert article.body_text == "Text."
    [picture] = article.pictures
    assert (picture.href, picture.caption, picture.credit) == (
        "https://img.test/a.jpg",
        "Cap",
        "Snapper",
    )


def test_iso_8859_1_declared_encoding_is_honoured() -> None:
    text = nitf(
        body="<p>Smørbrød på Tromsø, café crème.</p>",
        prolog='<?xml version="1.0" encoding="iso-8859-1"?>',
    )
    [article] = parse(text.encode("iso-8859-1"))
    assert article.body_text == "Smørbrød på Tromsø, café crème."


def test_management_status_canceled_is_a_kill() -> None:
    [article] = parse(nitf('management-status="canceled"', body="").encode())
    assert article.pubstatus is PubStatus.CANCELED


def test_management_status_embargoed_uses_date_release() -> None:
    [article] = parse(
        nitf(
            'management-status="embargoed"', '<date.release norm="20240503T000100+0100"/>'
        ).encode()
    )
    assert article.pubstatus is PubStatus.USABLE
    assert article.embargo is not None
    assert article.embargo.until == datetime(2024, 5, 2, 23, 1, tzinfo=UTC)


def test_embargoed_without_release_time_is_held() -> None:
    [article] = parse(nitf('management-status="embargoed"').encode())
    assert article.embargo is not None
    assert article.embargo.until is None


def test_missing_doc_id_is_refused_naming_it() -> None:
    with pytest.raises(UnusableItem) as refused:
        parse(nitf().replace('<doc-id id-string="urn:test:nitf:1"/>', "").encode())
    assert refused.value.pointer == "/nitf/head/docdata/doc-id/@id-string"


class _CountingHandler(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        payload = b'<!ENTITY secret "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        """Quiet: the test counts requests in `requests`, it does not print them."""


@pytest.fixture
def dtd_server() -> Iterator[str]:
    _CountingHandler.requests = []
    server = HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/nitf-3-2.dtd"
    server.shutdown()
    server.server_close()


def test_external_dtd_is_never_fetched(dtd_server: str) -> None:
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE nitf SYSTEM "{dtd_server}">\n'
    [article] = parse(nitf(prolog=doctype).encode())
    assert article.headline == "NITF headline"
    assert _CountingHandler.requests == []


def test_external_dtd_on_disk_is_never_read(tmp_path: object) -> None:
    from pathlib import Path

    dtd = Path(str(tmp_path)) / "nitf.dtd"
    # If this DTD were loaded, the default attribute would add class="LEAKED" to every <p>.
    dtd.write_text('<!ATTLIST p class CDATA "LEAKED">')
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE nitf SYSTEM "{dtd.as_uri()}">\n'
    [article] = parse(nitf(prolog=doctype).encode())
    assert "LEAKED" not in article.body_html


def test_entities_of_the_unloaded_nitf_dtd_read_as_html_names() -> None:
    """NITF's DTD declares the HTML entity names; it is never loaded, so `&mdash;` and
    `&eacute;` stay references and must still read as the characters they name."""
    doctype = '<?xml version="1.0"?>\n<!DOCTYPE nitf SYSTEM "nitf-3-2.dtd">\n'
    text = nitf(prolog=doctype, body="<p>One &mdash; two &amp; caf&eacute;</p>")
    [article] = parse(text.replace("<hl1>NITF headline</hl1>", "<hl1>A &mdash; B</hl1>").encode())
    assert article.headline == "A — B"
    assert article.body_text == "One — two & café"
