"""Wire HTML → safe HTML and plain text.

Everything a wire calls HTML passes through nh3 (ammonia) before it enters an event: scripts
and styles are dropped with their content, event-handler attributes and `javascript:` URLs
are removed, because the HTML ends up verbatim in pages readers open."""

from __future__ import annotations

import html as stdlib_html
import re

import nh3
from lxml import etree
from lxml import html as lxml_html

# Elements that end a paragraph-like block in the plain-text rendering.
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "table", "tr", "section", "article", "header", "footer",
        "figure", "figcaption", "hr", "dd", "dt", "dl", "aside",
    }
)  # fmt: skip
# Picture furniture inside a body (image, caption, photographer's credit) is not story text;
# keeping it out of the plain body keeps credit lines out of entity extraction.
_NOT_BODY_TEXT = frozenset({"figure", "img", "picture"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def sanitise_html(markup: str) -> str:
    """nh3 with its defaults (a conservative allow-list; script/style removed with content;
    only http(s), mailto and similar URL schemes), links marked noopener noreferrer."""
    return nh3.clean(markup).strip()


def html_to_text(markup: str) -> str:
    """Readable text: one paragraph per block element, whitespace collapsed, entities decoded."""
    if not markup.strip():
        return ""
    # Sanitise first so script/style text never leaks into the plain body either.
    root = lxml_html.fragment_fromstring(sanitise_html(markup), create_parent="div")
    chunks: list[str] = []
    _walk_text(root, chunks)
    text = "".join(chunks)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _walk_text(element: etree._Element, chunks: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in _NOT_BODY_TEXT:
        return
    block = tag.lower() in _BLOCK_TAGS
    if block:
        chunks.append("\n\n")
    if element.text and tag:
        chunks.append(element.text.replace("\n", " "))
    for child in element:
        _walk_text(child, chunks)
        if child.tail:
            chunks.append(child.tail.replace("\n", " "))
    if block:
        chunks.append("\n\n")


def text_to_html(text: str) -> str:
    """Plain wire text → paragraphs. Blank lines separate paragraphs; when a wire uses single
    newlines only (common in agency copy), each line is a paragraph."""
    stripped = text.strip()
    if not stripped:
        return ""
    paragraphs = (
        _BLANK_LINES.split(stripped) if _BLANK_LINES.search(stripped) else stripped.split("\n")
    )
    return "".join(
        f"<p>{stdlib_html.escape(' '.join(p.split()))}</p>" for p in paragraphs if p.strip()
    )


def looks_like_html(value: str) -> bool:
    """ninjs bodies without a content type: HTML when they contain a tag."""
    return re.search(r"<[a-zA-Z][^>]*>", value) is not None


def normalise_text(text: str) -> str:
    """Plain text as sent, with runs of spaces collapsed and paragraphs kept."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
