"""The JSON documents of the API (`/api/...`), built from the projection and the read model:
the JSON views, beside the HTML page models of domain.views."""

from __future__ import annotations

from typing import Any

from newsroom.render.domain.body import entity_path, sanitise
from newsroom.render.domain.bounds import MAX_ITEMS, bounded, clip
from newsroom.render.domain.history import version_changes
from newsroom.render.domain.keyset import KeysetPage
from newsroom.render.domain.projection import ArticleState, ArticleStatus
from newsroom.render.domain.read_model import EntityData, EntitySummary, Listing
from newsroom.render.domain.urls import web_url
from newsroom.render.domain.views import article_api_path, article_path, entity_api_path
from newsroom.shared.article import Article
from newsroom.shared.events import EnrichedEntity


def article_json(state: ArticleState) -> dict[str, Any]:
    """The API view of a story: canonical article, entities, timeline, versions, status.

    What came from the wire is handed on bounded (domain.bounds) and with only web addresses
    (domain.urls: no `javascript:` picture); the body appears once (`body`, `body_text`), not
    again inside `article`."""
    article = state.article
    enrichment = state.shown_enrichment
    current = state.current
    withdrawal = state.withdrawal
    return {
        "article_id": state.article_id,
        "slug": state.slug,
        "status": state.status.value,
        "version": current.version if current else None,
        "versioncreated": current.versioncreated.isoformat() if current else None,
        "headline": clip(article.headline) if article else None,
        "body": sanitise(article.body_html) if article else None,
        "body_text": article.body_text if article else None,
        "article": _wire_article(article) if article else None,
        "entities": [_entity(e) for e in enrichment.entities] if enrichment else [],
        "timeline": (
            [bounded(t.model_dump(mode="json")) for t in enrichment.timeline] if enrichment else []
        ),
        "enrichment": (
            {
                "version": enrichment.version,
                "model": enrichment.model,
                "language": enrichment.language,
                "ner": enrichment.ner,
            }
            if enrichment
            else None
        ),
        "versions": [
            {
                "version": change.version,
                "versioncreated": change.versioncreated.isoformat(),
                "arrived_at": change.arrived_at.isoformat(),
                "kind": change.kind,
                "label": change.label,
                "ednote": clip(change.ednote) if change.ednote else None,
                "headline_change": (
                    [clip(headline) for headline in change.headline_change]
                    if change.headline_change
                    else None
                ),
                "added": change.added,
                "removed": change.removed,
            }
            for change in version_changes(state.history)
        ],
        "withdrawn": (
            {"version": withdrawal.version, "ednote": bounded(withdrawal.ednote)}
            if withdrawal is not None and state.status is ArticleStatus.WITHDRAWN
            else None
        ),
        "links": {
            "page": article_path(state.slug) if state.slug else None,
            "api": article_api_path(state.article_id),
        },
    }


def _wire_article(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = bounded(
        article.model_dump(mode="json", exclude={"body_html", "body_text"})
    )
    for picture in data["pictures"]:
        picture["href"] = web_url(picture["href"])
    return data


def _entity(entity: EnrichedEntity) -> dict[str, Any]:
    data: dict[str, Any] = bounded(entity.model_dump(mode="json", exclude={"same_as"}))
    data["same_as"] = [url for url in entity.same_as[:MAX_ITEMS] if web_url(url, relative=False)]
    return data


Links = dict[str, str | None]  # self, next, prev: site paths (None: no such page)


def article_list_json(listed: KeysetPage[Listing], links: Links) -> dict[str, Any]:
    """`/api/articles`: one page of the visible stories, newest first publication first."""
    return {
        "items": [
            {
                "article_id": s.article_id,
                "slug": s.slug,
                "headline": s.headline,
                "standfirst": s.standfirst,
                "urgency": s.urgency,
                "version": s.version,
                "firstcreated": s.firstcreated.isoformat(),
                "versioncreated": s.versioncreated.isoformat(),
                "links": {
                    "page": article_path(s.slug),
                    "api": article_api_path(s.article_id),
                },
            }
            for s in listed.items
        ],
        "links": links,
    }


def entity_list_json(listed: KeysetPage[EntitySummary], links: Links) -> dict[str, Any]:
    """`/api/entities`: one page of the entities named on visible stories, by id."""
    return {
        "items": [
            {
                "id": e.entity_id,
                "name": e.name,
                "type": e.type,
                "articles": e.articles,
                "links": {"page": entity_path(e.entity_id), "api": entity_api_path(e.entity_id)},
            }
            for e in listed.items
        ],
        "links": links,
    }


def entity_json(entity_id: str, data: EntityData, links: Links) -> dict[str, Any]:
    """`/api/entities/{entity_id}`: one page of its stories (newest first), who it is named
    with in them, and their dated entries naming it."""
    return {
        "id": data.entity_id,
        "name": data.name,
        "type": data.type,
        "total_articles": data.articles,
        "articles": [
            {
                "article_id": m.listing.article_id,
                "slug": m.listing.slug,
                "headline": m.listing.headline,
                "firstcreated": m.listing.firstcreated.isoformat(),
                "versioncreated": m.listing.versioncreated.isoformat(),
                "sentence": m.sentence,
                "mention_count": m.mention_count,
            }
            for m in data.mentions.items
        ],
        "related": [
            {"id": r.entity_id, "name": r.name, "type": r.type, "articles": r.articles}
            for r in data.related
        ],
        "timeline": [
            {
                "value": e.value,
                "starts": e.starts,
                "granularity": e.granularity,
                "text": e.text,
                "sentence": e.sentence,
                "article_id": e.listing.article_id,
                "entity_ids": e.entity_ids,
            }
            for e in data.timeline
        ],
        "links": {"page": entity_path(entity_id), **links},
    }
