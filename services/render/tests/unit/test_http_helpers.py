"""Content negotiation for errors and conditional requests."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from starlette.requests import Request

from newsroom.render.entrypoints.caching import cached_response, etag_of
from newsroom.render.entrypoints.problems import prefers_html


def request(headers):
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
    )


def test_browsers_get_html_errors_and_everyone_else_problem_json():
    assert prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not prefers_html("*/*")
    assert not prefers_html(None)
    assert not prefers_html("application/json")
    assert not prefers_html("application/problem+json, text/html;q=0.5")


def test_matching_etag_answers_304_and_a_different_one_200():
    body = b"<p>page</p>"
    modified = datetime(2021, 9, 20, 9, tzinfo=UTC)
    assert (
        cached_response(
            request({"If-None-Match": etag_of(body)}), body, "text/html", modified
        ).status_code
        == 304
    )
    assert (
        cached_response(
            # Our ETags are weak; a client sending the strong form matches as well.
            request({"If-None-Match": etag_of(body).removeprefix("W/")}),
            body,
            "text/html",
            modified,
        ).status_code
        == 304
    )
    assert (
        cached_response(
            request({"If-None-Match": '"other"'}), body, "text/html", modified
        ).status_code
        == 200
    )


def test_if_modified_since_is_honoured_only_without_if_none_match():
    body = b"x"
    modified = datetime(2021, 9, 20, 9, tzinfo=UTC)
    later = "Mon, 20 Sep 2021 10:00:00 GMT"
    earlier = "Mon, 20 Sep 2021 08:00:00 GMT"
    assert (
        cached_response(request({"If-Modified-Since": later}), body, "t", modified).status_code
        == 304
    )
    assert (
        cached_response(request({"If-Modified-Since": earlier}), body, "t", modified).status_code
        == 200
    )
    assert (
        cached_response(
            request({"If-Modified-Since": later, "If-None-Match": '"x"'}), body, "t", modified
        ).status_code
        == 200
    )


def test_a_document_is_gzipped_for_clients_that_take_it_and_compressed_once():
    body = b"<p>" + b"page " * 200 + b"</p>"
    modified = datetime(2021, 9, 20, 9, tzinfo=UTC)
    packed = cached_response(request({"Accept-Encoding": "br, gzip"}), body, "text/html", modified)
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body) == body
    again = cached_response(request({"Accept-Encoding": "gzip"}), body, "text/html", modified)
    assert again.body is packed.body  # the compressed form was kept
    for refusing in ({"Accept-Encoding": "gzip;q=0"}, {"Accept-Encoding": "br"}, {}):
        plain = cached_response(request(refusing), body, "text/html", modified)
        assert "content-encoding" not in plain.headers
        assert plain.body == body
    # Both forms, one weak validator.
    assert packed.headers["etag"] == plain.headers["etag"] == etag_of(body)
    assert etag_of(body).startswith('W/"')
