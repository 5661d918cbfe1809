"""ETag / Last-Modified on every page and document, 304 on a matching revalidation, and the
gzip form for clients that accept it.

ETags are weak (`W/"…"`): a page is served gzip-compressed or not, and the two representations
must not share a strong validator; a weak one says "the same content", which they are, so a
cache holding either revalidates it with a 304 (GET compares ETags weakly, RFC 9110 13.1.2).
Pages and documents are compressed here rather than by the gzip middleware (which still
compresses every other response): the compressed form of a body is kept, so a popular page is
compressed once, not on every request."""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from typing import cast

from fastapi import Request, Response

from newsroom.render.entrypoints.kept import Keep, keep_page
from newsroom.render.entrypoints.middleware import GZIP_MINIMUM_SIZE, accepts_gzip
from newsroom.render.entrypoints.page_forms import etag_of, gzip_form

COMPRESSED_KEPT = 256  # bodies whose gzip form is kept (with the body: a few MB)


RawHeaders = list[tuple[bytes, bytes]]
Wire = tuple[int, RawHeaders, bytes]  # status, headers, body: what goes out
VARY = (b"vary", b"Accept-Encoding")
CACHE_CONTROL = "public, max-age=0, must-revalidate"
_CACHE_CONTROL = (b"cache-control", CACHE_CONTROL.encode("latin-1"))
GZIPPED = (b"content-encoding", b"gzip")
# Headers a route's own (`Representation(headers=...)`) would have to be merged with.
_ENTITY_HEADERS = frozenset({"content-encoding", "content-length", "content-type", "vary"})
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(moment: datetime) -> str:
    """An HTTP date (RFC 9110 5.6.7), as `email.utils.format_datetime(moment, usegmt=True)`
    writes it for a UTC time (one is written per page served): 0.7 us, against 1.9 us for
    format_datetime and 1.05 us for the same f-string with format specs."""
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (  # noqa: UP031
        _DAYS[moment.weekday()],
        moment.day,
        _MONTHS[moment.month - 1],
        moment.year,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _matches(if_none_match: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored for GET revalidation.
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def _not_modified_since(if_modified_since: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


gzipped = lru_cache(maxsize=COMPRESSED_KEPT)(gzip_form)


class Representation:
    """A document as served, prepared once (its validators, and its gzip form the first time a
    client takes it), so a kept page answers each request without hashing or formatting."""

    __slots__ = (
        "_body",
        "_common",
        "_gzipped",
        "_headers",
        "_own",
        "_plain",
        "etag",
        "last_modified",
        "media_type",
        "size",
    )

    def __init__(
        self,
        body: bytes | None,
        media_type: str,
        last_modified: datetime | None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        gzipped: bytes | None = None,
        size: int | None = None,
    ) -> None:
        """`etag` and `gzipped`: the body's, if made before (`etag_of(body)` and
        `gzip_form(body)`: a stored page's are). Without its body (None), a document is
        made from its gzip form, its ETag and its body's `size`: the body is then
        decompressed only if a client that does not take gzip asks for it."""
        if body is not None:
            self.size, self.etag = len(body), etag or etag_of(body)
        elif gzipped is not None and etag is not None and size is not None:
            self.size, self.etag = size, etag
        else:
            raise ValueError("a document without its body needs its gzip form, ETag and size")
        self._body = body
        self.media_type = media_type
        self.last_modified = (last_modified or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
        # Copied, as the headers' dict made at once used to be: a Representation is kept
        # across requests, and a caller's later change to its mapping must not reach it.
        self._own = dict(headers) if headers else None
        self._headers: dict[str, str] | None = None
        self._gzipped = gzipped
        # Whether the route's own headers leave the entity headers to _sent (as a rule): its
        # answers are then made from the raw headers common to them all, made once.
        self._plain = not headers or not any(name.lower() in _ENTITY_HEADERS for name in headers)
        self._common: tuple[tuple[bytes, bytes], ...] | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The validators and caching headers, with the route's own (which win); made when
        first asked (a 304, headers of the route's own), not for every document."""
        if self._headers is None:
            self._headers = {
                "ETag": self.etag,
                "Cache-Control": CACHE_CONTROL,
                "Last-Modified": http_date(self.last_modified),
                **(self._own or {}),
            }
        return self._headers

    def _common_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """`headers` as raw headers; without headers of the route's own (a stored article
        page, made for one request when it is not in memory) written straight, not through
        a dict."""
        if self._own:
            return tuple(_raw(self.headers))
        return (
            (b"etag", self.etag.encode("latin-1")),
            _CACHE_CONTROL,
            (b"last-modified", http_date(self.last_modified).encode("latin-1")),
        )

    @property
    def body(self) -> bytes:
        if self._body is None:  # made without it, so with its gzip form (__init__)
            self._body = gzip.decompress(cast(bytes, self._gzipped))
        return self._body

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzipped(self.body)
        return self._gzipped

    def _not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        return (if_none_match is not None and _matches(if_none_match, self.etag)) or (
            if_none_match is None
            and if_modified_since is not None
            and _not_modified_since(if_modified_since, self.last_modified)
        )

    def answer(
        self,
        if_none_match: str | None,
        if_modified_since: str | None,
        accept_encoding: str | None,
        status_code: int = 200,
    ) -> Response:
        """The response to a request with these headers (see `_sent`), for the routes."""
        status, headers, body = self._sent(
            if_none_match, if_modified_since, accept_encoding, status_code
        )
        response = Response(body, status_code=status)
        response.raw_headers = headers
        return response

    def wire(
        self,
        if_none_match: str | None,
        if_modified_since: str | None,
        accept_encoding: str | None,
        minimum_compressed: int,
    ) -> Wire:
        """The 200's answer as sent (status, raw headers, body), with the Vary the gzip
        middleware adds to a body of `minimum_compressed` bytes or more that it could have
        compressed: what entrypoints.kept sends ahead of the framework and its middleware."""
        status, headers, body = self._sent(if_none_match, if_modified_since, accept_encoding)
        if self._plain:  # no Vary or Content-Encoding of the route's own
            if status == 200 and len(body) >= minimum_compressed and GZIPPED not in headers:
                headers.append(VARY)
        elif (
            status == 200
            and len(body) >= minimum_compressed
            and not any(name == b"content-encoding" for name, _ in headers)
        ):
            # as MutableHeaders sets it: the first Vary replaced and any other dropped
            vary = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
            for index in reversed(vary[1:]):
                del headers[index]
            if vary:
                headers[vary[0]] = VARY
            else:
                headers.append(VARY)
        return status, headers, body

    def _sent(
        self,
        if_none_match: str | None,
        if_modified_since: str | None,
        accept_encoding: str | None,
        status_code: int = 200,
    ) -> Wire:
        """304 on a matching revalidation, the gzip form to a client that takes it, else the
        body: with the headers in the order Starlette's Response writes them, built without
        one (its header handling was a tenth of a stored page's request;
        tests/unit/test_http_helpers.py compares the two)."""
        if status_code == 200 and self._not_modified(if_none_match, if_modified_since):
            # A 304 carries the headers its 200 would (RFC 9110 15.4.5), Vary included.
            return 304, _raw({**self.headers, "Vary": "Accept-Encoding"}), b""
        if self._plain:
            if self._common is None:
                self._common = self._common_headers()
            if self.size >= GZIP_MINIMUM_SIZE and accepts_gzip(accept_encoding):
                body = self.gzipped
                raw = [*self._common, GZIPPED, VARY, _length(body), _content_type(self.media_type)]
            else:
                body = self.body
                raw = [*self._common, _length(body), _content_type(self.media_type)]
            return status_code, raw, body
        if self.size >= GZIP_MINIMUM_SIZE and accepts_gzip(accept_encoding):
            # The gzip middleware leaves a response with a Content-Encoding as it is.
            body = self.gzipped
            compressed = {**self.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return status_code, self._with_entity_headers(_raw(compressed), body), body
        return status_code, self._with_entity_headers(_raw(self.headers), self.body), self.body

    def _with_entity_headers(self, raw: RawHeaders, body: bytes) -> RawHeaders:
        """Content-Length and Content-Type appended as Starlette's Response.init_headers does."""
        names = {name for name, _ in raw}
        if b"content-length" not in names:
            raw.append(_length(body))
        if b"content-type" not in names:
            raw.append(_content_type(self.media_type))
        return raw


def _length(body: bytes) -> tuple[bytes, bytes]:
    return b"content-length", b"%d" % len(body)


@cache
def _content_type(media_type: str) -> tuple[bytes, bytes]:
    """The Content-Type header Starlette's Response writes for `media_type`."""
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    return b"content-type", media_type.encode("latin-1")


def _raw(headers: Mapping[str, str]) -> RawHeaders:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


def cached_response(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: datetime | None,
    status_code: int = 200,
    *,
    headers: Mapping[str, str] | None = None,
    keep: Keep | None = None,
) -> Response:
    """The response for `body` (see Representation.answer); with `keep`, a 200 is also kept
    for the next requests of the same URL (entrypoints.kept)."""
    representation = Representation(body, media_type, last_modified, headers)
    return answer(request, representation, keep, status_code)


def answer(
    request: Request, representation: Representation, keep: Keep | None, status_code: int = 200
) -> Response:
    if keep is not None and status_code == 200:
        keep_page(request.scope, representation, keep)
    request_headers = request.headers
    return representation.answer(
        request_headers.get("if-none-match"),
        request_headers.get("if-modified-since"),
        request_headers.get("accept-encoding"),
        status_code,
    )
