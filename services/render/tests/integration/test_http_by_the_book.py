"""HTTP by the book, over real HTTP (uvicorn), real Redis and SQLite, the story fed through the
streams: HEAD wherever GET is, `Allow` on every 405, gzip with validators that still
revalidate, robots.txt, an icon, a description on every page, and one log line per error."""

from __future__ import annotations

import gzip
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from newsroom.render.domain.keyset import encode_cursor
from render_test_support import document_with_entities

pytestmark = pytest.mark.integration

BASE = "https://news.example"
IDENTITY = {"accept-encoding": "identity"}
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ENTITY = "person/yulia-peresild"


@dataclass
class Published:
    client: httpx.AsyncClient
    database: str
    urls: list[str]  # every GET route, its parameters filled in with what the story names


@pytest.fixture
async def published(seed, redis_url, tmp_path, publisher, start_render) -> AsyncIterator[Published]:
    database = tmp_path / "render.db"
    async with (
        start_render(redis_url, f"sqlite+aiosqlite:///{database}", public_base_url=BASE) as render,
        httpx.AsyncClient(base_url=render.base_url, timeout=10) as client,
    ):
        v1 = seed.v1()
        await publisher(v1, seed.enriched(v1))
        api = f"/api/articles/{seed.article_id}"
        await document_with_entities_eventually(client, api)
        first_published = v1.data.article.firstcreated or v1.data.article.versioncreated
        parameters = {
            "slug": seed.slug,
            "article_id": seed.article_id,
            "entity_id": ENTITY,
            # the month the seed was first published in: its sitemap file exists
            "year": f"{first_published:%Y}",
            "month": f"{first_published:%m}",
            "part": "1",
            # the archive page of the stories before a day after the seed's publication
            "cursor": encode_cursor((v1.data.article.versioncreated + timedelta(days=1), "z")),
        }
        documented = (await client.get("/openapi.json")).json()["paths"]
        urls = [
            re.sub(r"\{(\w+)\}", lambda m: parameters[m[1]], path)
            for path, methods in documented.items()
            if "get" in methods and not path.startswith("/problems/")
        ]
        urls.append("/problems/article-not-found")
        assets = ["/favicon.ico", "/static/favicon.svg", "/static/logo.svg", "/docs"]
        yield Published(client, str(database), urls + assets)


async def document_with_entities_eventually(client: httpx.AsyncClient, path: str) -> None:
    from support.polling import eventually

    await eventually(lambda: document_with_entities(client, path))


async def test_every_get_route_answers_head_as_it_answers_get(published):
    client = published.client
    assert len(published.urls) >= 19
    for url in published.urls:
        get = await client.get(url, headers=IDENTITY)
        head = await client.head(url, headers=IDENTITY)
        assert get.status_code == 200, url
        assert head.status_code == 200, url
        assert head.content == b"", url
        for header in ("content-type", "etag", "last-modified"):
            assert head.headers.get(header) == get.headers.get(header), (url, header)
        if url != "/metrics":  # the next scrape counts one more request
            assert head.headers["content-length"] == str(len(get.content)), url


@pytest.mark.parametrize("method", ["TRACE", "POST", "PUT", "DELETE", "PATCH"])
async def test_every_other_method_is_refused_with_the_allowed_ones(published, method):
    for url in published.urls:
        refused = await published.client.request(method, url)
        assert refused.status_code == 405, (method, url)
        assert set(refused.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}, url
        if not url.startswith("/static/"):
            assert refused.headers["content-type"] == "application/problem+json", url


async def test_text_is_gzipped_under_a_weak_etag_that_revalidates_either_form(published, seed):
    client = published.client
    text_urls = {
        f"/articles/{seed.slug}": "text/html",
        "/": "text/html",
        f"/api/articles/{seed.article_id}": "application/json",
        "/feed.atom": "application/atom+xml",
        "/timeline": "text/html",  # (the sitemap index is too small to be worth compressing)
        "/openapi.json": "application/json",
    }
    for url, media_type in text_urls.items():
        plain = await client.get(url, headers=IDENTITY)
        async with client.stream("GET", url, headers={"accept-encoding": "gzip"}) as packed:
            raw = b"".join([chunk async for chunk in packed.aiter_raw()])
        assert packed.headers["content-type"].startswith(media_type), url
        assert packed.headers["content-encoding"] == "gzip", url
        assert "accept-encoding" in packed.headers["vary"].lower(), url
        assert "content-encoding" not in plain.headers, url
        assert gzip.decompress(raw) == plain.content, url
        if url == "/openapi.json":
            continue  # a document, not a page: no validators
        # Never one strong validator for two representations.
        assert packed.headers["etag"].startswith('W/"'), url
        for etag in {packed.headers["etag"], plain.headers["etag"]}:
            for encoding in ("gzip", "identity"):
                again = await client.get(
                    url, headers={"if-none-match": etag, "accept-encoding": encoding}
                )
                assert again.status_code == 304, (url, etag, encoding)
                assert again.headers["etag"] == packed.headers["etag"]
                assert "accept-encoding" in again.headers["vary"].lower()


async def test_robots_txt_points_at_the_sitemap_and_pages_link_an_icon(published):
    client = published.client
    robots = await client.get("/robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.text.splitlines()
    assert "User-agent: *" in robots.text.splitlines()

    favicon = await client.get("/favicon.ico")
    assert favicon.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert favicon.content[:4] == b"\x00\x00\x01\x00"  # an ICO
    front = await client.get("/")
    [icon] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', front.text)
    linked = await client.get(icon)
    assert linked.headers["content-type"] == "image/svg+xml"
    assert linked.text.startswith("<svg")


async def test_every_page_has_a_description(published, seed):
    client = published.client
    pages = {
        "front": "/",
        "article": f"/articles/{seed.slug}",
        "entity": f"/entities/{quote(ENTITY)}",
        "timeline": "/timeline",
        "not found": "/no/such/page",
        "no such story": "/articles/no-such-story",
    }
    for name, url in pages.items():
        page = await client.get(url, headers=BROWSER)
        assert page.headers["content-type"].startswith("text/html"), name
        descriptions = re.findall(r'<meta name="description" content="([^"]+)">', page.text)
        assert len(descriptions) == 1, name
        assert len(descriptions[0]) > 20, name


async def test_an_unexpected_error_is_answered_and_logged_once(published, caplog):
    client = published.client
    with sqlite3.connect(published.database) as database:  # the read model breaks
        database.execute("DROP TABLE timeline_entries")
    with caplog.at_level(logging.INFO), capture_logs(processors=[merge_contextvars]) as logs:
        failed = await client.get("/timeline")
        after = await client.get("/healthz")  # the same connection still serves
    assert failed.status_code == 500
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["type"] == f"{BASE}/problems/internal-error"
    assert after.status_code == 200
    errors = [entry for entry in logs if entry["log_level"] in ("error", "critical")]
    stdlib_errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) + len(stdlib_errors) == 1, (errors, stdlib_errors)
    [error] = errors
    assert error["path"] == "/timeline"
    assert error["exc_info"] is True  # rendered as the traceback by the JSON logger
