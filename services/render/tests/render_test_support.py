"""Render's test helpers beside conftest's fixtures.

`read_model_snapshot`: the read model as plain data, to compare two databases (replay against
live, any order against in order). Operational columns (optimistic-lock revision, whether an
embargo lifting was announced) and the page outbox are left out: they are not content."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsroom.render.adapters.orm import (
    AppliedEventRow,
    ArticleEntityRow,
    ArticlePageRow,
    ArticleRow,
    EntityRow,
    TimelineEntryRow,
)
from newsroom.shared.article import Article
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleEnrichedData,
    ArticleReceived,
    ArticleReceivedData,
    EnrichedEntity,
    EntityMention,
    TimelineEntry,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id

_SKIP = {"revision", "embargo_announced"}


def _row(row: Any, skip: set[str] = _SKIP) -> dict[str, Any]:
    data = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in skip}
    if "state" in data:
        data["state"] = json.loads(data["state"])
    return data


async def read_model_snapshot(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    return {
        "articles": [
            _row(r)
            for r in await session.scalars(select(ArticleRow).order_by(ArticleRow.article_id))
        ],
        "article_entities": [
            _row(r)
            for r in await session.scalars(
                select(ArticleEntityRow).order_by(
                    ArticleEntityRow.article_id, ArticleEntityRow.entity_id
                )
            )
        ],
        "timeline_entries": [
            _row(r)
            for r in await session.scalars(
                select(TimelineEntryRow).order_by(
                    TimelineEntryRow.article_id, TimelineEntryRow.position
                )
            )
        ],
        "entities": [
            _row(r) for r in await session.scalars(select(EntityRow).order_by(EntityRow.entity_id))
        ],
        "applied_events": [
            _row(r)
            for r in await session.scalars(
                select(AppliedEventRow).order_by(AppliedEventRow.event_id)
            )
        ],
        "article_pages": [
            _row(r)
            for r in await session.scalars(
                select(ArticlePageRow).order_by(ArticlePageRow.article_id)
            )
        ],
    }


async def status_of(client: httpx.AsyncClient, path: str, wanted: int) -> httpx.Response | None:
    """The response at `path` once it has status `wanted` (None before: for `eventually`)."""
    response = await client.get(path)
    return response if response.status_code == wanted else None


async def document_with_entities(client: httpx.AsyncClient, path: str) -> httpx.Response | None:
    """An article's JSON document once it shows its enrichment (None before)."""
    response = await client.get(path)
    return response if response.status_code == 200 and response.json()["entities"] else None


async def events_applied(service: Any, count: int) -> bool:
    """Whether the running render `service` has applied `count` events (its inbox knows them)."""
    async with service.runtime.sessions() as session:
        applied = await session.scalar(select(func.count()).select_from(AppliedEventRow))
    return int(applied or 0) >= count


def synthetic_story(
    base: Article,
    n: int,
    *,
    entity_ids: Sequence[str] = (),
    dates: Sequence[tuple[str, str]] = (),
    start: datetime = datetime(2021, 9, 1, tzinfo=UTC),
    revised_after: timedelta = timedelta(0),
) -> tuple[ArticleReceived, ArticleEnriched]:
    """The n-th made-up story (the seed text under its own uri, headline and time: first
    published n minutes after `start`, its version `revised_after` that), naming `entity_ids`
    and dated by `dates` ((TIMEX value, granularity))."""
    first = start + timedelta(minutes=n)
    moment = first + revised_after
    article = base.model_copy(
        update={
            "uri": f"urn:test:{n}",
            "version": "1",
            "headline": f"Story {n}",
            "versioncreated": moment,
            "firstcreated": first,
            "embargo": None,
        }
    )
    aid = article_id("test", article.uri)
    received = ArticleReceived.create(
        id=article_event_id("test", article.uri, "1"),
        source="/newsroom/ingest/test",
        subject=aid,
        correlationid=f"story-{n}",
        time=moment,
        data=ArticleReceivedData(
            article_id=aid, slug=article_slug(article.headline, aid), article=article
        ),
    )
    mention = EntityMention(field="body", start=0, end=5, text=article.body_text[:5])
    entities = [
        EnrichedEntity(
            id=entity_id,
            name=entity_id.split("/", 1)[1].replace("-", " ").title(),
            type=entity_id.split("/", 1)[0],  # type: ignore[arg-type]
            mentions=[mention],
            mention_count=1,
            salience=0.5,
        )
        for entity_id in entity_ids
    ]
    timeline = [
        TimelineEntry(
            value=value,
            type="DATE",
            granularity=granularity,  # type: ignore[arg-type]
            text=value,
            field="body",
            start=0,
            end=5,
            sentence="Something happened then.",
            entity_ids=list(entity_ids[:1]),
        )
        for value, granularity in dates
    ]
    enriched = ArticleEnriched.create(
        id=derived_event_id("enriched", received.id),
        source="/newsroom/enrich",
        subject=aid,
        correlationid=f"story-{n}",
        causationid=received.id,
        time=moment,
        data=ArticleEnrichedData(
            article_id=aid,
            version="1",
            versioncreated=moment,
            model="test-model",
            entities=entities,
            timeline=timeline,
        ),
    )
    return received, enriched


async def postgres_backends(database_url: str, column: str, value: str) -> list[int]:
    """The pids of the server's sessions on `database_url`'s database whose pg_stat_activity
    `column` (`query`, `application_name`) is `value`."""
    import asyncpg
    from sqlalchemy.engine import make_url

    assert column in ("query", "application_name")
    url = make_url(database_url)
    connection = await asyncpg.connect(host=url.host, port=url.port, user=url.username)
    try:
        rows = await connection.fetch(
            f"SELECT pid FROM pg_stat_activity WHERE datname = $1 AND {column} = $2",
            url.database,
            value,
        )
        return [row["pid"] for row in rows]
    finally:
        await connection.close()


async def terminate_backends(database_url: str, pids: list[int]) -> None:
    """pg_terminate_backend on each of `pids` (what a server restart or a network cut does to
    those sessions)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    connection = await asyncpg.connect(host=url.host, port=url.port, user=url.username)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", pids
        )
    finally:
        await connection.close()
