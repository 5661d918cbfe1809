"""An article's page and JSON document read from SQLite and from PostgreSQL (the two take
different read paths, see adapters.unit_of_work.UnitOfWorkRunner): the same status codes, the
same ETag revalidation, 410 once withdrawn, whatever the backend. Events go in through the
streams, pages come out over HTTP."""

from __future__ import annotations

import httpx
import pytest

from render_test_support import document_with_entities, status_of

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("page_cache_size", [0, 16])
async def test_article_documents_on_each_backend(
    seed, database_url, redis_url, publisher, start_render, eventually, page_cache_size
):
    v1 = seed.v1()
    async with (
        start_render(redis_url, database_url, page_cache_size=page_cache_size) as render,
        httpx.AsyncClient(base_url=render.base_url) as client,
    ):
        await publisher(v1, seed.enriched(v1))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))

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

        await publisher(seed.kill())
        gone = await eventually(lambda: status_of(client, f"/articles/{seed.slug}", 410))
        assert gone.status_code == 410
        assert gone.json()["type"].endswith("article-withdrawn")
        gone_document = await client.get(f"/api/articles/{seed.article_id}")
        assert gone_document.status_code == 410


async def test_a_timeline_mod_is_stored_and_shown_on_each_backend(
    seed, database_url, redis_url, publisher, start_render, eventually
):
    v1 = seed.v1()
    enriched = seed.enriched(v1)
    [first, *rest] = enriched.data.timeline
    mid = first.model_copy(update={"value": "2011", "granularity": "year", "mod": "MID"})
    data = enriched.data.model_copy(update={"timeline": [mid, *rest]})
    async with (
        start_render(redis_url, database_url, page_cache_size=0) as render,
        httpx.AsyncClient(base_url=render.base_url) as client,
    ):
        await publisher(v1, enriched.model_copy(update={"data": data}))
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))

        timeline = await client.get("/timeline")  # read back from timeline_entries
        assert timeline.status_code == 200
        assert "Mid-2011" in timeline.text
        page = await client.get(f"/articles/{seed.slug}")
        assert "Mid-2011" in page.text
