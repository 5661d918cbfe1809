"""Last-Modified of list pages only moves forward: after a kill the front page (and every
list) says it changed, so a client revalidating with If-Modified-Since alone gets the page
without the killed story instead of a 304 that keeps it. Events go in through the streams,
pages come out over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from render_test_support import document_with_entities, events_applied, status_of

pytestmark = pytest.mark.integration

LIST_PAGES = ["/", "/feed.atom", "/sitemap.xml", "/timeline", "/api/articles", "/api/entities"]

# The service's clock stands still at one instant: the kill lands in the same second as the
# publication.
INSTANT = datetime(2026, 11, 25, 12, 0, 0, 500_000, tzinfo=UTC)


@pytest.mark.parametrize("path", LIST_PAGES)
async def test_a_kill_moves_last_modified_forward_and_if_modified_since_sees_it(
    render_service, publisher, seed, eventually, path
):
    render_service.clock.current = INSTANT
    v1 = seed.v1()
    # The enrichment first: the story then changes every list page in one transaction, once
    # (two changes in one second already move a page's time a second ahead, as far as it goes).
    await publisher(seed.enriched(v1))
    await eventually(lambda: events_applied(render_service, 1))
    await publisher(v1)
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        shown = await client.get(path)
        assert shown.status_code == 200
        # the sitemap index lists the month of the story, not the story
        markers = ["/sitemaps/stories/"] if path == "/sitemap.xml" else []
        markers += [seed.slug, "person/yulia-peresild"]
        assert any(marker in shown.text for marker in markers)
        published = parsedate_to_datetime(shown.headers["last-modified"])
        assert published.year > 1970

        await publisher(seed.kill())
        await eventually(lambda: status_of(client, f"/api/articles/{seed.article_id}", 410))
        revalidated = await client.get(
            path, headers={"If-Modified-Since": shown.headers["last-modified"]}
        )
        assert revalidated.status_code == 200
        assert not any(marker in revalidated.text for marker in markers)
        assert parsedate_to_datetime(revalidated.headers["last-modified"]) > published


async def test_an_entity_page_moves_forward_when_one_of_its_stories_is_killed(
    render_service, publisher, seed, eventually
):
    v1 = seed.v1()
    other = seed.embargoed(datetime(2020, 1, 1, tzinfo=UTC))  # already lifted
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        # Each story names the entity from its own second on; the kill lands in the second of
        # the last one.
        render_service.clock.current = INSTANT - timedelta(seconds=1)
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        render_service.clock.current = INSTANT
        await publisher(other, seed.enriched(other))
        await eventually(
            lambda: document_with_entities(client, f"/api/articles/{other.data.article_id}")
        )
        for path in ("/entities/person/yulia-peresild", "/api/entities/person/yulia-peresild"):
            shown = await client.get(path)
            assert shown.status_code == 200
            assert seed.slug in shown.text
        await publisher(seed.kill())
        await eventually(lambda: status_of(client, f"/api/articles/{seed.article_id}", 410))
        for path in ("/entities/person/yulia-peresild", "/api/entities/person/yulia-peresild"):
            revalidated = await client.get(
                path, headers={"If-Modified-Since": shown.headers["last-modified"]}
            )
            assert revalidated.status_code == 200
            assert seed.slug not in revalidated.text


async def test_many_changes_in_one_second_keep_last_modified_within_a_second_of_the_clock(
    render_service, publisher, seed, eventually
):
    render_service.clock.current = INSTANT
    v1 = seed.v1()
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        for n in range(2, 7):  # five new headlines on the front page within the clock's one second
            later = seed.v1_article.model_copy(
                update={
                    "version": str(n),
                    "versioncreated": seed.v1_article.versioncreated + timedelta(minutes=n),
                    "headline": f"{seed.v1_article.headline} ({n})",
                }
            )
            # One at a time: each changes the front page in a transaction of its own.
            await publisher(seed.received(later))
            await eventually(lambda n=n: _version_is(client, seed.article_id, str(n)))
        modified = parsedate_to_datetime((await client.get("/")).headers["last-modified"])
    assert modified <= datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC)


async def _version_is(client: httpx.AsyncClient, article_id: str, version: str) -> bool:
    response = await client.get(f"/api/articles/{article_id}")
    return response.status_code == 200 and response.json()["version"] == version
