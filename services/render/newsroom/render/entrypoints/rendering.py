"""Jinja2 environment and the data each template receives (also used by the benchmark to
render the same templates with the same data, bare)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from newsroom.render.application.read_pages import Feed
from newsroom.render.domain.body import entity_path
from newsroom.render.domain.json_views import Links
from newsroom.render.domain.keyset import encode_cursor
from newsroom.render.domain.read_model import DatedEntry, EntityData, Listing
from newsroom.render.domain.text import timex_groups, timex_label
from newsroom.render.domain.views import ArticlePage, EntityRef, json_ld


def _time_value(moment: datetime) -> str:
    """A `<time datetime>` value to the second."""
    return moment.replace(microsecond=0).isoformat()


def _shown_minute(moment: datetime) -> str:
    return moment.strftime("%-d %b %Y, %H:%M UTC")


def _shown_second(moment: datetime) -> str:
    return moment.strftime("%-d %b %Y, %H:%M:%S UTC")


# Filters, not method calls in the templates: Jinja calls a filter directly, while each
# `{{ moment.strftime(…) }}` goes through its attribute lookup and Context.call, a tenth of an
# article page's rendering for its few dates.
FILTERS = {
    "isoformat": datetime.isoformat,
    "time_value": _time_value,
    "shown_minute": _shown_minute,
    "shown_second": _shown_second,
}


@cache
def environment() -> Environment:
    templates = Environment(
        loader=PackageLoader("newsroom.render", "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        auto_reload=False,
    )
    templates.filters.update(FILTERS)
    return templates


def render(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)


def article_context(page: ArticlePage, base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "lang": page.language or "en",
        "page": page,
        # page.body_html comes out of domain.body.sanitise (nh3), so it may be marked safe.
        "body": Markup(page.body_html),  # noqa: S704
        "jsonld": json_ld(page, base_url),
    }


def front_context(stories: list[Listing], base_url: str, links: Links) -> dict[str, Any]:
    # In the order the pages are cut in (first publication, newest first), showing that time:
    # re-ranking within a page would shuffle the dates from one page to the next.
    return {"base_url": base_url, "stories": stories, "links": links}


def feed_context(feed: Feed, base_url: str, archive: str | None) -> dict[str, Any]:
    """The subscription document (`archive` None) or the archive page starting at the cursor
    `archive` (RFC 5005): entries, tombstones (RFC 6721) and the archive links."""
    times = [s.modified for s in feed.stories] + [d.when for d in feed.deleted]
    updated = max(times, default=datetime(1970, 1, 1, tzinfo=UTC))
    return {
        "base_url": base_url,
        "stories": feed.stories,
        "deleted": feed.deleted,
        "updated": updated,
        "self_path": f"/feed/archive/{archive}.atom" if archive else "/feed.atom",
        "archive": archive is not None,
        "prev_archive": (
            f"/feed/archive/{encode_cursor(feed.prev_archive)}.atom" if feed.prev_archive else None
        ),
    }


def sitemap_context(
    stories: list[Listing], entity_ids: list[str], base_url: str, paths: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "paths": paths,
        "stories": stories,
        "entity_paths": [entity_path(i) for i in entity_ids],
    }


@dataclass(frozen=True)
class DatedItem:
    value: str
    label: str
    text: str
    sentence: str
    slug: str
    headline: str
    entities: list[EntityRef]


def dated_items(entries: list[DatedEntry], names: dict[str, tuple[str, str]]) -> list[DatedItem]:
    return [
        DatedItem(
            value=entry.value,
            label=timex_label(entry.value, entry.granularity, entry.mod),
            text=entry.text,
            sentence=entry.sentence,
            slug=entry.listing.slug,
            headline=entry.listing.headline,
            entities=[
                EntityRef(i, names[i][0], names[i][1], entity_path(i))
                for i in entry.entity_ids
                if i in names
            ],
        )
        for entry in entries
    ]


def entity_context(
    entity: EntityData, names: dict[str, tuple[str, str]], base_url: str, links: Links
) -> dict[str, Any]:
    related = [
        {"path": entity_path(r.entity_id), "name": r.name, "type": r.type, "articles": r.articles}
        for r in entity.related
    ]
    return {
        "base_url": base_url,
        "path": entity_path(entity.entity_id),
        "entity": entity_view(entity, related),
        "timeline": dated_items(entity.timeline, names),
        "links": links,
    }


@dataclass(frozen=True)
class _EntityView:
    entity_id: str
    name: str
    type: str
    articles: int
    mentions: list[Any]
    related: list[dict[str, Any]]


def entity_view(entity: EntityData, related: list[dict[str, Any]]) -> _EntityView:
    return _EntityView(
        entity.entity_id, entity.name, entity.type, entity.articles, entity.mentions.items, related
    )


@dataclass
class _Group:
    key: str
    label: str
    entries: list[DatedItem] = field(default_factory=list)
    months: list[_Group] = field(default_factory=list)
    days: list[_Group] = field(default_factory=list)


def timeline_path(year: int | None = None, month: int | None = None) -> str:
    if year is None:
        return "/timeline"
    return f"/timeline/{year}" if month is None else f"/timeline/{year}/{month:02d}"


def _period_nav(year: int | None, month: int | None) -> dict[str, str | None]:
    """Links to the periods beside the one shown, and the one around it."""
    if year is None:
        return {"earlier": None, "later": None, "up": None}
    if month is None:
        return {
            "earlier": timeline_path(year - 1) if year > 1 else None,
            "later": timeline_path(year + 1) if year < 9998 else None,
            "up": timeline_path(),
        }
    earlier = (year - 1, 12) if month == 1 else (year, month - 1)
    later = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        "earlier": timeline_path(*earlier) if earlier[0] >= 1 else None,
        "later": timeline_path(*later) if later[0] <= 9998 else None,
        "up": timeline_path(year),
    }


def timeline_context(
    items: list[DatedItem],
    base_url: str,
    links: Links,
    period_year: int | None = None,
    period_month: int | None = None,
) -> dict[str, Any]:
    """Entries grouped by year, month and day, each at the granularity it was written in, in
    the order of the periods they name (the page's order)."""
    years: dict[str, _Group] = {}
    months: dict[str, _Group] = {}
    days: dict[str, _Group] = {}
    for item in items:
        year_key, month_key, day_key = timex_groups(item.value)
        year = years.setdefault(year_key, _Group(year_key, year_key))
        if month_key is None:
            year.entries.append(item)
            continue
        if month_key not in months:
            months[month_key] = _Group(month_key, timex_label(month_key, "month"))
            year.months.append(months[month_key])
        month = months[month_key]
        if day_key is None:
            month.entries.append(item)
            continue
        if day_key not in days:
            day = date.fromisoformat(day_key)
            days[day_key] = _Group(day_key, f"{day:%A} {day.day} {day:%B %Y}")
            month.days.append(days[day_key])
        days[day_key].entries.append(item)
    title = "Timeline"
    if period_year is not None:
        title = (
            timex_label(f"{period_year:04d}-{period_month:02d}", "month")
            if period_month
            else f"{period_year:04d}"
        )
    return {
        "base_url": base_url,
        "years": list(years.values()),
        "links": links,
        "title": title,
        "period": _period_nav(period_year, period_month),
    }
