"""The page builder (application.build_pages, adapters.page_build_store): it stores the page of
every listed story that has none of the current build, exactly the page the projector would
have stored; it never overwrites the page of a story saved after the builder read it (SQLite's
write lock, PostgreSQL's FOR SHARE: a projector's transaction in flight makes the write wait,
then find the new revision); partitions share the stories out; the render service runs it on
start, after which its requests are served stored pages; and of a deployment's replicas one at
a time runs it (a lease in Redis, renewed while held, expiring with a dead holder). Real SQLite,
PostgreSQL, Redis and HTTP."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy import select, text

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.orm import ArticlePageRow
from newsroom.render.adapters.page_build_store import SqlPageBuildStore
from newsroom.render.adapters.redis_lease import PAGE_BUILDER_LEASE, RedisLease
from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork, UnitOfWorkRunner
from newsroom.render.application.build_pages import build_pages, build_pages_leased
from newsroom.render.application.partitions import Partition
from newsroom.render.application.ports import RenderedPage
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import Publisher
from newsroom.render.entrypoints.article_html import ArticlePageRenderer
from render_test_support import synthetic_story

pytestmark = pytest.mark.integration

RENDERER = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))


async def _pages(runner: UnitOfWorkRunner) -> dict[str, tuple[Any, ...]]:
    async with runner.sessions() as session:
        rows = await session.scalars(select(ArticlePageRow))
        return {
            row.article_id: (
                row.slug,
                row.visible_from,
                row.modified,
                row.build,
                row.etag,
                row.html,
                row.gzipped,
            )
            for row in rows
        }


async def _model(database_url: str, events: list[Any], renderer: Any) -> UnitOfWorkRunner:
    runner = open_read_model(database_url)
    await migrate(runner.engine)
    await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(events)
    return runner


def _stories(seed: Any, count: int) -> list[Any]:
    base = seed.v1().data.article
    return [
        event for n in range(count) for event in synthetic_story(base, n, entity_ids=["person/ada"])
    ]


async def test_the_builder_stores_what_the_projector_would_have_and_only_what_is_missing(
    seed, database_url, tmp_path
):
    events = [*_stories(seed, 7), seed.v1(), seed.enriched(seed.v1()), seed.kill()]
    # The reference: the projector storing every page itself.
    reference = await _model(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}", events, RENDERER)
    runner = await _model(database_url, events, None)  # as a replay leaves it: no page
    try:
        expected = await _pages(reference)
        assert len(expected) == 7  # the killed story has no page
        assert await _pages(runner) == {}
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        assert await store.count_waiting(RENDERER.build) == 7

        # Two partitions, as two workers: together every page, each once.
        seen: list[int] = []
        first = await build_pages(store, RENDERER, partition=Partition(0, 2), batch=3)
        second = await build_pages(
            store, RENDERER, partition=Partition(1, 2), batch=3, progress=seen.append
        )
        assert first.stories + second.stories == 7
        assert first.stored + second.stored == 7
        assert sum(seen) == second.stories
        assert await _pages(runner) == expected
        assert await store.count_waiting(RENDERER.build) == 0
        again = await build_pages(store, RENDERER)
        assert (again.stories, again.stored) == (0, 0)

        # A deploy that changes how pages look: every page is of another build, and rebuilt.
        other = ArticlePageRenderer("https://elsewhere.example", RENDERER.publisher)
        rebuilt = await build_pages(store, other)
        assert (rebuilt.stories, rebuilt.stored) == (7, 7)
        pages = await _pages(runner)
        assert {page[3] for page in pages.values()} == {other.build}
        assert all(b"https://elsewhere.example" in page[5] for page in pages.values())
    finally:
        await runner.dispose()
        await reference.dispose()


async def test_a_page_read_before_its_story_changed_is_not_stored(seed, database_url):
    v1, v2 = seed.v1(), seed.v2()
    runner = await _model(database_url, [v1, seed.enriched(v1)], None)
    try:
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        [source] = await store.sources([seed.article_id])
        html = RENDERER(source.state)
        assert html is not None
        stale = [(source, RENDERER.stored_form(html))]
        # The projector saves the correction (and its page) after the builder read v1.
        await Projection(runner, public_base_url="x", article_pages=RENDERER).project.apply([v2])
        corrected = await _pages(runner)
        assert await store.store(RENDERER.build, stale) == 0
        assert await _pages(runner) == corrected
        assert f'data-version="{v2.data.article.version}"'.encode() in corrected[seed.article_id][5]
    finally:
        await runner.dispose()


async def test_a_write_in_flight_on_the_story_makes_the_builder_wait_then_store_nothing(
    seed, database_url
):
    v1 = seed.v1()
    runner = await _model(database_url, [v1, seed.enriched(v1)], None)
    projector = open_read_model(database_url)
    try:
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        [source] = await store.sources([seed.article_id])
        html = RENDERER(source.state)
        assert html is not None
        async with projector.sessions() as session, session.begin():
            # A projector's transaction saving the story, not committed yet.
            await session.execute(
                text("UPDATE articles SET revision = revision + 1 WHERE article_id = :id"),
                {"id": seed.article_id},
            )
            storing = asyncio.create_task(
                store.store(RENDERER.build, [(source, RENDERER.stored_form(html))])
            )
            await asyncio.sleep(0.5)
            assert not storing.done(), "the builder's write waits for the story's writer"
        assert await asyncio.wait_for(storing, 30) == 0
        assert await _pages(runner) == {}
    finally:
        await projector.dispose()
        await runner.dispose()


async def test_render_builds_the_missing_pages_on_start_and_serves_them_stored(
    seed, database_url, redis_url, start_render, eventually
):
    v1 = seed.v1()
    runner = await _model(database_url, [v1, seed.enriched(v1)], None)
    # ... and one page stored by another build, as after a deploy
    await Projection(runner, public_base_url="x", article_pages=RENDERER).project.apply(
        _stories(seed, 1)
    )
    await runner.dispose()

    async def built(render: Any) -> bool:
        async with render.runtime.sessions() as session:
            builds = (await session.scalars(select(ArticlePageRow.build))).all()
        return len(builds) == 2 and set(builds) == {render.runtime.article_pages.build}

    async with (
        start_render(redis_url, database_url, page_cache_size=0) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        await eventually(lambda: built(render))
        before = REGISTRY.get_sample_value(
            "newsroom_render_article_pages_total", {"source": "stored"}
        )
        page = await client.get(f"/articles/{seed.slug}")
        assert page.status_code == 200
        after = REGISTRY.get_sample_value(
            "newsroom_render_article_pages_total", {"source": "stored"}
        )
        assert (after or 0) == (before or 0) + 1
        async with render.runtime.sessions() as session:
            row = await session.get(ArticlePageRow, seed.article_id)
            assert row is not None
            assert page.content == row.html


class CountedPages:
    """RENDERER, counting the pages it renders."""

    def __init__(self) -> None:
        self.rendered = 0

    @property
    def build(self) -> str:
        return RENDERER.build

    def stored_form(self, html: bytes) -> RenderedPage:
        return RENDERER.stored_form(html)

    def __call__(self, state: ArticleState) -> bytes | None:
        self.rendered += 1
        return RENDERER(state)


def _lease_name() -> str:
    return f"newsroom:test:page-builder:{uuid.uuid4().hex}"


async def test_of_two_replicas_one_builds_the_missing_pages_and_the_other_skips_its_round(
    seed, database_url, redis_url
):
    runner = await _model(database_url, _stories(seed, 7), None)
    replicas = [Redis.from_url(redis_url), Redis.from_url(redis_url)]  # a connection each
    name = _lease_name()
    try:
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        pages = CountedPages()
        rounds = await asyncio.gather(
            *(build_pages_leased(RedisLease(redis, name), store, pages) for redis in replicas)
        )
        built = [stats for stats in rounds if stats is not None]
        assert len(built) == 1, rounds
        assert (built[0].stories, built[0].stored) == (7, 7)
        assert pages.rendered == 7, "each page rendered once"
        # Released when the round ends: the next round is any replica's.
        again = await build_pages_leased(RedisLease(replicas[1], name), store, pages)
        assert again is not None
        assert (again.stories, again.stored) == (0, 0)
    finally:
        for redis in replicas:
            await redis.aclose()
        await runner.dispose()


async def test_the_lease_is_renewed_while_held_and_a_dead_holders_expires(redis_url, eventually):
    redis = Redis.from_url(redis_url)
    name = _lease_name()
    try:
        holder, other = RedisLease(redis, name, ttl_s=1.5), RedisLease(redis, name, ttl_s=1.5)
        async with holder.held() as held:
            assert held
            await asyncio.sleep(4)  # well past its time to live: renewed meanwhile
            async with other.held() as taken:
                assert not taken
        async with other.held() as taken:
            assert taken, "released when its holder is done"

        # A holder that died: it took the lease and never renews it.
        assert await redis.lock(name, timeout=1.5).acquire(blocking=False)
        async with other.held() as taken:
            assert not taken

        async def free() -> bool:
            async with other.held() as taken:
                return taken

        await eventually(free, within=10)
    finally:
        await redis.aclose()


async def test_a_replica_that_finds_the_lease_held_tries_again_once_it_could_have_expired(
    seed, database_url, redis_url, start_render, eventually
):
    v1 = seed.v1()
    await (await _model(database_url, [v1, seed.enriched(v1)], None)).dispose()  # no page
    redis = Redis.from_url(redis_url)

    async def stored(render: Any) -> bool:
        async with render.runtime.sessions() as session:
            return await session.get(ArticlePageRow, seed.article_id) is not None

    try:
        # The lease of a replica that died building: never renewed, it expires in 5 s.
        dead = redis.lock(PAGE_BUILDER_LEASE, timeout=5)
        assert await dead.acquire(blocking=False)
        async with start_render(redis_url, database_url, page_build_lease_s=1.0) as render:
            assert not await stored(render)
            assert await dead.owned(), "the dead lease held all along: the first round skipped"
            # Tried again every second (its own lease's time to live), not after the 600 s
            # interval: the page is stored once the dead lease has expired.
            await eventually(lambda: stored(render), within=15)
    finally:
        await redis.aclose()
