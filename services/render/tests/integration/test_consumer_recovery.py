"""Render's consumers survive restarts and dead replicas: nothing lost, nothing applied twice."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis

from newsroom.shared.streaming.groups import ensure_groups
from newsroom.shared.streams import RENDER_ARTICLES, RENDER_ENRICHED
from render_test_support import read_model_snapshot

pytestmark = pytest.mark.integration


async def test_a_restart_resumes_where_the_group_stands(
    redis_url, tmp_path, publisher, seed, start_render, eventually
):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    v1, v2 = seed.v1(), seed.v2()
    async with start_render(redis_url, database_url) as first:
        await publisher(v1, seed.enriched(v1))
        async with httpx.AsyncClient(base_url=first.base_url) as client:
            await eventually(lambda: _version_is(client, seed.article_id, "1"))
    # Published while render is down: read on the next start, once.
    await publisher(v2, seed.enriched(v2))
    async with start_render(redis_url, database_url) as second:
        async with httpx.AsyncClient(base_url=second.base_url) as client:
            await eventually(lambda: _version_is(client, seed.article_id, "2"))

        async def all_applied():
            async with second.runtime.sessions() as session:
                snapshot = await read_model_snapshot(session)
            return snapshot if len(snapshot["applied_events"]) == 4 else None

        assert await eventually(all_applied)
        redis = Redis.from_url(redis_url)
        for group in (RENDER_ARTICLES, RENDER_ENRICHED):
            (info,) = [g for g in await redis.xinfo_groups(group.stream) if g["name"] == b"render"]
            assert info["pending"] == 0
            assert info["lag"] == 0
        await redis.aclose()


async def test_entries_a_dead_replica_left_pending_are_reclaimed(
    redis_url, tmp_path, publisher, seed, start_render, eventually
):
    redis = Redis.from_url(redis_url)
    await ensure_groups(redis, [RENDER_ARTICLES])
    await publisher(seed.v1())
    # A replica reads the entry and dies before acknowledging it.
    taken = await redis.xreadgroup(
        RENDER_ARTICLES.group, "render-dead-replica", {RENDER_ARTICLES.stream: ">"}, count=10
    )
    assert len(taken[0][1]) == 1
    # The fixture's render reclaims entries idle for 2 s (RECLAIM_IDLE_MS).
    async with start_render(redis_url, f"sqlite+aiosqlite:///{tmp_path / 'r.db'}") as render:
        async with httpx.AsyncClient(base_url=render.base_url) as client:
            await eventually(lambda: _version_is(client, seed.article_id, "1"), within=30)

        async def acknowledged():
            pending = await redis.xpending(RENDER_ARTICLES.stream, RENDER_ARTICLES.group)
            return pending["pending"] == 0

        assert await eventually(acknowledged)
    await redis.aclose()


async def _version_is(client, article_id, version):
    response = await client.get(f"/api/articles/{article_id}")
    return response.status_code == 200 and response.json()["version"] == version
