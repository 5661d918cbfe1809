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
import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache

from fastapi import Request, Response

from newsroom.render.entrypoints.middleware import GZIP_LEVEL, GZIP_MINIMUM_SIZE

COMPRESSED_KEPT = 256  # bodies whose gzip form is kept (with the body: a few MB)


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


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


@lru_cache(maxsize=COMPRESSED_KEPT)
def gzipped(body: bytes) -> bytes:
    """`body` gzip-compressed (deterministically: no timestamp in the header)."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding takes gzip (by name or `*`, with a q above 0)."""
    for part in (accept_encoding or "").split(","):
        coding, *parameters = (field.strip().lower() for field in part.split(";"))
        if coding in ("gzip", "*"):
            for parameter in parameters:
                if parameter.startswith("q="):
                    try:
                        return float(parameter[2:]) > 0
                    except ValueError:
                        return False
            return True
    return False


def cached_response(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: datetime | None,
    status_code: int = 200,
) -> Response:
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=0, must-revalidate"}
    modified = (last_modified or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if status_code == 200:
        if_none_match = request.headers.get("if-none-match")
        if_modified_since = request.headers.get("if-modified-since")
        if (if_none_match is not None and _matches(if_none_match, etag)) or (
            if_none_match is None
            and if_modified_since is not None
            and _not_modified_since(if_modified_since, modified)
        ):
            # A 304 carries the headers its 200 would (RFC 9110 15.4.5), Vary included.
            return Response(status_code=304, headers={**headers, "Vary": "Accept-Encoding"})
    if len(body) >= GZIP_MINIMUM_SIZE and accepts_gzip(request.headers.get("accept-encoding")):
        # The gzip middleware leaves a response with a Content-Encoding as it is.
        headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        body = gzipped(body)
    return Response(body, status_code=status_code, media_type=media_type, headers=headers)
