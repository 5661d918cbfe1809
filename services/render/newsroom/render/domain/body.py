"""The article body as HTML with each canonical-entity mention linked to its entity page.

Mentions index the *plain text* of the body (code points), while the page shows the sanitised
HTML. Both carry the same words in the same order, so offsets are carried across by aligning
their non-whitespace characters; a mention whose text does not match where it lands (say, an
enrichment of an older version) is left unlinked rather than linked to the wrong words. The
result is sanitised with nh3 again before anything marks it safe."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape, unescape
from itertools import accumulate
from operator import sub
from urllib.parse import quote

import nh3

from newsroom.shared.events import EnrichedEntity

ENTITY_LINK_CLASS = "entity-link"

# The body may keep what ingest's sanitiser kept, plus our own link attributes.
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {*nh3.ALLOWED_ATTRIBUTES.get("a", set()), "class", "data-entity-id"},
}


# Built once: nh3.clean(html, attributes=…) builds its sanitiser anew on every call, which
# cost ten times the cleaning of a typical body.
_SANITISER = nh3.Cleaner(attributes=_ALLOWED_ATTRIBUTES)


def sanitise(html: str) -> str:
    """The one gate through which body HTML reaches a template as markup."""
    return _SANITISER.clean(html)


# A tag as nh3 writes it: comments stripped, `<` escaped in text, every attribute value in
# double quotes (where `"` is escaped and `>` is too, but a pattern need not rely on that).
_TAG = re.compile(r'(<[^">]*(?:"[^"]*"[^">]*)*>)')


def entity_path(entity_id: str) -> str:
    # Entity ids contain a slash (person/yulia-peresild) that stays a path separator.
    return "/entities/" + quote(entity_id, safe="/")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entity_id: str
    name: str


# One word with the whitespace before it: the end of each match is the end of its word.
_SPACED_WORD = re.compile(r"\s*\S+")


def _squash(text: str) -> str:
    return "".join(text.split())


class _Words:
    """A text's whitespace-separated words with the count of non-space characters before
    each, so a non-space rank maps to a position with one bisection (no per-character loop).
    Built with C-level list operations only (split, findall, accumulate): this runs for
    every article body on every page build."""

    def __init__(self, text: str) -> None:
        lengths = list(map(len, text.split()))
        ends = accumulate(map(len, _SPACED_WORD.findall(text)))
        self.starts: list[int] = list(map(sub, ends, lengths))
        self.ranks: list[int] = list(accumulate(lengths, initial=0))
        self.total = self.ranks.pop()

    def rank_of(self, position: int) -> int:
        """Non-space characters before `position` (a position inside a word counts its prefix)."""
        index = bisect_right(self.starts, position) - 1
        if index < 0:
            return 0
        word_start = self.starts[index]
        next_rank = self.ranks[index + 1] if index + 1 < len(self.ranks) else self.total
        return min(self.ranks[index] + (position - word_start), next_rank)

    def position_of(self, rank: int) -> int:
        """Position of the non-space character of the given rank."""
        index = bisect_right(self.ranks, rank) - 1
        return self.starts[index] + (rank - self.ranks[index])


class _OffsetMap:
    """Carries plain-text offsets over to the HTML's text by non-whitespace alignment."""

    def __init__(self, plain: str, html_text: str) -> None:
        self.plain = plain
        self.html_text = html_text
        self._aligned = _squash(plain) == _squash(html_text)
        self._plain_words = _Words(plain) if self._aligned else None
        self._html_words = _Words(html_text) if self._aligned else None
        self._cursor = 0

    def locate(self, start: int, end: int, text: str) -> tuple[int, int] | None:
        if self._plain_words is not None and self._html_words is not None:
            if not 0 <= start < end <= len(self.plain):
                return None
            first = self._plain_words.rank_of(start)
            last = self._plain_words.rank_of(end) - 1
            if not first <= last < self._html_words.total:
                return None
            html_start = self._html_words.position_of(first)
            html_end = self._html_words.position_of(last) + 1
            if _squash(self.html_text[html_start:html_end]) == _squash(text):
                return html_start, html_end
            return None
        # The texts differ beyond whitespace: find the words in order instead.
        found = self.html_text.find(text, self._cursor)
        if found < 0:
            return None
        self._cursor = found + len(text)
        return found, found + len(text)


def _spans(entities: Iterable[EnrichedEntity], plain: str, html_text: str) -> list[_Span]:
    mentions = sorted(
        (
            (mention.start, mention.end, mention.text, entity)
            for entity in entities
            for mention in entity.mentions
            if mention.field == "body"
        ),
        key=lambda item: (item[0], -item[1]),
    )
    offsets = _OffsetMap(plain, html_text)
    spans: list[_Span] = []
    for start, end, text, entity in mentions:
        located = offsets.locate(start, end, text)
        if located is None:
            continue
        if spans and located[0] < spans[-1].end:
            continue  # overlapping mentions: the earlier, longer one keeps the link
        spans.append(_Span(located[0], located[1], entity.id, entity.name))
    return spans


def _link(entity_id: str, name: str, text: str) -> str:
    return (
        f'<a class="{ENTITY_LINK_CLASS}" href="{escape(entity_path(entity_id), quote=True)}"'
        f' data-entity-id="{escape(entity_id, quote=True)}" title="{escape(name, quote=True)}">'
        f"{escape(text, quote=False)}</a>"
    )


def link_entities(body_html: str, body_text: str, entities: Iterable[EnrichedEntity]) -> str:
    """Sanitised body HTML with mentions wrapped in links to their entity pages."""
    # Sanitised first: nh3's serialisation is what _TAG relies on, so the tags are copied as
    # they are and only the text between them is read and rewritten.
    parts = _TAG.split(sanitise(body_html))  # text, tag, text, …, text
    texts = [unescape(part) if "&" in part else part for part in parts[::2]]
    html_text = "".join(texts)
    spans = _spans(entities, body_text or html_text, html_text)
    out: list[str] = []
    position = 0
    span_index = 0
    inside_link = 0
    for index, text in enumerate(texts):
        if index:
            tag = parts[2 * index - 1]
            out.append(tag)
            if tag.startswith(("<a ", "<a>")):
                inside_link += 1
            elif tag == "</a>" and inside_link > 0:
                inside_link -= 1
        text_start, text_end = position, position + len(text)
        cursor = text_start
        # Skip spans that began before this text node (they cross a tag: left unlinked).
        while span_index < len(spans) and spans[span_index].start < text_start:
            span_index += 1
        while span_index < len(spans) and spans[span_index].end <= text_end:
            span = spans[span_index]
            span_index += 1
            if inside_link:
                continue
            out.append(escape(text[cursor - text_start : span.start - text_start], False))
            out.append(
                _link(
                    span.entity_id,
                    span.name,
                    text[span.start - text_start : span.end - text_start],
                )
            )
            cursor = span.end
        out.append(escape(text[cursor - text_start :], quote=False))
        position = text_end
    return sanitise("".join(out))
