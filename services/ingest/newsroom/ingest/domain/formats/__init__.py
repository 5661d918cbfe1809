"""Wire formats → canonical `Article`s.

`parse_wire_items` is the one entry point: it picks the format from the Content-Type,
confirms it by sniffing the body, and returns every article the body carries (an RSS
document or a NewsML-G2 newsMessage carry several)."""

from __future__ import annotations

from newsroom.shared.article import Article


def parse_wire_items(
    body: bytes, content_type: str | None, *, source: str, default_timezone: str = "UTC"
) -> list[Article]:
    """Raises UnsupportedFormat (415), MalformedBody (400) or UnusableItem (422)
    from `newsroom.ingest.domain.errors`."""
    raise NotImplementedError
