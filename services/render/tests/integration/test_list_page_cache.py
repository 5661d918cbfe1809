"""List pages are kept once built and never served stale after their PageChanged: every list
page is read (and kept) while a story is on it, the story is killed, and as soon as the
pages stream carries a page's PageChanged, that page no longer shows the story. Events in
and PageChanged out through Redis, pages over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis

from newsroom.shared.events import PageChanged
from newsroom.shared.streams import pages_stream
from render_test_support import document_with_entities

pytestmark = pytest.mark.integration

ENTITY = "person/yulia-peresild"


def _pages(seed: Any) -> dict[str, tuple[str, str]]:
    """URL → (the path its PageChanged names, what shows the story on it)."""
    first = seed.v1_article.firstcreated or seed.v1_article.versioncreated
    return {
        "/": ("/", seed.slug),
        "/?per_page=1": ("/", seed.slug),
        "/api/articles": ("/api/articles", seed.slug),
        "/feed.atom": ("/feed.atom", seed.slug),
        "/timeline": ("/timeline", seed.slug),
        "/timeline/2021": ("/timeline", seed.slug),
        f"/entities/{ENTITY}": (f"/entities/{ENTITY}", seed.slug),
        f"/api/entities/{ENTITY}": (f"/api/entities/{ENTITY}", seed.slug),
        "/api/entities": ("/api/entities", ENTITY),
        "/sitemap.xml": ("/sitemap.xml", "/sitemaps/stories/"),
        f"/sitemaps/stories/{first:%Y/%m}/1.xml": ("/sitemap.xml", seed.slug),
    }


async def test_no_list_page_is_served_stale_after_its_page_changed(
    render_service, publisher, seed, redis_url, eventually
):
    redis = Redis.from_url(redis_url)
    base = render_service.base_url
    pages = _pages(seed)

    async def announced() -> set[str]:
        """The pages whose PageChanged of the kill has been published."""
        entries = await redis.xrange(pages_stream())
        changes = [
            PageChanged.model_validate_json(BinaryMessageFormatV1.parse(fields[b"__data__"])[0])
            for _, fields in entries
        ]
        return {
            change.data.url.removeprefix(base)
            for change in changes
            if change.data.reason == "article-withdrawn"
        }

    async with httpx.AsyncClient(base_url=base) as client:
        v1 = seed.v1()
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        for url, (_, shown) in pages.items():
            for _ in range(2):  # built, then kept
                page = await client.get(url)
                assert page.status_code == 200, url
                assert shown in page.text, url
        await publisher(seed.kill())
        unchecked = dict(pages)
        while unchecked:
            published = await eventually(announced)
            for url, (footprint, shown) in list(unchecked.items()):
                if footprint in published:
                    page = await client.get(url)
                    # gone from the page, or the page gone with it (an entity no story names)
                    assert page.status_code in (200, 404), url
                    assert shown not in page.text, url
                    del unchecked[url]
    await redis.aclose()
