"""Render's test helpers beside conftest's fixtures.

`read_model_snapshot`: the read model as plain data, to compare two databases (replay against
live, any order against in order). Operational columns (optimistic-lock revision, whether an
embargo lifting was announced) and the page outbox are left out: they are not content."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsroom.render.adapters.orm import (
    AppliedEventRow,
    ArticleEntityRow,
    ArticleRow,
    TimelineEntryRow,
)

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
        "applied_events": [
            _row(r)
            for r in await session.scalars(
                select(AppliedEventRow).order_by(AppliedEventRow.event_id)
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
