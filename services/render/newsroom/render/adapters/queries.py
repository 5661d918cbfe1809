"""Read-side queries for pages: what is visible now, per page (application.ports.ReadModel)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from newsroom.render.adapters.orm import (
    ArticleEntityRow,
    ArticleRow,
    PageVersionRow,
    TimelineEntryRow,
)
from newsroom.render.adapters.unit_of_work import UnitOfWorkRunner
from newsroom.render.application.ports import ArticleKey, BySlug
from newsroom.render.domain.read_model import (
    DatedEntry,
    EntityData,
    EntityMentionRow,
    EntitySummary,
    Listing,
    RelatedEntity,
    StoredArticle,
    effective_modified,
)

T = TypeVar("T")


def visible(now: datetime) -> ColumnElement[bool]:
    """domain.projection.visible_at as SQL, on the indexed columns: listed and past any
    embargo time (the embargo lifts by the clock, with no event)."""
    return and_(
        ArticleRow.listed.is_(True),
        or_(ArticleRow.visible_from.is_(None), ArticleRow.visible_from <= now),
    )


def _listing(row: ArticleRow) -> Listing:
    # Only listed rows reach here, and a listed row always has its current version's fields.
    assert row.slug is not None
    assert row.headline is not None
    assert row.version is not None
    assert row.versioncreated is not None
    assert row.firstcreated is not None
    return Listing(
        article_id=row.article_id,
        slug=row.slug,
        headline=row.headline,
        standfirst=row.standfirst,
        byline=row.byline,
        urgency=row.urgency,
        version=row.version,
        versioncreated=row.versioncreated,
        firstcreated=row.firstcreated,
        modified=effective_modified(row.last_modified, row.visible_from) or row.versioncreated,
    )


_STORED_COLUMNS = (
    ArticleRow.article_id,
    ArticleRow.revision,
    ArticleRow.status,
    ArticleRow.listed,
    ArticleRow.visible_from,
    ArticleRow.last_modified,
    ArticleRow.state,
)


def _stored(row: Row[str, int, str, bool, datetime | None, datetime | None, str]) -> StoredArticle:
    return StoredArticle(
        article_id=row.article_id,
        revision=row.revision,
        status=row.status,
        listed=row.listed,
        visible_from=row.visible_from,
        modified=effective_modified(row.last_modified, row.visible_from),
        raw_state=row.state,
    )


class ReadModelQueries:
    """The read side's queries, each one runner step (see adapters.unit_of_work)."""

    def __init__(self, runner: UnitOfWorkRunner) -> None:
        self.runner = runner

    async def with_article(self, key: ArticleKey, work: Callable[[StoredArticle | None], T]) -> T:
        lookup = (
            partial(article_by_slug, slug=key.slug)
            if isinstance(key, BySlug)
            else partial(article_by_id, article_id=key.article_id)
        )
        return await self.runner.read_rows(lambda connection: work(lookup(connection)))

    async def article_by_slug(self, slug: str) -> StoredArticle | None:
        return await self.runner.read_rows(partial(article_by_slug, slug=slug))

    async def article_by_id(self, article_id: str) -> StoredArticle | None:
        return await self.runner.read_rows(partial(article_by_id, article_id=article_id))

    async def latest(self, now: datetime, *, limit: int, offset: int = 0) -> list[Listing]:
        return await self.runner.read(partial(latest, now=now, limit=limit, offset=offset))

    async def listing_page(
        self, now: datetime, *, limit: int, offset: int
    ) -> tuple[list[Listing], int]:
        """One page of the visible stories and their total, from one snapshot."""
        return await self.runner.read(partial(listing_page, now=now, limit=limit, offset=offset))

    async def sitemap_entries(
        self, now: datetime, *, limit: int
    ) -> tuple[list[Listing], list[str]]:
        """The latest visible stories and every entity on a visible story, from one snapshot."""
        return await self.runner.read(partial(sitemap_entries, now=now, limit=limit))

    async def visible_entities(self, now: datetime) -> list[EntitySummary]:
        return await self.runner.read(partial(visible_entities, now=now))

    async def entity(
        self, entity_id: str, now: datetime, *, related_limit: int = 10
    ) -> EntityData | None:
        return await self.runner.read(
            partial(entity, entity_id=entity_id, now=now, related_limit=related_limit)
        )

    async def entity_names(self, entity_ids: set[str]) -> dict[str, str]:
        if not entity_ids:
            return {}
        return await self.runner.read(partial(entity_names, entity_ids=entity_ids))

    async def timeline(self, now: datetime) -> list[DatedEntry]:
        return await self.runner.read(partial(timeline, now=now))

    async def page_modified(self, path: str) -> datetime | None:
        return await self.runner.read_rows(partial(page_modified, path=path))


# ---------------------------------------------------------------- the queries, synchronous


# Built once: building a SELECT costs more than SQLite takes to answer it. Columns, not an
# ORM entity, on a bare connection (runner.read_rows): a page read needs no identity map.
_BY_SLUG = select(*_STORED_COLUMNS).where(ArticleRow.slug == bindparam("slug"))
_BY_ID = select(*_STORED_COLUMNS).where(ArticleRow.article_id == bindparam("article_id"))


_PAGE_MODIFIED = select(PageVersionRow.modified).where(PageVersionRow.path == bindparam("path"))


def page_modified(connection: Connection, path: str) -> datetime | None:
    """When the page at `path` last changed, as the projector recorded it (None: never)."""
    value: datetime | None = connection.execute(_PAGE_MODIFIED, {"path": path}).scalar()
    return value


def article_by_slug(connection: Connection, slug: str) -> StoredArticle | None:
    row = connection.execute(_BY_SLUG, {"slug": slug}).first()
    return _stored(row) if row else None


def article_by_id(connection: Connection, article_id: str) -> StoredArticle | None:
    row = connection.execute(_BY_ID, {"article_id": article_id}).first()
    return _stored(row) if row else None


def latest(session: Session, now: datetime, *, limit: int, offset: int = 0) -> list[Listing]:
    rows = session.scalars(
        select(ArticleRow)
        .where(visible(now))
        .order_by(ArticleRow.firstcreated.desc(), ArticleRow.article_id)
        .limit(limit)
        .offset(offset)
    )
    return [_listing(row) for row in rows]


def count_visible(session: Session, now: datetime) -> int:
    count = session.scalar(select(func.count()).select_from(ArticleRow).where(visible(now)))
    return int(count or 0)


def listing_page(
    session: Session, now: datetime, *, limit: int, offset: int
) -> tuple[list[Listing], int]:
    return latest(session, now, limit=limit, offset=offset), count_visible(session, now)


def sitemap_entries(
    session: Session, now: datetime, *, limit: int
) -> tuple[list[Listing], list[str]]:
    entity_ids = [summary.entity_id for summary in visible_entities(session, now)]
    return latest(session, now, limit=limit), entity_ids


def visible_entities(session: Session, now: datetime) -> list[EntitySummary]:
    """Every entity on a visible story, with how many visible stories name it."""
    rows = session.execute(
        select(
            ArticleEntityRow.entity_id,
            func.max(ArticleEntityRow.name),
            func.max(ArticleEntityRow.type),
            func.count(ArticleEntityRow.article_id),
        )
        .join(ArticleRow, ArticleRow.article_id == ArticleEntityRow.article_id)
        .where(visible(now))
        .group_by(ArticleEntityRow.entity_id)
        .order_by(ArticleEntityRow.entity_id)
    )
    return [EntitySummary(r[0], r[1], r[2], int(r[3])) for r in rows]


def entity(
    session: Session, entity_id: str, now: datetime, *, related_limit: int = 10
) -> EntityData | None:
    mention_rows = (
        session.execute(
            select(ArticleRow, ArticleEntityRow)
            .join(ArticleEntityRow, ArticleRow.article_id == ArticleEntityRow.article_id)
            .where(ArticleEntityRow.entity_id == entity_id, visible(now))
            .order_by(ArticleRow.firstcreated.desc(), ArticleRow.article_id)
        )
    ).all()
    if not mention_rows:
        return None
    article_ids = [article.article_id for article, _ in mention_rows]
    listings = {article.article_id: _listing(article) for article, _ in mention_rows}
    # The newest article's naming wins (enrichment improves over time).
    newest = mention_rows[0][1]
    related_rows = session.execute(
        select(
            ArticleEntityRow.entity_id,
            func.max(ArticleEntityRow.name),
            func.max(ArticleEntityRow.type),
            func.count(ArticleEntityRow.article_id).label("articles"),
        )
        .where(
            ArticleEntityRow.article_id.in_(article_ids),
            ArticleEntityRow.entity_id != entity_id,
        )
        .group_by(ArticleEntityRow.entity_id)
        .order_by(func.count(ArticleEntityRow.article_id).desc(), ArticleEntityRow.entity_id)
        .limit(related_limit)
    )
    timeline_rows = session.scalars(
        select(TimelineEntryRow)
        .where(TimelineEntryRow.article_id.in_(article_ids))
        .order_by(TimelineEntryRow.value, TimelineEntryRow.article_id, TimelineEntryRow.position)
    )
    timeline = [
        DatedEntry(
            listing=listings[row.article_id],
            value=row.value,
            granularity=row.granularity,
            mod=row.mod,
            text=row.text,
            sentence=row.sentence,
            entity_ids=json.loads(row.entity_ids),
        )
        for row in timeline_rows
    ]
    return EntityData(
        entity_id=entity_id,
        name=newest.name,
        type=newest.type,
        mentions=[
            EntityMentionRow(listings[article.article_id], mention.sentence, mention.mention_count)
            for article, mention in mention_rows
        ],
        related=[RelatedEntity(r[0], r[1], r[2], int(r[3])) for r in related_rows],
        timeline=[entry for entry in timeline if entity_id in entry.entity_ids],
    )


def entity_names(session: Session, entity_ids: set[str]) -> dict[str, str]:
    rows = session.execute(
        select(ArticleEntityRow.entity_id, func.max(ArticleEntityRow.name))
        .where(ArticleEntityRow.entity_id.in_(sorted(entity_ids)))
        .group_by(ArticleEntityRow.entity_id)
    )
    return {r[0]: r[1] for r in rows}


def timeline(session: Session, now: datetime) -> list[DatedEntry]:
    rows = (
        session.execute(
            select(ArticleRow, TimelineEntryRow)
            .join(TimelineEntryRow, ArticleRow.article_id == TimelineEntryRow.article_id)
            .where(visible(now))
            .order_by(TimelineEntryRow.value, ArticleRow.firstcreated, TimelineEntryRow.position)
        )
    ).all()
    return [
        DatedEntry(
            listing=_listing(article),
            value=entry.value,
            granularity=entry.granularity,
            mod=entry.mod,
            text=entry.text,
            sentence=entry.sentence,
            entity_ids=json.loads(entry.entity_ids),
        )
        for article, entry in rows
    ]
