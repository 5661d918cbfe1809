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


def test_http_dates_are_written_as_the_email_package_writes_them():
    from email.utils import format_datetime

    from newsroom.render.entrypoints.caching import http_date

    moments = [datetime(1970, 1, 1, tzinfo=UTC), datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)]
    moments += [
        datetime(2021, month, 1 + month, month, 2 * month, 3, tzinfo=UTC) for month in range(1, 13)
    ]
    for moment in moments:
        assert http_date(moment) == format_datetime(moment, usegmt=True)


def _starlette_answer(representation, asked, status_code=200):
    """The answer as Starlette's own Response makes it: the oracle for the raw headers
    Representation writes itself."""
    from starlette.responses import Response

    from newsroom.render.entrypoints.middleware import GZIP_MINIMUM_SIZE, accepts_gzip

    if_none_match, if_modified_since, accept_encoding = asked
    headers = representation.headers
    if status_code == 200 and representation._not_modified(if_none_match, if_modified_since):
        return Response(status_code=304, headers={**headers, "Vary": "Accept-Encoding"})
    if len(representation.body) >= GZIP_MINIMUM_SIZE and accepts_gzip(accept_encoding):
        compressed = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(
            representation.gzipped,
            status_code=status_code,
            media_type=representation.media_type,
            headers=compressed,
        )
    return Response(
        representation.body,
        status_code=status_code,
        media_type=representation.media_type,
        headers=headers,
    )


def _as_kept_by_the_full_path(representation, asked, minimum):
    """What the kept layer sent before Representation.wire: Starlette's Response, with the Vary
    the gzip middleware adds to a body it could have compressed."""
    response = _starlette_answer(representation, asked)
    if (
        response.status_code == 200
        and len(response.body) >= minimum
        and "content-encoding" not in response.headers
    ):
        response.headers["vary"] = "Accept-Encoding"
    return response.status_code, response.raw_headers, bytes(response.body)


def test_the_kept_layer_sends_what_the_full_path_would_header_for_header():
    from newsroom.render.entrypoints.caching import Representation
    from newsroom.render.entrypoints.middleware import GZIP_MINIMUM_SIZE

    modified = datetime(2021, 9, 20, 9, 30, 15, tzinfo=UTC)
    big = b"<p>" + b"words and more words " * 100 + b"</p>"
    representations = [
        Representation(b"<p>short</p>", "text/html; charset=utf-8", modified),
        Representation(big, "text/html; charset=utf-8", modified),
        Representation(big, "text/plain", None, {"Link": '</?page=2>; rel="next"'}),
        Representation(big, "application/json", modified, {"Vary": "Cookie"}),
        Representation(big, "text/html; charset=utf-8", modified, etag=etag_of(big)),
    ]
    for representation in representations:
        etag = representation.etag
        since = representation.headers["Last-Modified"]
        for asked in [
            (None, None, None),
            (None, None, "gzip, deflate"),
            (None, None, "identity"),
            (None, None, "gzip;q=0"),
            (etag, None, "gzip"),
            ('"other"', None, None),
            (None, since, None),
            (None, "Mon, 01 Jan 1990 00:00:00 GMT", "gzip"),
        ]:
            for minimum in (0, GZIP_MINIMUM_SIZE, 10**6):
                assert representation.wire(*asked, minimum) == _as_kept_by_the_full_path(
                    representation, asked, minimum
                ), (representation.body[:20], asked, minimum)
            for status_code in (200, 410):  # the routes' answers too
                ours = representation.answer(*asked, status_code)
                theirs = _starlette_answer(representation, asked, status_code)
                assert (ours.status_code, ours.raw_headers, bytes(ours.body)) == (
                    theirs.status_code,
                    theirs.raw_headers,
                    bytes(theirs.body),
                ), (representation.body[:20], asked, status_code)
