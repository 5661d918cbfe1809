"""Which public pages an article contributes to, and so which pages a change touches.

A page changes when what the article contributes to it changes. The contribution of one
article to each page is summarised as a fingerprint (a hash of exactly the data that page
shows of it); comparing the fingerprints before and after an event names the pages whose
content changed, so caches purge those and no others."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsroom.render.domain.body import entity_path
from newsroom.render.domain.json_views import article_json
from newsroom.render.domain.projection import ArticleState, ArticleStatus
from newsroom.render.domain.views import (
    article_api_path,
    article_path,
    entity_api_path,
    entity_rows,
    timeline_rows,
)

FRONT_PAGE = "/"
FEED = "/feed.atom"
SITEMAP = "/sitemap.xml"
TIMELINE = "/timeline"
ARTICLES_API = "/api/articles"
ENTITIES_API = "/api/entities"
# The sitemap index's files: they change when SITEMAP does (one footprint for all of them).
SITEMAP_PAGES = "/sitemaps/pages.xml"
NEWS_SITEMAP = "/sitemaps/news.xml"


def month_sitemap_path(year: int, month: int, part: int) -> str:
    return f"/sitemaps/stories/{year:04d}/{month:02d}/{part}.xml"


def entity_sitemap_path(part: int) -> str:
    return f"/sitemaps/entities/{part}.xml"


def _digest(data: Any) -> str:
    encoded = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class Footprint:
    """What one article shows on each page at one moment (None: it is not on that page)."""

    slug: str | None
    article_page: str  # the article's own page and API document
    listing: str | None  # front page, feed, list API
    sitemap: str | None
    timeline: str | None
    entities: dict[str, str] = field(default_factory=dict)
    entity_list: str | None = None  # what it adds to /api/entities (ids, names, types)


def footprint(state: ArticleState | None, now: datetime) -> Footprint:
    if state is None:
        return Footprint(
            slug=None, article_page="absent", listing=None, sitemap=None, timeline=None
        )
    slug = state.slug
    if not state.is_visible(now):
        withdrawal = state.withdrawal
        gone = state.status is ArticleStatus.WITHDRAWN and withdrawal is not None
        page = _digest(["gone", withdrawal.ednote]) if gone and withdrawal else "absent"
        return Footprint(slug=slug, article_page=page, listing=None, sitemap=None, timeline=None)
    article = state.article
    assert article is not None  # visible implies a current version
    listing = [
        slug,
        article.headline,
        article.standfirst,
        article.urgency,
        article.versioncreated,
        article.firstcreated,
        article.byline,
    ]
    rows = entity_rows(state)
    names = sorted((row.entity_id, row.name) for row in rows)
    typed = sorted((row.entity_id, row.name, row.type) for row in rows)
    timeline = [
        [row.value, row.granularity, row.text, row.sentence, list(row.entity_ids)]
        for row in timeline_rows(state)
    ]
    entities = {
        row.entity_id: _digest(
            [
                row.name,
                row.type,
                row.sentence,
                listing,
                names,
                [entry for entry in timeline if row.entity_id in entry[4]],
            ]
        )
        for row in rows
    }
    return Footprint(
        slug=slug,
        article_page=_digest(article_json(state)),
        listing=_digest(listing),
        sitemap=_digest([slug, article.versioncreated, names]),
        timeline=_digest([slug, article.headline, timeline]) if timeline else None,
        entities=entities,
        entity_list=_digest(typed) if typed else None,
    )


@dataclass(frozen=True)
class PageChange:
    path: str
    reason: str


def changed_pages(
    before: Footprint, after: Footprint, reason: str, article_id: str
) -> list[PageChange]:
    """The pages whose content differs between two footprints of one article."""
    paths: list[str] = []
    if before.article_page != after.article_page:
        for slug in dict.fromkeys(s for s in (before.slug, after.slug) if s):
            paths.append(article_path(slug))
        paths.append(article_api_path(article_id))
    if before.listing != after.listing:
        paths += [FRONT_PAGE, FEED, ARTICLES_API]
    if before.sitemap != after.sitemap:
        paths.append(SITEMAP)
    if before.timeline != after.timeline:
        paths.append(TIMELINE)
    if before.entity_list != after.entity_list:
        paths.append(ENTITIES_API)
    for entity_id in sorted(before.entities.keys() | after.entities.keys()):
        if before.entities.get(entity_id) != after.entities.get(entity_id):
            paths += [entity_path(entity_id), entity_api_path(entity_id)]
    return [PageChange(path, reason) for path in dict.fromkeys(paths)]


def change_reason(
    before: ArticleState | None, after: ArticleState, now: datetime, kind: str
) -> str:
    """A word for caches and people reading the pages stream."""
    was_visible = before is not None and before.is_visible(now)
    if after.status is ArticleStatus.WITHDRAWN and (
        before is None or before.status is not ArticleStatus.WITHDRAWN
    ):
        return "article-withdrawn"
    if after.is_visible(now) and not was_visible:
        return "article-published"
    if was_visible and not after.is_visible(now):
        return "article-hidden"
    return kind
