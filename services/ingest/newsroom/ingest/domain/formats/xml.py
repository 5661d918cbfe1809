"""Safe XML parsing for everything a wire pushes.

lxml with every dangerous feature off: no DTD loading (a `<!DOCTYPE>` pointing at an
external DTD is never fetched), no network, no entity substitution, no huge-tree mode.
On top of that, a document that *declares* entities in its internal subset is refused
outright: no wire format needs them, and they are exactly what billion-laughs and XXE
attacks are made of. Refusing (400) rather than silently dropping them tells the partner
why their item did not go through."""

from __future__ import annotations

import html
from copy import deepcopy

from lxml import etree

from newsroom.ingest.domain.errors import MalformedBody


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes) -> etree._Element:
    """The root element, or MalformedBody naming what is wrong.

    Bytes go to lxml untouched so the document's own encoding declaration (ISO-8859-1 NITF)
    and byte-order mark are honoured."""
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedBody(f"the body is not well-formed XML: {exc}") from exc
    if root is None:
        raise MalformedBody("the body holds no XML element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise MalformedBody(
            "the XML declares entities in its DOCTYPE; entity declarations are refused "
            "(they are how entity-expansion and external-entity attacks work)"
        )
    return root


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def namespace(element: etree._Element) -> str | None:
    return etree.QName(element).namespace if isinstance(element.tag, str) else None


# --- Namespace-agnostic navigation -------------------------------------------------------
# Wires send NewsML-G2 and NITF with a default namespace, with prefixes (`ns0:`), or with no
# namespace at all (TT); matching on local names reads all three the same way.


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if local_name(child) == name]


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down `path` (local names), or None."""
    current = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if local_name(c) == name), None)
    return current


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in element.iter() if local_name(e) == name]


def text_of(element: etree._Element | None) -> str | None:
    """All text inside, whitespace collapsed; None when there is none."""
    if element is None:
        return None
    chunks: list[str] = []
    _collect_text(element, chunks)
    text = " ".join("".join(chunks).split())
    return text or None


def _collect_text(element: etree._Element, chunks: list[str]) -> None:
    if isinstance(element.tag, str):
        chunks.append(element.text or "")
    for node in element:
        if isinstance(node, etree._Entity):
            # An entity from an external DTD that is (rightly) never loaded, e.g. `&mdash;`:
            # NITF's DTD uses the HTML names, so read it as HTML would.
            chunks.append(html.unescape(node.text or ""))
        elif isinstance(node.tag, str):
            _collect_text(node, chunks)
        chunks.append(node.tail or "")


def attribute(element: etree._Element | None, name: str) -> str | None:
    """An attribute by local name (`xml:lang` is asked for as `lang`)."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if etree.QName(key).localname == name and str(value).strip():
            return str(value).strip()
    return None


def inner_markup(element: etree._Element) -> str:
    """The element's content as HTML: namespaces dropped (XHTML in a G2 document is
    namespaced, TT's and STT's is not, some inherit the G2 default), serialised with the
    HTML method so empty `<p/>` becomes `<p></p>`."""
    copy = deepcopy(element)
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
            for key in list(node.attrib):
                local = etree.QName(key).localname
                if local != key:
                    value = node.attrib.pop(key)
                    if local not in node.attrib:
                        node.set(local, value)
    etree.cleanup_namespaces(copy)
    parts = [copy.text or ""]
    parts.extend(etree.tostring(c, method="html", encoding="unicode", with_tail=True) for c in copy)
    return "".join(parts).strip()
