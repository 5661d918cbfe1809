"""An article's page and JSON document read from SQLite and from PostgreSQL (the two take
different read paths, see adapters.database.UnitOfWorkRunner): the same status codes, the same
ETag revalidation, 410 once withdrawn, whatever the backend."""

from __future__ import annotations

import httpx
import pytest

from newsroom.render.adapters.migrate import migrate
from newsroom.render.bootstrap import RenderRuntime
from newsroom.render.entrypoints.http import create_app
from newsroom.shared.settings import RenderSettings

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("page_cache_size", [0, 16])
async def test_article_documents_on_each_backend(seed, database_url, redis_url, page_cache_size):
    runtime = RenderRuntime(
        RenderSettings(
            database_url=database_url, redis_url=redis_url, public_base_url="http://render.test"
        )
    )
    await migrate(runtime.engine)
    v1 = seed.v1()
    await runtime.projector.apply([v1, seed.enriched(v1)])
    app = create_app(runtime, page_cache_size=page_cache_size)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://render.test") as client:
            page = await client.get(f"/articles/{seed.slug}")
            assert page.status_code == 200
            assert f'data-article-id="{seed.article_id}"' in page.text
            assert 'class="entity-link"' in page.text
            again = await client.get(
                f"/articles/{seed.slug}", headers={"If-None-Match": page.headers["etag"]}
            )
            assert again.status_code == 304
            document = await client.get(f"/api/articles/{seed.article_id}")
            assert document.status_code == 200
            assert document.json()["version"] == v1.data.article.version
            missing = await client.get("/articles/no-such-story")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")

            await runtime.projector.apply([seed.kill()])
            gone = await client.get(f"/articles/{seed.slug}")
            assert gone.status_code == 410
            assert gone.json()["type"].endswith("article-withdrawn")
            gone_document = await client.get(f"/api/articles/{seed.article_id}")
            assert gone_document.status_code == 410
    finally:
        runtime.projector.runner.dispose()
        runtime.queries.runner.dispose()
        await runtime.engine.dispose()
        await runtime.redis.aclose()


async def test_a_timeline_mod_is_stored_and_shown_on_each_backend(seed, database_url, redis_url):
    runtime = RenderRuntime(
        RenderSettings(
            database_url=database_url, redis_url=redis_url, public_base_url="http://render.test"
        )
    )
    await migrate(runtime.engine)
    v1 = seed.v1()
    enriched = seed.enriched(v1)
    [first, *rest] = enriched.data.timeline
    mid = first.model_copy(update={"value": "2011", "granularity": "year", "mod": "MID"})
    data = enriched.data.model_copy(update={"timeline": [mid, *rest]})
    await runtime.projector.apply([v1, enriched.model_copy(update={"data": data})])
    transport = httpx.ASGITransport(app=create_app(runtime, page_cache_size=0))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://render.test") as client:
            timeline = await client.get("/timeline")  # read back from timeline_entries
            assert timeline.status_code == 200
            assert "Mid-2011" in timeline.text
            page = await client.get(f"/articles/{seed.slug}")
            assert "Mid-2011" in page.text
    finally:
        runtime.projector.runner.dispose()
        runtime.queries.runner.dispose()
        await runtime.engine.dispose()
        await runtime.redis.aclose()
