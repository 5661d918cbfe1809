"""Which wire format a body is: declared by Content-Type, confirmed by the body itself.

The Content-Type says JSON or XML (and sometimes more: `application/nitf+xml`,
`application/rss+xml`); the body decides the rest — for XML, the root element names the
format. A body that contradicts its Content-Type (XML sent as JSON, HTML sent as XML) or that
is neither is refused with 415, because guessing would turn a partner's misconfiguration into
silently wrong articles."""

from __future__ import annotations

from enum import StrEnum

from newsroom.ingest.domain.errors import MalformedBody, UnsupportedFormat, UnusableItem


class WireFormat(StrEnum):
    NINJS = "ninjs"
    NEWSML_G2 = "newsml-g2"
    NITF = "nitf"
    FEED = "feed"  # RSS 2.0 / RSS 1.0 (RDF) / Atom


class Syntax(StrEnum):
    JSON = "json"
    XML = "xml"


_JSON_TYPES = frozenset({"application/json", "text/json", "application/ninjs+json"})
_XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/vnd.iptc.g2.newsitem+xml",
        "application/vnd.iptc.g2.newsmessage+xml",
        "application/nitf+xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
    }
)
# Content types too generic to say anything: trust the body alone.
_UNDECLARED = frozenset({"", "application/octet-stream", "text/plain"})

_UTF8_BOM = b"\xef\xbb\xbf"
_G2_FRAGMENTS = frozenset(
    {"contentSet", "contentMeta", "itemMeta", "inlineXML", "inlineData", "itemSet", "header"}
)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def declared_syntax(content_type: str | None) -> Syntax | None:
    """JSON or XML from the Content-Type; None when it declares nothing useful.
    Raises 415 for a type that is clearly something else (text/html, image/jpeg, …)."""
    kind = media_type(content_type)
    if kind in _UNDECLARED:
        return None
    if kind in _JSON_TYPES or kind.endswith("+json"):
        return Syntax.JSON
    if kind in _XML_TYPES or kind.endswith("+xml"):
        return Syntax.XML
    raise UnsupportedFormat(
        f"Content-Type {kind!r} is not a wire format Newsroom reads "
        "(send ninjs as application/json, NewsML-G2, NITF, RSS or Atom as application/xml)"
    )


def body_syntax(body: bytes) -> Syntax | None:
    """JSON or XML from the first meaningful byte; None when it is neither.

    UTF-16/32 XML starts with a BOM or a zero byte; those go to the XML parser, which reads
    the declared encoding."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Syntax.XML
    head = body[len(_UTF8_BOM) :] if body.startswith(_UTF8_BOM) else body
    head = head.lstrip(b" \t\r\n")
    if head[:1] in (b"{", b"["):
        return Syntax.JSON
    if head[:1] == b"<":
        return Syntax.XML
    return None


def choose_syntax(body: bytes, content_type: str | None) -> Syntax:
    declared = declared_syntax(content_type)
    if not body.strip():
        raise MalformedBody("the body is empty")
    sniffed = body_syntax(body)
    if sniffed is None:
        if declared is not None and body.strip():
            # Declared JSON/XML but the body starts with neither: the parser will say why.
            return declared
        raise UnsupportedFormat("the body is neither JSON nor XML")
    if declared is not None and declared is not sniffed:
        raise UnsupportedFormat(
            f"Content-Type {media_type(content_type)!r} declares {declared.value.upper()}, "
            f"but the body is {sniffed.value.upper()}"
        )
    return sniffed


def xml_format(root_local_name: str, namespace: str | None) -> WireFormat:
    """The format an XML root element names; 415 for XML that is no wire format."""
    name = root_local_name
    if name in {"newsMessage", "newsItem", "packageItem", "conceptItem", "knowledgeItem"}:
        return WireFormat.NEWSML_G2
    if name == "nitf":
        return WireFormat.NITF
    if name in {"rss", "feed", "RDF"}:
        return WireFormat.FEED
    if name in _G2_FRAGMENTS:
        # Recognisably NewsML-G2, but a piece of an item: no guid, no version, no status.
        raise UnusableItem(
            f"<{name}> is a fragment of a NewsML-G2 item, not an item: it has no identifier "
            "(guid) or version; send the whole newsItem or newsMessage",
            pointer=f"/{name}",
        )
    if name == "html" or (namespace or "").endswith("xhtml"):
        raise UnsupportedFormat("the body is an HTML page, not a wire item")
    raise UnsupportedFormat(f"the XML root element <{name}> is not NewsML-G2, NITF, RSS or Atom")
