"""RSS 2.0, RSS 1.0 and Atom documents pushed to the webhook: every entry is an article.

feedparser reads the feed (after `xml.py` has already checked the body is safe XML, so no
entity declaration ever reaches it). Per entry: uri from `id`/`guid`, else `link`; the
version time from `updated`, else `published` (an entry has no version number, so the
version is that time); headline from `title`; body from `content`, else `summary` (then the
summary is not also the standfirst); byline from `author`; subjects from categories;
pictures from Media RSS and image enclosures.

A feed is taken whole, like a NewsML-G2 message: an unusable entry refuses the document
(422 naming the entry), so the partner fixes and resends it instead of losing a story."""

from __future__ import annotations

import calendar
import io
import time
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree

from newsroom.ingest.domain.errors import MalformedBody, UnusableItem
from newsroom.ingest.domain.formats.dates import parse_wire_datetime
from newsroom.ingest.domain.formats.draft import ArticleDraft, Pointers
from newsroom.ingest.domain.formats.html import html_to_text
from newsroom.shared.article import Article, Picture, Subject


def parse_feeds(
    root: etree._Element,
    body: bytes,
    *,
    source: str,
    default_timezone: str,
    received_at: datetime | None = None,
) -> list[Article]:
    # A stream, not the bytes: feedparser tries bytes and str as a file name (and str as a
    # URL) before it parses them.
    parsed = feedparser.parse(io.BytesIO(body))
    if parsed.get("bozo") and not parsed.get("entries"):
        raise MalformedBody(f"the feed cannot be read: {parsed.get('bozo_exception')}")
    entries = list(parsed.get("entries") or [])
    if not entries:
        raise UnusableItem("the feed has no entries", pointer="/")
    feed = parsed.get("feed") or {}
    language = feed.get("language")
    fallback_time = _when(feed, ("updated", "published"), default_timezone)
    return [
        _article(
            entry,
            index,
            source=source,
            default_timezone=default_timezone,
            received_at=received_at,
            language=language,
            fallback_time=fallback_time,
            # RSS <copyright>, Atom <rights>: feedparser calls both `rights`.
            rights=feed.get("rights"),
        )
        for index, entry in enumerate(entries, start=1)
    ]


def _when(record: Any, keys: tuple[str, ...], default_timezone: str) -> datetime | None:
    """The raw string first (so an offset-less date is read in the source's zone); then
    feedparser's own parse (UTC), which also reads the many non-standard date forms."""
    for key in keys:
        # dict.get, not FeedParserDict.get: the latter silently maps a missing `updated` to
        # `published` (with a deprecation warning); the fallback order is ours to choose.
        raw = dict.get(record, key)
        if isinstance(raw, str) and raw.strip():
            try:
                return parse_wire_datetime(raw, default_timezone)
            except ValueError:
                pass
        struct = dict.get(record, f"{key}_parsed")
        if isinstance(struct, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    return None


def _article(
    entry: Any,
    index: int,
    *,
    source: str,
    default_timezone: str,
    received_at: datetime | None,
    language: str | None,
    fallback_time: datetime | None,
    rights: str | None,
) -> Article:
    at = f"/entries/{index}"
    draft = ArticleDraft(
        source=source,
        pointers=Pointers(
            uri=f"{at}/id",
            versioncreated=f"{at}/updated",
            headline=f"{at}/title",
            body=f"{at}/content",
            type=at,
            # An entry's version is its time.
            version=f"{at}/updated",
        ),
        received_at=received_at,
    )
    link = (entry.get("link") or "").strip() or None
    draft.uri = (entry.get("id") or "").strip() or link
    draft.versioncreated = _when(entry, ("updated", "published"), default_timezone)
    draft.firstcreated = _when(entry, ("published", "created"), default_timezone)
    if draft.versioncreated is None:
        # An entry without dates is as old as the feed that carries it.
        draft.versioncreated = fallback_time
    draft.headline = entry.get("title")
    content = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
    summary = entry.get("summary")
    body_detail = content[0] if content else entry.get("summary_detail") or {}
    body_value = (content[0].get("value") if content else summary) or ""
    if "html" in (body_detail.get("type") or "text/html"):
        draft.body_html = body_value
    else:
        draft.body_text = body_value
    if content and summary and summary.strip() != body_value.strip():
        draft.standfirst = _plain(summary)
    draft.byline = entry.get("author")
    draft.language = (
        (content[0].get("language") if content else None)
        or (entry.get("title_detail") or {}).get("language")
        or language
    )
    draft.subjects = [
        Subject(
            name=tag.get("label") or tag.get("term"), code=tag.get("term"), scheme=tag.get("scheme")
        )
        for tag in entry.get("tags") or []
        if tag.get("term") or tag.get("label")
    ]
    draft.pictures = _pictures(entry)
    draft.rights_notice = entry.get("rights") or rights
    return draft.finish()


def _plain(value: str) -> str:
    return html_to_text(value)


def _pictures(entry: Any) -> list[Picture]:
    pictures: list[Picture] = []
    seen: set[str] = set()
    candidates = [
        *(entry.get("media_content") or []),
        *(
            {"url": e.get("href"), "type": e.get("type")}
            for e in entry.get("enclosures") or []
            if (e.get("type") or "").startswith("image/")
        ),
        *(entry.get("media_thumbnail") or []),
    ]
    for media in candidates:
        href = media.get("url") or media.get("href")
        medium = media.get("medium") or (media.get("type") or "image/").split("/")[0]
        if not href or href in seen or medium not in {"image", ""}:
            continue
        seen.add(href)
        pictures.append(
            Picture(
                href=href,
                caption=(entry.get("media_description") or None),
                credit=(entry.get("media_credit") or [{}])[0].get("content")
                if isinstance(entry.get("media_credit"), list)
                else None,
                mimetype=media.get("type"),
                width=_int(media.get("width")),
                height=_int(media.get("height")),
            )
        )
    return pictures


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
