"""Wire formats → canonical `Article`s.

`parse_wire_items` is the one entry point: it picks the format from the Content-Type,
confirms it by sniffing the body, and returns every article the body carries (an RSS
document or a NewsML-G2 newsMessage carry several).

One module per format (`ninjs`, `newsml_g2`, `nitf`, `feeds`); `sniff` decides which,
`xml` parses XML safely, `html` sanitises, `dates` reads wire timestamps, and `draft`
holds the rules every format shares (what makes an item usable)."""

from __future__ import annotations

from datetime import datetime

from newsroom.ingest.domain.formats.dates import zone
from newsroom.ingest.domain.formats.feeds import parse_feeds
from newsroom.ingest.domain.formats.newsml_g2 import parse_newsml_g2
from newsroom.ingest.domain.formats.ninjs import parse_ninjs
from newsroom.ingest.domain.formats.nitf import parse_nitf
from newsroom.ingest.domain.formats.sniff import Syntax, WireFormat, choose_syntax, xml_format
from newsroom.ingest.domain.formats.xml import local_name, namespace, parse_xml
from newsroom.shared.article import Article

__all__ = ["WireFormat", "parse_wire_items"]


def parse_wire_items(
    body: bytes,
    content_type: str | None,
    *,
    source: str,
    default_timezone: str = "UTC",
    received_at: datetime | None = None,
) -> list[Article]:
    """Raises UnsupportedFormat (415), MalformedBody (400) or UnusableItem (422)
    from `newsroom.ingest.domain.errors`.

    `default_timezone` (an IANA name) is the zone of timestamps sent without an offset;
    an unknown name raises ValueError (a configuration error, not the partner's).
    `received_at` (when ingest received the body) dates an item that carries no timestamp; without
    it such an item is refused."""
    zone(default_timezone)  # fail fast on a misconfigured source, whatever the body
    if choose_syntax(body, content_type) is Syntax.JSON:
        return parse_ninjs(
            body, source=source, default_timezone=default_timezone, received_at=received_at
        )
    root = parse_xml(body)
    wire_format = xml_format(local_name(root), namespace(root))
    if wire_format is WireFormat.NEWSML_G2:
        return parse_newsml_g2(
            root, body, source=source, default_timezone=default_timezone, received_at=received_at
        )
    if wire_format is WireFormat.NITF:
        return parse_nitf(
            root, body, source=source, default_timezone=default_timezone, received_at=received_at
        )
    return parse_feeds(
        root, body, source=source, default_timezone=default_timezone, received_at=received_at
    )
