"""Last-Modified of list pages only moves forward: after a kill the front page (and every
list) says it changed, so a client revalidating with If-Modified-Since alone gets the page
without the killed story instead of a 304 that keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from newsroom.render.adapters.migrate import migrate
from newsroom.render.bootstrap import RenderRuntime
from newsroom.render.entrypoints.http import create_app
from newsroom.shared.settings import RenderSettings

pytestmark = pytest.mark.integration

LIST_PAGES = ["/", "/feed.atom", "/sitemap.xml", "/timeline", "/api/articles", "/api/entities"]


@pytest.fixture
async def runtime(tmp_path, redis_url):
    runtime = RenderRuntime(
        RenderSettings(
            redis_url=redis_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'render.db'}",
            public_base_url="http://render.test",
        ),
        # One fixed instant: the kill lands in the same second as the publication.
        clock=lambda: datetime(2026, 11, 25, 12, 0, 0, 500_000, tzinfo=UTC),
    )
    await migrate(runtime.engine)
    yield runtime
    runtime.projector.runner.dispose()
    runtime.queries.runner.dispose()
    await runtime.engine.dispose()
    await runtime.redis.aclose()


@pytest.mark.parametrize("path", LIST_PAGES)
async def test_a_kill_moves_last_modified_forward_and_if_modified_since_sees_it(
    runtime, seed, path
):
    v1 = seed.v1()
    await runtime.projector.apply([v1, seed.enriched(v1)])
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://render.test") as client:
        shown = await client.get(path)
        assert shown.status_code == 200
        assert seed.slug in shown.text or "person/yulia-peresild" in shown.text
        published = parsedate_to_datetime(shown.headers["last-modified"])
        assert published.year > 1970

        await runtime.projector.apply([seed.kill()])
        revalidated = await client.get(
            path, headers={"If-Modified-Since": shown.headers["last-modified"]}
        )
        assert revalidated.status_code == 200
        assert seed.slug not in revalidated.text
        assert "person/yulia-peresild" not in revalidated.text
        assert parsedate_to_datetime(revalidated.headers["last-modified"]) > published


async def test_an_entity_page_moves_forward_when_one_of_its_stories_is_killed(runtime, seed):
    v1 = seed.v1()
    other = seed.embargoed(datetime(2020, 1, 1, tzinfo=UTC))  # already lifted
    await runtime.projector.apply([v1, seed.enriched(v1), other, seed.enriched(other)])
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://render.test") as client:
        for path in ("/entities/person/yulia-peresild", "/api/entities/person/yulia-peresild"):
            shown = await client.get(path)
            assert shown.status_code == 200
            assert seed.slug in shown.text
        await runtime.projector.apply([seed.kill()])
        for path in ("/entities/person/yulia-peresild", "/api/entities/person/yulia-peresild"):
            revalidated = await client.get(
                path, headers={"If-Modified-Since": shown.headers["last-modified"]}
            )
            assert revalidated.status_code == 200
            assert seed.slug not in revalidated.text


async def test_many_changes_in_one_second_keep_last_modified_within_a_second_of_the_clock(
    runtime, seed
):
    v1 = seed.v1()
    await runtime.projector.apply([v1, seed.enriched(v1)])
    for n in range(2, 7):  # five new headlines on the front page within the clock's one second
        later = seed.v1_article.model_copy(
            update={
                "version": str(n),
                "versioncreated": seed.v1_article.versioncreated + timedelta(minutes=n),
                "headline": f"{seed.v1_article.headline} ({n})",
            }
        )
        await runtime.projector.apply([seed.received(later)])
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://render.test") as client:
        modified = parsedate_to_datetime((await client.get("/")).headers["last-modified"])
    assert modified <= datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC)
