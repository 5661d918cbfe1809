"""Sitemaps and the feed at archive scale: /sitemap.xml is a sitemap index (sitemaps.org 0.9)
whose files split the stories by month of first publication, at most `sitemap_urls` URLs a
file, each story with its version time as lastmod; a Google News sitemap lists the last 48
hours; /feed.atom carries the latest stories, links to RFC 5005 archive pages of the older
ones, and names stories killed in the last 30 days as RFC 6721 deleted entries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from render_test_support import synthetic_story

pytestmark = pytest.mark.integration

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}"
HISTORY = "{http://purl.org/syndication/history/1.0}"
SPLIT = 7
START = datetime(2021, 8, 31, 23, 0, tzinfo=UTC)  # a story an hour: August into September
STORIES = 30
NOW = START + timedelta(hours=STORIES + 1)


@pytest.fixture
async def render(redis_url: str, tmp_path: Any, start_render: Any, seed: Any) -> Any:
    database = f"sqlite+aiosqlite:///{tmp_path / 'render.db'}"
    async with start_render(redis_url, database, sitemap_urls=SPLIT) as service:
        service.clock.current = NOW
        events = []
        for n in range(STORIES):
            events += synthetic_story(
                seed.v1_article, n * 60, entity_ids=[f"person/someone-{n}"], start=START
            )
        await service.runtime.projection.project.apply(events)
        yield service


def _xml(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content)


async def test_the_sitemap_index_splits_by_month_and_size(render):
    async with httpx.AsyncClient(base_url=render.base_url) as client:
        index = _xml(await client.get("/sitemap.xml"))
        assert index.tag == f"{SITEMAP}sitemapindex"
        files = [urlsplit(s.findtext(f"{SITEMAP}loc") or "").path for s in index]
        months = [f for f in files if f.startswith("/sitemaps/stories/")]
        # 1 story in August, 29 in September: 1 file, then 5 of at most 7
        assert months == ["/sitemaps/stories/2021/08/1.xml"] + [
            f"/sitemaps/stories/2021/09/{part}.xml" for part in range(1, 6)
        ]
        entity_files = [f for f in files if f.startswith("/sitemaps/entities/")]
        assert len(entity_files) == 5  # 30 entities, 7 a file
        assert "/sitemaps/news.xml" in files
        assert "/sitemaps/pages.xml" in files

        stories: list[str] = []
        for path in months:
            urlset = _xml(await client.get(path))
            urls = list(urlset)
            assert 1 <= len(urls) <= SPLIT
            stories += [u.findtext(f"{SITEMAP}loc") or "" for u in urls]
            for url in urls:
                assert url.findtext(f"{SITEMAP}lastmod")  # the story's version time
        assert len(stories) == len(set(stories)) == STORIES
        entities = [
            u.findtext(f"{SITEMAP}loc")
            for path in entity_files
            for u in _xml(await client.get(path))
        ]
        assert len(entities) == len(set(entities)) == STORIES
        september = [s for s in index if "/2021/09/" in (s.findtext(f"{SITEMAP}loc") or "")]
        lastmod = datetime.fromisoformat(september[0].findtext(f"{SITEMAP}lastmod") or "")
        assert lastmod == START + timedelta(hours=STORIES - 1)  # the newest story's version
        missing = await client.get("/sitemaps/stories/2021/09/6.xml")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


async def test_the_news_sitemap_lists_the_last_48_hours(render):
    render.clock.current = START + timedelta(hours=STORIES + 24)  # the first 6 are older
    async with httpx.AsyncClient(base_url=render.base_url) as client:
        urlset = _xml(await client.get("/sitemaps/news.xml"))
        assert len(urlset) == STORIES - 6
        first = urlset[0]
        assert first.find(f"{NEWS}news/{NEWS}publication/{NEWS}name") is not None
        assert first.findtext(f"{NEWS}news/{NEWS}title") == f"Story {(STORIES - 1) * 60}"

        # Kept in memory since, yet the next story to leave the window leaves it on time.
        assert len(_xml(await client.get("/sitemaps/news.xml"))) == STORIES - 6
        render.clock.current += timedelta(hours=1)
        assert len(_xml(await client.get("/sitemaps/news.xml"))) == STORIES - 7


async def test_the_feed_links_archive_pages_and_names_killed_stories(render, seed):
    more = []
    for n in range(STORIES, 2 * STORIES + 10):  # 70 stories: more than the feed's 50
        more += synthetic_story(seed.v1_article, n * 60, start=START)
    await render.runtime.projection.project.apply(more)
    async with httpx.AsyncClient(base_url=render.base_url) as client:
        feed = _xml(await client.get("/feed.atom"))
        assert len(feed.findall(f"{ATOM}entry")) == 50
        seen = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
        pages = 1
        prev = feed.find(f"{ATOM}link[@rel='prev-archive']")
        assert prev is not None
        while prev is not None:
            archive = _xml(await client.get(urlsplit(prev.get("href")).path))
            assert archive.find(f"{HISTORY}archive") is not None
            assert archive.find(f"{ATOM}link[@rel='current']") is not None
            seen += [e.findtext(f"{ATOM}id") for e in archive.findall(f"{ATOM}entry")]
            prev = archive.find(f"{ATOM}link[@rel='prev-archive']")
            pages += 1
        assert len(seen) == len(set(seen)) == 2 * STORIES + 10
        assert pages == 2
        assert feed.find(f"{TOMBSTONE}deleted-entry") is None

        # a kill: the story leaves the feed and stays as a deleted entry for 30 days
        v1 = seed.v1()
        await render.runtime.projection.project.apply([v1, seed.enriched(v1)])
        render.clock.current = seed.kill().data.versioncreated + timedelta(days=1)
        await render.runtime.projection.project.apply([seed.kill()])
        feed = _xml(await client.get("/feed.atom"))
        deleted = feed.findall(f"{TOMBSTONE}deleted-entry")
        assert [d.get("ref") for d in deleted] == [f"urn:uuid:{seed.article_id}"]
        assert deleted[0].get("when")
        ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
        assert f"urn:uuid:{seed.article_id}" not in ids
        render.clock.current += timedelta(days=31)
        feed = _xml(await client.get("/feed.atom"))
        assert feed.find(f"{TOMBSTONE}deleted-entry") is None
