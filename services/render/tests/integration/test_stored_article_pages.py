"""Stored article pages (entrypoints.article_html, adapters.orm.ArticlePageRow): the projector
renders a story's page when it saves the story, and a request serves those bytes without
building anything. The stored page is byte for byte the page the route builds; it follows the
story (a correction replaces it, a kill removes it, an embargo holds it back until it lifts);
and a page stored by another build (other templates, code or site) is never served: the page
is built instead. A stored page comes with the read model's version it was read at, which
kept pages are tagged with. Real HTTP, Redis, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import gzip
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from alembic import command
from prometheus_client import REGISTRY
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from newsroom.render.adapters.migrate import alembic_config, migrate
from newsroom.render.adapters.orm import ARTICLE_PAGE_COLUMNS, ArticlePageRow, ArticleRow
from newsroom.render.adapters.page_build_store import SqlPageBuildStore
from newsroom.render.adapters.queries import ReadModelQueries, stored_page
from newsroom.render.adapters.read_model_version import read_model_version
from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork
from newsroom.render.application.build_pages import build_pages
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import Publisher
from newsroom.render.entrypoints.article_html import ArticlePageRenderer
from newsroom.render.entrypoints.caching import gzip_form
from render_test_support import (
    document_with_entities,
    events_applied,
    postgres_backends,
    status_of,
    terminate_backends,
)

pytestmark = pytest.mark.integration


def _served(source: str) -> float:
    """Article pages served so far from `source` ("stored" or "built"), in this process."""
    value = REGISTRY.get_sample_value("newsroom_render_article_pages_total", {"source": source})
    return value or 0.0


async def _stored(runtime: Any) -> dict[str, ArticlePageRow]:
    async with runtime.sessions() as session:
        return {row.article_id: row for row in await session.scalars(select(ArticlePageRow))}


async def _state(runtime: Any, article_id: str) -> ArticleState:
    async with runtime.sessions() as session:
        row = await session.get(ArticleRow, article_id)
        assert row is not None
        return ArticleState.model_validate_json(row.state)


async def _page(client: httpx.AsyncClient, slug: str, wanted: int = 200) -> httpx.Response:
    response = await client.get(f"/articles/{slug}", headers={"accept-encoding": "identity"})
    assert response.status_code == wanted, response.text[:300]
    return response


@asynccontextmanager
async def _seed_served(
    seed: Any, start_render: Any, publisher: Any, eventually: Any, *where: str, cache_size: int
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, Any]]:
    """Render on `where` (Redis URL, database URL) with the seed's first version projected:
    render, a client of it, and the version."""
    v1 = seed.v1()
    async with (
        start_render(*where, page_cache_size=cache_size) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        yield render, client, v1


@pytest.mark.parametrize("page_cache_size", [0, 1024], ids=["route", "kept-pages-front"])
async def test_a_story_is_served_as_stored_and_stored_as_the_route_builds_it(
    seed, database_url, redis_url, publisher, start_render, eventually, page_cache_size
):
    where = (redis_url, database_url)
    async with _seed_served(
        seed, start_render, publisher, eventually, *where, cache_size=page_cache_size
    ) as (render, client, v1):
        stored_before, built_before = _served("stored"), _served("built")

        page = await _page(client, seed.slug)
        assert (_served("stored"), _served("built")) == (stored_before + 1, built_before)
        row = (await _stored(render.runtime))[seed.article_id]
        assert row.build == render.runtime.article_pages.build
        assert page.content == row.html
        # What the route builds from the story's state, byte for byte.
        state = await _state(render.runtime, seed.article_id)
        assert render.runtime.article_pages(state) == page.content
        assert f'data-version="{v1.data.article.version}"' in page.text

        # A page another build stored (a deploy that changed the templates, another base
        # URL) is not served: the page is built, and answers alike.
        async with render.runtime.sessions() as session, session.begin():
            await session.execute(update(ArticlePageRow).values(build="another build"))
        rebuilt = await _page(client, seed.slug)
        assert _served("built") == built_before + 1
        assert rebuilt.content == page.content
        assert rebuilt.headers["etag"] == page.headers["etag"]
        assert rebuilt.headers["last-modified"] == page.headers["last-modified"]


@pytest.mark.parametrize("page_cache_size", [0, 1024], ids=["route", "kept-pages-front"])
async def test_a_client_that_takes_gzip_is_sent_the_gzip_form_stored_with_the_page(
    seed, database_url, redis_url, publisher, start_render, eventually, page_cache_size
):
    """Every browser takes gzip, and compressing a page not in memory on each read cost more
    than the rest of its request: the page's gzip form is stored with it, and sent as stored
    (replaced here by a form of another level, which no read would make)."""
    where = (redis_url, database_url)
    async with _seed_served(
        seed, start_render, publisher, eventually, *where, cache_size=page_cache_size
    ) as (render, client, _):
        row = (await _stored(render.runtime))[seed.article_id]
        assert row.gzipped == gzip_form(row.html)
        other_form = gzip.compress(row.html, compresslevel=1, mtime=0)
        assert other_form != row.gzipped
        async with render.runtime.sessions() as session, session.begin():
            await session.execute(update(ArticlePageRow).values(gzipped=other_form))

        path = f"/articles/{seed.slug}"
        async with client.stream("GET", path, headers={"accept-encoding": "gzip"}) as sent:
            assert (sent.status_code, sent.headers["content-encoding"]) == (200, "gzip")
            assert b"".join([chunk async for chunk in sent.aiter_raw()]) == other_form
        assert (await _page(client, seed.slug)).content == row.html  # and identity to others


async def test_the_stored_page_follows_the_story(
    seed, database_url, redis_url, publisher, start_render, eventually
):
    v1, v2 = seed.v1(), seed.v2()
    async with (
        start_render(redis_url, database_url) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        first = await _page(client, seed.slug)

        await publisher(v2, seed.enriched(v2))
        await eventually(lambda: events_applied(render, 4))
        corrected = await _page(client, seed.slug)
        assert f'data-version="{v2.data.article.version}"' in corrected.text
        assert corrected.content != first.content
        assert corrected.content == (await _stored(render.runtime))[seed.article_id].html
        state = await _state(render.runtime, seed.article_id)
        assert render.runtime.article_pages(state) == corrected.content

        await publisher(seed.kill())
        gone = await eventually(lambda: status_of(client, f"/articles/{seed.slug}", 410))
        assert gone.json()["type"].endswith("article-withdrawn")
        assert seed.article_id not in await _stored(render.runtime)


async def test_an_embargoed_story_is_stored_but_served_only_once_its_embargo_lifts(
    seed, database_url, redis_url, publisher, start_render, eventually
):
    async with (
        start_render(redis_url, database_url) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        until = render.clock.current + timedelta(hours=1)
        embargoed = seed.embargoed(until)
        await publisher(embargoed, seed.enriched(embargoed))
        await eventually(lambda: events_applied(render, 2))
        story = embargoed.data
        row = (await _stored(render.runtime))[story.article_id]
        stored_before = _served("stored")

        held = await _page(client, story.slug, 404)
        assert held.headers["content-type"].startswith("application/problem+json")
        assert row.html not in held.content
        assert _served("stored") == stored_before

        render.clock.current = until + timedelta(minutes=1)
        lifted = await _page(client, story.slug)
        assert lifted.content == row.html
        assert _served("stored") == stored_before + 1


async def test_a_story_held_without_an_embargo_time_has_no_stored_page(
    seed, database_url, redis_url, publisher, start_render, eventually
):
    async with start_render(redis_url, database_url) as render:
        held = seed.embargoed(unknown=True)
        await publisher(held, seed.enriched(held))
        await eventually(lambda: events_applied(render, 2))
        assert await _stored(render.runtime) == {}


async def test_a_projector_that_stores_no_pages_removes_the_story_s_stale_one(seed, database_url):
    runner = open_read_model(database_url)
    await migrate(runner.engine)
    renderer = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))
    v1, v2 = seed.v1(), seed.v2()
    try:
        await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(
            [v1, seed.enriched(v1)]
        )

        async def stored() -> dict[str, ArticlePageRow]:
            async with runner.sessions() as session:
                rows = await session.scalars(select(ArticlePageRow))
                return {row.article_id: row for row in rows}

        assert list(await stored()) == [seed.article_id]
        # An older process (no stored pages) projects the correction: v1's page must not stay.
        await Projection(runner, public_base_url="x").project.apply([v2])
        assert await stored() == {}
    finally:
        await runner.dispose()


async def test_on_postgresql_lost_stored_page_connections_lose_no_request(
    seed, postgres_url, redis_url, publisher, start_render, eventually
):
    from newsroom.render.adapters.postgres_pages import APPLICATION_NAME

    v1 = seed.v1()
    async with (
        start_render(redis_url, postgres_url, page_cache_size=0) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        stored = await _page(client, seed.slug)
        readers = await postgres_backends(postgres_url, "application_name", APPLICATION_NAME)
        assert readers, "the page was read on a connection of the stored pages' own"
        await terminate_backends(postgres_url, readers)
        # Every request is answered, with the same page, while the reads are lost and after.
        for _ in range(3):
            assert (await _page(client, seed.slug)).content == stored.content

        async def stored_again() -> bool:
            before = _served("stored")
            answer = await _page(client, seed.slug)
            return answer.content == stored.content and _served("stored") == before + 1

        await eventually(stored_again)


async def test_stored_pages_that_cannot_be_read_send_the_request_down_the_full_path():
    import socket

    from newsroom.render.adapters.postgres_pages import PostgresStoredPages

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    pages = PostgresStoredPages({"host": "127.0.0.1", "port": port, "user": "nobody"})
    assert await pages("a-slug", "a-build") is None  # refused: the caller builds the page
    assert await pages("a-slug", "a-build") is None  # and again, without waiting
    await pages.close()


async def test_on_postgresql_lookups_of_one_round_share_one_query_each_its_own_page(
    seed, postgres_url
):
    from newsroom.render.adapters.postgres_pages import PostgresStoredPages
    from newsroom.render.adapters.read_model_version import asyncpg_arguments
    from render_test_support import synthetic_story

    runner = open_read_model(postgres_url)
    await migrate(runner.engine)
    renderer = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))
    events = [e for n in range(3) for e in synthetic_story(seed.v1_article, n)]
    await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(events)
    stored = {row.slug: row for row in (await _stored(runner)).values()}  # it has `sessions`
    arguments = asyncpg_arguments(runner.engine)
    assert arguments is not None
    pages = PostgresStoredPages(arguments)
    try:
        assert await pages("warm-up", renderer.build) is None  # the pool opened
        counting = pages._pool = CountingPool(pages._pool)
        slugs = sorted(stored)
        asked = [*slugs, "no-such-story", slugs[0]]
        answers = await asyncio.gather(*(pages(slug, renderer.build) for slug in asked))
        assert counting.queries == 1
        for slug, page in zip(asked, answers, strict=True):
            if slug not in stored:
                assert page is None
                continue
            assert page is not None
            assert (page.article_id, page.etag, page.html) == (
                stored[slug].article_id,
                stored[slug].etag,
                stored[slug].html,
            )
        # Another build's lookup finds none of these pages.
        assert await pages(slugs[0], "another build") is None
    finally:
        await pages.close()
        await runner.dispose()


async def test_on_postgresql_stored_pages_are_compressed_with_lz4_and_read_back_whole(
    seed, postgres_url
):
    """Migration 0009: a page stored after the migration is lz4-compressed by the server
    (where the server has lz4), and the stored pages' read gives back the bytes stored."""
    from render_test_support import synthetic_story

    lz4_migration = importlib.import_module(
        "newsroom.render.adapters.migrations.versions.0009_article_pages_lz4"
    )

    runner = open_read_model(postgres_url)
    try:
        await migrate(runner.engine)
        async with runner.sessions() as session:
            if not (await session.execute(text(lz4_migration.LZ4_AVAILABLE))).scalar():
                pytest.skip("this PostgreSQL has no lz4")
        renderer = ArticlePageRenderer(
            "https://news.example", Publisher("News", "https://l.example")
        )
        events = [e for n in range(2) for e in synthetic_story(seed.v1_article, n)]
        await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(events)
        async with runner.sessions() as session:
            rows = (
                await session.execute(
                    text("SELECT slug, pg_column_compression(html), html FROM article_pages")
                )
            ).all()
        assert len(rows) == 2
        queries = ReadModelQueries(runner)
        try:
            for slug, compression, html in rows:
                assert len(html) > 4000  # over the size the server compresses from (2 KB)
                assert compression == "lz4"
                page = await queries.stored_page(slug, renderer.build)
                assert page is not None
                assert page.html == html
        finally:
            await queries.close()
    finally:
        await runner.dispose()


@pytest.mark.parametrize("path", ["served", "session"])
async def test_read_for_a_client_that_takes_gzip_a_stored_page_comes_as_its_gzip_form_alone(
    seed, database_url, path
):
    """A client that takes gzip is sent the gzip form, so the read leaves the html out: its
    gzip form and the html's length come instead (the html was a third of the read's cost on
    PostgreSQL). A page stored without a gzip form (before migration 0010) comes with its
    html. On each backend's read as served (SQLite on the event loop, PostgreSQL through
    asyncpg) and through the session (adapters.queries.stored_page)."""
    from render_test_support import synthetic_story

    renderer = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))
    runner = open_read_model(database_url)
    queries = ReadModelQueries(runner)
    try:
        await migrate(runner.engine)
        events = [e for n in range(2) for e in synthetic_story(seed.v1_article, n)]
        await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(events)
        rows = sorted((await _stored(runner)).values(), key=lambda row: row.slug)
        older = rows[1]
        async with runner.sessions() as session, session.begin():
            statement = update(ArticlePageRow).where(ArticlePageRow.slug == older.slug)
            await session.execute(statement.values(gzipped=None))

        async def read(slug: str, with_gzip: bool) -> Any:
            if path == "served":
                return await queries.stored_page(slug, renderer.build, with_gzip)
            return await runner.read_rows(
                lambda connection: stored_page(connection, slug, renderer.build, with_gzip)
            )

        page = await read(rows[0].slug, with_gzip=True)
        assert (page.html, page.gzipped, page.size) == (None, rows[0].gzipped, len(rows[0].html))
        assert gzip.decompress(page.gzipped) == rows[0].html
        whole = await read(rows[0].slug, with_gzip=False)
        assert (whole.html, whole.gzipped, whole.etag) == (rows[0].html, None, page.etag)
        without_form = await read(older.slug, with_gzip=True)
        assert (without_form.html, without_form.gzipped) == (older.html, None)
    finally:
        await queries.close()
        await runner.dispose()


async def test_on_sqlite_migration_0011_stores_the_gzip_form_first_and_the_pages_again(
    seed, tmp_path
):
    """Migration 0011 makes SQLite's stored pages' table again, its gzip form before the html,
    so that reading the gzip form leaves the html's overflow pages unread. The pages stored
    before it are left to the page builder (a copy cost too much at 1M stories), which stores
    them again byte for byte; they are read by their slugs as before, a slug still has one
    page, and a page still goes with its story."""
    from render_test_support import synthetic_story

    renderer = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))
    runner = open_read_model(f"sqlite+aiosqlite:///{tmp_path / 'read-model.db'}")
    queries = ReadModelQueries(runner)
    try:
        async with runner.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0010"))
        events = [e for n in range(3) for e in synthetic_story(seed.v1_article, n)]
        await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(events)
        before = await _stored(runner)
        assert len(before) == 3

        await migrate(runner.engine)

        async with runner.sessions() as session:
            layout = (await session.execute(text("PRAGMA table_info(article_pages)"))).all()
        columns = [column[1] for column in layout]
        assert columns.index("gzipped") < columns.index("html")
        assert await _stored(runner) == {}
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        assert (await build_pages(store, renderer)).stored == 3
        after = await _stored(runner)
        assert {key: _row_values(row) for key, row in after.items()} == {
            key: _row_values(row) for key, row in before.items()
        }
        for row in after.values():
            page = await queries.stored_page(row.slug, renderer.build, with_gzip=True)
            assert page is not None
            assert (page.gzipped, page.size) == (row.gzipped, len(row.html))

        first, second, third = sorted(after.values(), key=lambda row: row.slug)
        async with runner.sessions() as session, session.begin():
            await session.execute(
                delete(ArticleRow).where(ArticleRow.article_id == first.article_id)
            )
        assert first.article_id not in await _stored(runner)
        taken = update(ArticlePageRow).where(ArticlePageRow.article_id == third.article_id)
        async with runner.sessions() as session, session.begin():
            with pytest.raises(IntegrityError):
                await session.execute(taken.values(slug=second.slug))
    finally:
        await queries.close()
        await runner.dispose()


def _row_values(row: ArticlePageRow) -> dict[str, Any]:
    return {column: getattr(row, column) for column in ("article_id", *ARTICLE_PAGE_COLUMNS)}


class CountingPool:
    """The real pool, counting the queries sent through it."""

    def __init__(self, pool: Any) -> None:
        self.pool, self.queries = pool, 0

    async def fetch(self, *args: Any, **kwargs: Any) -> Any:
        self.queries += 1
        return await self.pool.fetch(*args, **kwargs)

    def terminate(self) -> None:
        self.pool.terminate()

    async def close(self) -> None:
        await self.pool.close()


async def test_a_stored_page_comes_with_the_version_it_was_read_at(seed, database_url, eventually):
    """What lets a page not kept be kept without reading the version first: the version a
    stored page is read with is the one read_model_version reads while nothing commits, and
    a commit after the read moves the version away from it."""
    renderer = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))
    runner = open_read_model(database_url)
    await migrate(runner.engine)
    projection = Projection(runner, public_base_url="x", article_pages=renderer)
    v1 = seed.v1()
    await projection.project.apply([v1, seed.enriched(v1)])
    queries = ReadModelQueries(runner)
    version = read_model_version(runner.engine, queries.version)
    try:

        async def read_as_now() -> Any:
            # On PostgreSQL any transaction ending on the server moves the version (another
            # database's included): equal once nothing ended between the two reads.
            page = await queries.stored_page(seed.slug, renderer.build)
            assert page is not None
            assert page.read_at is not None
            return page if page.read_at == await version() else None

        page = await eventually(read_as_now)
        assert f'data-version="{v1.data.article.version}"'.encode() in page.html

        await projection.project.apply([seed.v2()])
        assert await version() != page.read_at
        corrected = await eventually(read_as_now)
        assert corrected.read_at != page.read_at
        assert f'data-version="{seed.v2_article.version}"'.encode() in corrected.html
    finally:
        await version.close()
        await queries.close()
        await runner.dispose()


async def test_on_sqlite_the_pages_one_round_reads_share_a_transaction_that_ends_with_it(
    seed, tmp_path
):
    """On the event loop, the stored pages one round reads are read in one transaction (one
    set of file locks, not one a page). It ends with the round: a commit during the round is
    read from the next round on, and nothing is held after it, so a checkpoint of the whole
    WAL goes through. (A transaction left open would hold every later commit in the WAL.)"""
    import sqlite3

    from render_test_support import synthetic_story

    path = tmp_path / "read-model.db"
    renderer = ArticlePageRenderer("https://news.example", Publisher("News", "https://l.example"))
    runner = open_read_model(f"sqlite+aiosqlite:///{path}")
    queries = ReadModelQueries(runner)
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)  # never waits for a lock
    try:
        await migrate(runner.engine)
        events = [e for n in range(2) for e in synthetic_story(seed.v1_article, n)]
        await Projection(runner, public_base_url="x", article_pages=renderer).project.apply(events)
        first, second = sorted(row.slug for row in (await _stored(runner)).values())

        async def etag(slug: str) -> str:
            page = await queries.stored_page(slug, renderer.build)
            assert page is not None
            return page.etag

        def checkpoint() -> tuple[int, int, int]:
            # (busy, frames in the WAL, frames checkpointed): busy while a reader holds one
            return writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

        await asyncio.sleep(0)  # a round of its own
        before = await etag(first)
        writer.execute("UPDATE article_pages SET etag = 'W/\"changed\"'")
        # The same round: the second page, and the first again, as they were when it began.
        assert await etag(second) != 'W/"changed"'
        assert await etag(first) == before
        assert checkpoint()[0] == 1  # the round's reader holds the WAL's frames

        await asyncio.sleep(0)  # the next round
        assert checkpoint() == (0, 0, 0)  # nothing held: the whole WAL checkpointed
        assert await etag(first) == await etag(second) == 'W/"changed"'
    finally:
        writer.close()
        await queries.close()
        await runner.dispose()
