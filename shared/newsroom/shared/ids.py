"""Deterministic identifiers: the same input always yields the same id, so retries and
redeliveries can be recognised and dropped by every consumer."""

from __future__ import annotations

import uuid

from slugify import slugify

# A fixed namespace for every Newsroom uuid5; never change it, ids are stored everywhere.
NEWSROOM_NAMESPACE = uuid.UUID("7b0c1d0e-5a0f-4d55-9a51-6e65777372f0")


def _uuid5(*parts: str) -> str:
    # A separator that cannot appear in the parts keeps ("a", "bc") and ("ab", "c") apart.
    return str(uuid.uuid5(NEWSROOM_NAMESPACE, "\x1f".join(parts)))


def article_id(source: str, uri: str) -> str:
    """One article per (source, wire uri), whatever version is sent."""
    return _uuid5("article", source, uri)


def article_event_id(source: str, uri: str, version: str) -> str:
    """One event per (source, uri, version): the same delivery twice yields the same id."""
    return _uuid5("article-event", source, uri, version)


def derived_event_id(kind: str, cause_event_id: str) -> str:
    """Id of an event derived from another (e.g. an enrichment of an article event)."""
    return _uuid5("derived", kind, cause_event_id)


def article_slug(headline: str, article_id: str) -> str:
    """The article's URL slug: readable words of its first headline plus a short id, so two
    stories with one headline never collide. Ingest fixes it at the first version it sees and
    every later event of the article carries the same slug."""
    words = slugify(headline, max_length=80, word_boundary=True) or "story"
    return f"{words}-{article_id.replace('-', '')[:8]}"
