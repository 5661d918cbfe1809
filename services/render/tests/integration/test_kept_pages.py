"""Kept pages (entrypoints.kept): a page answered from memory answers every request exactly as
the full path does (status, headers, body, for GET, HEAD, gzip and revalidation), is counted
as the full path counts it, and is never served stale after its PageChanged, whichever of two
replicas on the same database projected the change. Real HTTP (uvicorn), Redis and SQLite."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from newsroom.render.adapters.queries import SqliteDataVersion
from newsroom.shared.events import PageChanged
from newsroom.shared.streams import pages_stream
from render_test_support import document_with_entities

pytestmark = pytest.mark.integration

ENTITY = "person/yulia-peresild"
BASE = "https://news.example"  # the same in both replicas: pages name it
# What uvicorn adds to every response, the same whoever answers.
PER_RESPONSE = {"date", "server"}


def _variants(etag: str, modified: str) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "identity": ("GET", {"accept-encoding": "identity"}),
        "gzip": ("GET", {"accept-encoding": "gzip, deflate"}),
        "no accept-encoding": ("GET", {}),
        "head": ("HEAD", {"accept-encoding": "identity"}),
        "head gzip": ("HEAD", {"accept-encoding": "gzip"}),
        "if-none-match": ("GET", {"if-none-match": etag, "accept-encoding": "gzip"}),
        "if-none-match other": ("GET", {"if-none-match": '"other"'}),
        "if-modified-since": ("GET", {"if-modified-since": modified}),
    }


def _answer(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k not in PER_RESPONSE]
    return response.status_code, sorted(headers), response.content


async def _raw(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str]) -> Any:
    # httpx would add its own Accept-Encoding and decode gzip: the bytes as sent are compared.
    request = client.build_request(method, url, headers=headers)
    if "accept-encoding" not in headers:
        del request.headers["accept-encoding"]
    response = await client.send(request, stream=True)
    await response.aread()
    await response.aclose()
    return response


@pytest.fixture
async def two_renders(
    redis_url: str, tmp_path: Path, start_render: Any
) -> AsyncIterator[tuple[Any, Any]]:
    """Two replicas on one database: one keeping pages, one that keeps none."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'render.db'}"
    async with (
        start_render(redis_url, database, public_base_url=BASE) as keeping,
        start_render(redis_url, database, public_base_url=BASE, page_cache_size=0) as building,
    ):
        yield keeping, building


async def test_a_kept_page_answers_every_request_as_the_full_path_does(
    two_renders, publisher, seed
):
    keeping, building = two_renders
    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    urls = [
        f"/articles/{seed.slug}",
        f"/api/articles/{seed.article_id}",
        "/",
        "/?per_page=1",
        f"/entities/{ENTITY}",
        f"/api/entities/{ENTITY}",
        "/api/articles",
        "/timeline",
        "/feed.atom",
        "/sitemap.xml",
        "/sitemaps/pages.xml",
    ]
    async with (
        httpx.AsyncClient(base_url=keeping.base_url, timeout=10) as kept,
        httpx.AsyncClient(base_url=building.base_url, timeout=10) as built,
    ):
        from support.polling import eventually

        await eventually(lambda: document_with_entities(built, f"/api/articles/{seed.article_id}"))
        for url in urls:
            identity = {"accept-encoding": "identity"}
            first = await _raw(kept, "GET", url, identity)  # built, and kept from now on
            assert _answer(first) == _answer(await _raw(built, "GET", url, identity)), url
            assert keeping.app_site.kept.find(url, keeping.app_site.kept.version()), url
            variants = _variants(first.headers["etag"], first.headers["last-modified"])
            for name, (method, headers) in variants.items():
                from_memory = await _raw(kept, method, url, headers)
                full_path = await _raw(built, method, url, headers)
                assert _answer(from_memory) == _answer(full_path), (url, name)


def _rendered(page: str) -> float:
    value = REGISTRY.get_sample_value(
        "newsroom_render_pages_rendered_total", {"page": page, "status": "200"}
    )
    return value or 0.0


async def test_a_kept_page_is_counted_like_a_built_one(render_service, publisher, seed):
    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    async with httpx.AsyncClient(base_url=render_service.base_url, timeout=10) as client:
        from support.polling import eventually

        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        for page, url in [("article", f"/articles/{seed.slug}"), ("entity", f"/entities/{ENTITY}")]:
            before = _rendered(page)
            for _ in range(5):  # built once, then kept
                assert (await client.get(url)).status_code == 200
            assert _rendered(page) - before == 5, page


async def test_a_kept_article_is_not_served_stale_after_its_page_changed(
    two_renders, publisher, seed, redis_url, eventually
):
    keeping, _projecting_too = two_renders
    redis = Redis.from_url(redis_url)
    page = f"/articles/{seed.slug}"

    async def announced(reason: str) -> bool:
        for _, fields in await redis.xrange(pages_stream()):
            change = PageChanged.model_validate_json(
                BinaryMessageFormatV1.parse(fields[b"__data__"])[0]
            )
            if change.data.reason == reason and change.data.url.endswith(page):
                return True
        return False

    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    async with httpx.AsyncClient(base_url=keeping.base_url, timeout=10) as client:
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        for _ in range(3):
            first = await client.get(page)
        assert html.escape(seed.v1_article.headline) in first.text
        await redis.delete(pages_stream())
        # Either replica may project the update: both share the database kept pages check.
        await publisher(seed.v2())
        await eventually(lambda: announced("article-updated"))
        updated = await client.get(page)
        assert updated.headers["etag"] != first.headers["etag"]
        assert html.escape(seed.v2_article.headline) in updated.text
        await publisher(seed.kill())
        await eventually(lambda: announced("article-withdrawn"))
        assert (await client.get(page)).status_code == 410
    await redis.aclose()


def test_the_sqlite_version_moves_with_every_commit_of_any_connection(tmp_path):
    import sqlite3

    path = tmp_path / "model.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE pages (path TEXT)")
    version = SqliteDataVersion(str(path))
    first = version()
    assert first is not None
    assert version() == first  # nothing committed meanwhile
    writer.execute("INSERT INTO pages VALUES ('/')")
    assert version() != first
    version.close()
    writer.close()
