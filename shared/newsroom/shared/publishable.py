"""What makes an article publishable: the contract the producer edge (ingest) checks before it
answers 202, so that storage and every consumer can take what it accepted. A 202 that a
consumer then cannot store or show (and dead-letters) would leave the sender believing the
story is out.

- Timestamps: inside the range every consumer can convert to any timezone and store: UTC
  between 0001-01-02 and 9999-12-30 (a day of margin each side, so a conversion to a local
  time never leaves the year range `datetime` can represent).
- Text: valid Unicode (encodable as UTF-8: no lone surrogates, which JSON can carry as
  "\\ud800"); refused rather than silently dropped, so the sender learns its text was broken.
- Lengths, in characters: identifiers (uri, version), headline and slugline.
- Picture links: http(s) URLs, or identifiers (`urn:`, `tag:`) that no browser follows;
  never `javascript:`, `data:` or another scheme a browser would run or embed.

`violations(article)` lists what breaks the contract, each with the JSON pointer of the field
in the article; the producer translates that pointer into its wire format's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from newsroom.shared.article import Article

# The wire's identifier of the item; ids, logs and URLs are built from it.
MAX_URI_CHARS = 1000
# inbox_items.version is String(200).
MAX_VERSION_CHARS = 200
# A headline is a line, however long the wire's: 1000 characters is several paragraphs.
MAX_HEADLINE_CHARS = 1000
MAX_SLUGLINE_CHARS = 200
# What the OpenAPI document generates up to; the body's real bound is the request size.
MAX_BODY_TEXT_CHARS = 100_000

EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)

# Schemes a picture's href may have: web addresses, and identifiers nothing dereferences.
LINK_SCHEMES = frozenset({"http", "https"})
IDENTIFIER_SCHEMES = frozenset({"urn", "tag"})

_LIMITS: Mapping[str, int] = {
    "uri": MAX_URI_CHARS,
    "version": MAX_VERSION_CHARS,
    "headline": MAX_HEADLINE_CHARS,
    "slugline": MAX_SLUGLINE_CHARS,
}


@dataclass(frozen=True)
class Violation:
    """`pointer`: RFC 6901 JSON pointer into the article (`/embargo/until`, `/pictures/0/href`)."""

    pointer: str
    reason: str


def moment_problem(moment: datetime) -> str | None:
    """Why `moment` cannot be published, or None."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "the timestamp has no timezone"
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        return (
            f"the timestamp {moment.isoformat()} is outside the range Newsroom publishes "
            f"({EARLIEST.date()} to {LATEST.date()}, UTC)"
        )
    return None


def text_problem(text: str) -> str | None:
    """Why `text` is not valid Unicode text, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"the text holds {text[exc.start : exc.end]!r} at character {exc.start}, a lone "
            "surrogate (not a Unicode character; JSON can carry it as an escape)"
        )
    return None


def is_safe_link(href: str) -> bool:
    """An http(s) URL with a host, or an identifier (`urn:`, `tag:`) nothing follows."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in LINK_SCHEMES:
        return bool(parts.hostname)
    return scheme in IDENTIFIER_SCHEMES


def strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every string in `value` (models, mappings, sequences), with its JSON pointer."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from strings(getattr(value, name), f"{pointer}/{name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(item, f"{pointer}/{_escape(str(key))}")
    elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        for index, item in enumerate(value):
            yield from strings(item, f"{pointer}/{index}")


def violations(article: Article) -> list[Violation]:
    """What stops `article` from being published (empty: it is publishable)."""
    found: list[Violation] = []
    moments = {
        "/versioncreated": article.versioncreated,
        "/firstcreated": article.firstcreated,
        "/embargo/until": article.embargo.until if article.embargo else None,
    }
    for pointer, moment in moments.items():
        problem = moment_problem(moment) if moment is not None else None
        if problem is not None:
            found.append(Violation(pointer, problem))
    for pointer, text in strings(article):
        problem = text_problem(text)
        if problem is not None:
            found.append(Violation(pointer, problem))
    for name, limit in _LIMITS.items():
        value = getattr(article, name)
        if value is not None and len(value) > limit:
            found.append(
                Violation(
                    f"/{name}",
                    f"the {name} is {len(value)} characters long; at most {limit} are accepted",
                )
            )
    for index, picture in enumerate(article.pictures):
        if not is_safe_link(picture.href):
            found.append(
                Violation(
                    f"/pictures/{index}/href",
                    "a picture's href must be an http(s) URL or an identifier (urn:, tag:)",
                )
            )
    return found


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
