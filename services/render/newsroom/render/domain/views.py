"""What each page shows, built from the projection: pure data for templates and JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from newsroom.render.domain.body import entity_path, link_entities, sanitise
from newsroom.render.domain.bylines import Author, Byline, parse_byline
from newsroom.render.domain.history import VersionChange, version_changes
from newsroom.render.domain.html_time import html_datetime
from newsroom.render.domain.projection import ArticleState, Enrichment
from newsroom.render.domain.text import language_tag, sentence_at, sentences, timex_label
from newsroom.render.domain.urls import public_url, web_url
from newsroom.shared.article import Article, Picture, Rights
from newsroom.shared.events import EnrichedEntity, EntityMention, TimelineEntry


def article_path(slug: str) -> str:
    return f"/articles/{slug}"


def article_api_path(article_id: str) -> str:
    return f"/api/articles/{article_id}"


def entity_api_path(entity_id: str) -> str:
    return "/api" + entity_path(entity_id)


# ---------------------------------------------------------------- rows for the index tables


@dataclass(frozen=True)
class EntityRow:
    entity_id: str
    name: str
    type: str
    mention_count: int
    salience: float
    sentence: str


@dataclass(frozen=True)
class TimelineRow:
    position: int
    value: str
    type: str
    granularity: str
    mod: str | None
    text: str
    sentence: str
    entity_ids: tuple[str, ...]


def _field_text(article: Article, field_name: str) -> str:
    if field_name == "headline":
        return article.headline
    if field_name == "standfirst":
        return article.standfirst or ""
    return article.body_text


_FIELD_ORDER = {"body": 0, "standfirst": 1, "headline": 2}


def _mention_order(mention: EntityMention) -> tuple[int, int]:
    return _FIELD_ORDER.get(mention.field, 3), mention.start


def _first_sentence(article: Article, entity: EnrichedEntity) -> str:
    """The sentence of the entity's first mention, body first (headlines say little)."""
    mentions = entity.mentions
    if len(mentions) > 1:
        mentions = sorted(mentions, key=_mention_order)
    for mention in mentions:
        text = _field_text(article, mention.field)
        if text[mention.start : mention.end] == mention.text:
            return sentence_at(text, mention.start)
    # The enrichment is of another version (offsets moved): find the words instead.
    for mention in mentions:
        text = _field_text(article, mention.field)
        found = text.find(mention.text)
        if found >= 0:
            return sentence_at(text, found)
    return ""


def entity_rows(state: ArticleState) -> list[EntityRow]:
    article, enrichment = state.article, state.shown_enrichment
    if article is None or enrichment is None:
        return []
    return [
        EntityRow(
            entity_id=entity.id,
            name=entity.name,
            type=entity.type,
            mention_count=entity.mention_count,
            salience=entity.salience,
            sentence=_first_sentence(article, entity),
        )
        for entity in {entity.id: entity for entity in enrichment.entities}.values()
    ]


def timeline_rows(state: ArticleState) -> list[TimelineRow]:
    enrichment = state.shown_enrichment
    if state.article is None or enrichment is None:
        return []
    return [
        TimelineRow(
            position=position,
            value=entry.value,
            type=entry.type,
            granularity=entry.granularity,
            mod=entry.mod,
            text=entry.text,
            sentence=entry.sentence,
            entity_ids=tuple(entry.entity_ids),
        )
        for position, entry in enumerate(enrichment.timeline)
    ]


# ---------------------------------------------------------------- the article page


@dataclass(frozen=True)
class ExternalLink:
    """Where else the thing is described (Wikidata, GeoNames, IPTC Media Topics)."""

    url: str
    label: str  # the site's name


@dataclass(frozen=True)
class EntityRef:
    id: str
    name: str
    type: str
    path: str
    same_as: tuple[ExternalLink, ...] = ()


@dataclass(frozen=True)
class TimelineItem:
    value: str  # TIMEX3
    label: str
    granularity: str
    text: str
    sentence: str
    entities: list[EntityRef]
    time_value: str | None  # the value as a `<time datetime>` may hold it (None: no such form)


@dataclass(frozen=True)
class Publisher:
    """Who publishes the pages (schema.org `publisher`): a name and a logo's absolute URL."""

    name: str
    logo_url: str


@dataclass(frozen=True)
class Notice:
    label: str  # Updated / Corrected
    at: datetime
    ednote: str | None


@dataclass(frozen=True)
class LeadPicture:
    src: str | None  # only http(s) or site-relative addresses are shown as images
    caption: str | None
    credit: str | None


@dataclass(frozen=True)
class ArticlePage:
    article_id: str
    slug: str
    path: str
    headline: str
    standfirst: str | None
    summary: str  # for search results and link previews: the standfirst, else the opening
    byline: Byline | None  # the wire's byline, read as authors
    dateline: str | None
    place: str | None
    language: str | None  # a BCP 47 tag: the enrichment's, else the wire's
    published: datetime
    updated: datetime
    version: str
    picture: LeadPicture | None
    body_html: str  # sanitised by domain.body.sanitise
    entities: list[EntityRef]
    # Why the entities shown are only the wire's (or none): no entity model for the language.
    entities_notice: str | None
    publisher: Publisher
    timeline: list[TimelineItem]
    notices: list[Notice]
    versions: list[VersionChange]
    subjects: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    rights: Rights | None = None


def _picture(pictures: list[Picture]) -> LeadPicture | None:
    if not pictures:
        return None
    picture = pictures[0]
    return LeadPicture(src=web_url(picture.href), caption=picture.caption, credit=picture.credit)


_SITE_NAMES = {
    "www.wikidata.org": "Wikidata",
    "wikidata.org": "Wikidata",
    "sws.geonames.org": "GeoNames",
    "www.geonames.org": "GeoNames",
    "geonames.org": "GeoNames",
    "cv.iptc.org": "IPTC Media Topics",
}


def external_links(urls: list[str]) -> tuple[ExternalLink, ...]:
    """The entity's `same_as` addresses readers and crawlers can follow (public http(s) only),
    each named by its site."""
    links: list[ExternalLink] = []
    for url in dict.fromkeys(urls):
        usable = public_url(web_url(url, relative=False), base_url="")
        if usable is None:
            continue
        host = urlsplit(usable).hostname or ""
        links.append(ExternalLink(usable, _SITE_NAMES.get(host, host.removeprefix("www."))))
    return tuple(links)


def _entity_refs(entities: tuple[EnrichedEntity, ...]) -> list[EntityRef]:
    unique = {entity.id: entity for entity in entities}.values()
    ranked = sorted(unique, key=lambda e: (-e.salience, -e.mention_count, e.name))
    return [
        EntityRef(e.id, e.name, e.type, entity_path(e.id), external_links(e.same_as))
        for e in ranked
    ]


SUMMARY_LENGTH = 300  # characters: search engines show about half, previews a little more


def summary(article: Article) -> str:
    """What the story is, in a few sentences: its standfirst, else its opening sentences, else
    its headline; cut at a word before SUMMARY_LENGTH."""
    text = article.standfirst or " ".join(sentences(article.body_text[: SUMMARY_LENGTH * 4])[:3])
    text = " ".join((text or article.headline).split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _entities_notice(enrichment: Enrichment | None, shown: list[EntityRef]) -> str | None:
    if enrichment is None or enrichment.ner:
        return None
    if shown:
        return (
            "No automatic entity recognition for this language; the people, places and "
            "topics shown are those the wire named."
        )
    return (
        "No automatic entity recognition for this language, and the wire named no people, "
        "places or topics."
    )


# A date's `<time>` value, like its label (domain.text.timex_label), is the same on every page
# naming it: computed once a date, not once a page.
_time_value = lru_cache(maxsize=4096)(html_datetime)


def timeline_items(
    entries: tuple[TimelineEntry, ...], names: dict[str, EntityRef]
) -> list[TimelineItem]:
    items = [
        TimelineItem(
            value=entry.value,
            label=timex_label(entry.value, entry.granularity, entry.mod),
            granularity=entry.granularity,
            text=entry.text,
            sentence=entry.sentence,
            entities=[names[i] for i in entry.entity_ids if i in names],
            time_value=_time_value(entry.value),
        )
        for entry in entries
    ]
    return sorted(items, key=lambda item: (item.value, item.text))


def article_page(state: ArticleState, publisher: Publisher) -> ArticlePage | None:
    """The page of a story that has a current version (visibility is the caller's business)."""
    current, article, slug = state.current, state.article, state.slug
    if current is None or article is None or slug is None:
        return None
    enrichment = state.shown_enrichment
    entities = _entity_refs(enrichment.entities) if enrichment else []
    names = {ref.id: ref for ref in entities}
    body = (
        link_entities(article.body_html, article.body_text, enrichment.entities)
        if enrichment
        else sanitise(article.body_html)
    )
    history = state.history
    article_versions = [record for record in history if record.article is not None]
    notices = [
        Notice(
            "Corrected" if record.is_correction else "Updated", record.versioncreated, record.ednote
        )
        for record in article_versions[1:]
        if record.key <= current.key
    ]
    return ArticlePage(
        article_id=state.article_id,
        slug=slug,
        path=article_path(slug),
        headline=article.headline,
        standfirst=article.standfirst,
        summary=summary(article),
        byline=parse_byline(article.byline),
        dateline=article.dateline,
        place=article.place,
        # The language the enrichment ran for (detected when the wire did not say).
        language=language_tag(enrichment.language if enrichment else None)
        or language_tag(article.language),
        published=article.firstcreated or article_versions[0].versioncreated,
        updated=article.versioncreated,
        version=article.version,
        picture=_picture(article.pictures),
        body_html=body,
        entities=entities,
        entities_notice=_entities_notice(enrichment, entities),
        publisher=publisher,
        timeline=timeline_items(enrichment.timeline, names) if enrichment else [],
        notices=notices,
        versions=version_changes(history),
        subjects=[s.name for s in article.subjects if s.name],
        keywords=article.keywords,
        genres=article.genres,
        rights=article.rights,
    )


def json_ld(page: ArticlePage, base_url: str) -> dict[str, Any]:
    """schema.org NewsArticle for the page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.headline[:110],
        "datePublished": page.published.isoformat(),
        "dateModified": page.updated.isoformat(),
        "mainEntityOfPage": base_url + page.path,
        "url": base_url + page.path,
        "identifier": page.article_id,
        "version": page.version,
        "publisher": {
            "@type": "Organization",
            "name": page.publisher.name,
            "url": base_url + "/",
            "logo": {"@type": "ImageObject", "url": page.publisher.logo_url},
        },
    }
    if page.standfirst:
        data["description"] = page.standfirst
    if page.byline:
        data["author"] = [_author(author) for author in page.byline.authors]
    if page.language:
        data["inLanguage"] = page.language
    if page.dateline:
        data["dateline"] = page.dateline
    image = public_url(page.picture.src if page.picture else None, base_url)
    if image:
        data["image"] = [image]
    if page.entities:
        data["about"] = [_thing(entity, base_url) for entity in page.entities]
    if page.keywords:
        data["keywords"] = page.keywords
    if page.genres:
        data["genre"] = page.genres
    if page.rights and page.rights.holder:
        data["copyrightHolder"] = {"@type": "Organization", "name": page.rights.holder}
    if page.rights and page.rights.notice:
        data["copyrightNotice"] = page.rights.notice
    if page.rights and page.rights.usage_terms:
        data["usageInfo"] = page.rights.usage_terms
    return data


def _author(author: Author) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": author.kind, "name": author.name}
    if author.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": author.affiliation}
    if author.job_title:
        data["jobTitle"] = author.job_title
    return data


def _thing(entity: EntityRef, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": _SCHEMA_TYPES.get(entity.type, "Thing"),
        "name": entity.name,
        "url": base_url + entity.path,
    }
    if entity.same_as:
        data["sameAs"] = [link.url for link in entity.same_as]
    return data


_SCHEMA_TYPES = {
    "person": "Person",
    "organisation": "Organization",
    "place": "Place",
    "event": "Event",
    "work": "CreativeWork",
    "product": "Product",
}
