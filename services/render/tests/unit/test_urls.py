"""Which addresses from the wire are handed on, and where."""

from __future__ import annotations

import pytest

from newsroom.render.domain.urls import public_url, web_url

BASE = "https://news.example"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:image/png;base64,AAAA",
        "vbscript:msgbox",
        "//evil.example/x.png",
        "ftp://files.example/x.png",
        "urn:newsroom:example:space-race-2:image",
        "http://",
        "http://[::1",
        "",
        None,
        "https://example.org/" + "x" * 3000,
    ],
)
def test_only_web_addresses_are_handed_on(url):
    assert web_url(url) is None
    assert public_url(url, BASE) is None


def test_a_path_on_this_site_is_kept_and_made_absolute_for_structured_data():
    assert web_url("/static/logo.svg") == "/static/logo.svg"
    assert web_url("/static/logo.svg", relative=False) is None
    assert public_url("/static/logo.svg", BASE) == "https://news.example/static/logo.svg"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5000/image.jpg",  # the corpus item's picture
        "http://127.0.0.1/x.jpg",
        "http://10.1.2.3/x.jpg",
        "http://192.168.0.10/x.jpg",
        "http://[::1]/x.jpg",
        "http://images/x.jpg",  # a single-label name
        "http://cms.internal/x.jpg",
        "http://photo.local/x.jpg",
        "http://app.localhost/x.jpg",
    ],
)
def test_addresses_inside_the_senders_network_are_not_public(url):
    assert web_url(url) == url  # a link a reader may follow, but
    assert public_url(url, BASE) is None  # nothing a crawler can fetch


def test_a_public_address_is_public():
    url = "https://upload.wikimedia.org/wikipedia/commons/0/04/ISS.jpg"
    assert public_url(url, BASE) == url
    assert public_url("http://93.184.216.34/x.jpg", BASE) == "http://93.184.216.34/x.jpg"
