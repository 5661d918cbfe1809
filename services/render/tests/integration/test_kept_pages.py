"""Kept pages (entrypoints.kept): a page answered from memory answers every request exactly as
the full path does (status, headers, body, for GET, HEAD, gzip and revalidation), is counted
as the full path counts it, and is never served stale after its PageChanged, whichever of two
replicas on the same database projected the change; on SQLite and PostgreSQL alike. A version
that cannot be read sends requests down the full path until it can again. Real HTTP (uvicorn),
Redis, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import html
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from newsroom.render.adapters.queries import SqliteLoopReads
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.shared.events import PageChanged
from newsroom.shared.streams import pages_stream
from render_test_support import document_with_entities, postgres_backends, terminate_backends

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
    redis_url: str, database_url: str, start_render: Any
) -> AsyncIterator[tuple[Any, Any]]:
    """Two replicas on one database (an SQLite file, then PostgreSQL): one keeping pages, one
    that keeps none."""
    async with (
        start_render(redis_url, database_url, public_base_url=BASE) as keeping,
        start_render(redis_url, database_url, public_base_url=BASE, page_cache_size=0) as building,
    ):
        yield keeping, building


async def _served_and_kept(client: httpx.AsyncClient, service: Any, url: str) -> bool:
    """Whether `url`, served once more, is then kept under the version now. On the shared
    PostgreSQL server another session's commit may move the version in between: callers ask
    again (`eventually`)."""
    await _raw(client, "GET", url, {"accept-encoding": "identity"})
    kept = service.app_site.kept
    return kept.find(url, await kept.version()) is not None


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
            await eventually(lambda url=url: _served_and_kept(kept, keeping, url))
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


async def test_a_kept_page_is_counted_like_a_built_one(
    start_render, redis_url, database_url, publisher, seed
):
    async with (
        start_render(redis_url, database_url) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        from support.polling import eventually

        v1 = seed.v1()
        await publisher(v1, seed.enriched(v1))
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
        first = await client.get(page)
        assert html.escape(seed.v1_article.headline) in first.text
        await eventually(lambda: _served_and_kept(client, keeping, page))
        await redis.delete(pages_stream())
        # Either replica may project the update: kept pages are dropped by the version alone,
        # which moves with the commit whoever made it.
        await publisher(seed.v2())
        await eventually(lambda: announced("article-updated"))
        updated = await client.get(page)
        assert updated.headers["etag"] != first.headers["etag"]
        assert html.escape(seed.v2_article.headline) in updated.text
        await publisher(seed.kill())
        await eventually(lambda: announced("article-withdrawn"))
        assert (await client.get(page)).status_code == 410
    await redis.aclose()


async def test_a_change_another_replica_commits_is_seen_by_the_next_request(
    redis_url, database_url, start_render, publisher, seed, eventually
):
    page = f"/articles/{seed.slug}"
    async with (
        start_render(redis_url, database_url, public_base_url=BASE) as keeping,
        httpx.AsyncClient(base_url=keeping.base_url, timeout=10) as client,
    ):
        v1 = seed.v1()
        await publisher(v1, seed.enriched(v1))
        document = f"/api/articles/{seed.article_id}"
        await eventually(lambda: document_with_entities(client, document))
        for url in (page, document):
            await eventually(lambda url=url: _served_and_kept(client, keeping, url))
        kept = await client.get(page)
        assert (await client.get(document)).json()["version"] == seed.v1_article.version
        # Another replica's projector (the update never reaches this one's streams).
        other = open_read_model(database_url)
        try:
            await Projection(other, public_base_url=BASE).project.apply([seed.v2()])
        finally:
            await other.dispose()
        assert (await client.get(page)).headers["etag"] != kept.headers["etag"]
        assert (await client.get(document)).json()["version"] == seed.v2_article.version


async def _etag_moved(client: httpx.AsyncClient, page: str, etag: str) -> bool:
    return (await client.get(page)).headers.get("etag") not in (None, etag)


async def _version_connections(database_url: str) -> list[int]:
    """The backends reading the read model's version (adapters.read_model_version)."""
    from newsroom.render.adapters.read_model_version import SNAPSHOT

    return await postgres_backends(database_url, "query", SNAPSHOT)


async def test_on_postgresql_a_lost_version_connection_means_the_full_path_until_it_is_back(
    redis_url, postgres_url, start_render, publisher, seed, eventually
):
    page = f"/articles/{seed.slug}"
    async with (
        start_render(redis_url, postgres_url, public_base_url=BASE) as keeping,
        start_render(redis_url, postgres_url, public_base_url=BASE, page_cache_size=0) as building,
        httpx.AsyncClient(base_url=keeping.base_url, timeout=10) as client,
        httpx.AsyncClient(base_url=building.base_url, timeout=10) as full_path,
    ):
        v1 = seed.v1()
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        await eventually(lambda: _served_and_kept(client, keeping, page))
        kept_etag = (await client.get(page)).headers["etag"]
        killed = await _version_connections(postgres_url)
        assert len(killed) == 1  # the keeping replica's; the other keeps nothing
        await terminate_backends(postgres_url, killed)
        await publisher(seed.v2())
        await eventually(lambda: _etag_moved(full_path, page, kept_etag))
        # The first request after the loss cannot read the version: the full path answers.
        updated = await _raw(client, "GET", page, {"accept-encoding": "identity"})
        assert updated.headers["etag"] != kept_etag
        assert _answer(updated) == _answer(
            await _raw(full_path, "GET", page, {"accept-encoding": "identity"})
        )
        # Then a new connection, and pages are kept again.
        await eventually(lambda: _served_and_kept(client, keeping, page))
        reconnected = await _version_connections(postgres_url)
        assert len(reconnected) == 1
        assert reconnected != killed


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[SqliteLoopReads, sqlite3.Connection]]:
    """An SQLite file in WAL mode, its version as render reads it, and another connection
    that writes."""
    path = tmp_path / "model.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE pages (path TEXT)")
    version = SqliteLoopReads(str(path))
    yield version, writer
    version.close()
    writer.close()


def test_the_sqlite_version_moves_with_every_commit_of_any_connection(sqlite_file):
    version, writer = sqlite_file
    first = version.data_version()
    assert first is not None
    assert version.data_version() == first  # nothing committed meanwhile
    writer.execute("INSERT INTO pages VALUES ('/')")
    assert version.data_version() != first


async def test_on_the_loop_the_sqlite_version_is_read_once_a_round_and_moves_by_the_next(
    sqlite_file,
):
    """The requests one round of the event loop runs arrived before it began: they share one
    reading. A commit after it is seen from the next round on, by every request it brings."""
    version, writer = sqlite_file
    first = version.data_version()
    writer.execute("INSERT INTO pages VALUES ('/')")
    assert version.data_version() == first  # the same round
    await asyncio.sleep(0)  # the next round
    assert version.data_version() not in (None, first)


async def test_probes_and_metrics_never_wait_for_the_version(render_service, monkeypatch):
    import asyncio

    stalled = asyncio.Event()  # never set: a version read that hangs (a server that stalls)

    async def never_answers() -> None:
        await stalled.wait()

    monkeypatch.setattr(render_service.app_site.kept, "version", never_answers)
    try:
        async with httpx.AsyncClient(base_url=render_service.base_url, timeout=10) as client:
            for path in ("/healthz", "/readyz", "/metrics"):
                assert (await client.get(path)).status_code == 200, path
    finally:
        stalled.set()  # a request left waiting (were a probe to wait) ends: the server stops
