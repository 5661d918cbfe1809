"""Problem `type`s are {PUBLIC_BASE_URL}/problems/{name}, and each one answers with what it means
(the service over real HTTP, its story fed through the streams)."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from render_test_support import status_of

pytestmark = pytest.mark.integration

BASE = "http://news.example.org"


async def test_every_problem_type_is_a_page_of_this_service_describing_it(
    seed, redis_url, tmp_path, publisher, start_render, eventually
):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'render.db'}"
    async with (
        start_render(redis_url, database_url, public_base_url=BASE) as render,
        httpx.AsyncClient(base_url=render.base_url) as client,
    ):
        await publisher(seed.v1(), seed.kill())
        await eventually(lambda: status_of(client, f"/api/articles/{seed.article_id}", 410))
        failures = {
            "article-withdrawn": await client.get(f"/api/articles/{seed.article_id}"),
            "article-not-found": await client.get("/articles/no-such-story"),
            "entity-not-found": await client.get("/api/entities/person/nobody"),
            "not-found": await client.get("/no/such/page"),
            "invalid-request": await client.get("/api/articles?per_page=0"),
            "invalid-cursor": await client.get("/api/articles?after=bm90LWEtY3Vyc29y"),
        }
        for name, response in failures.items():
            assert response.headers["content-type"] == "application/problem+json"
            problem_type = response.json()["type"]
            assert problem_type == f"{BASE}/problems/{name}"
            described = await client.get(urlsplit(problem_type).path)
            assert described.status_code == 200
            assert described.json()["type"] == problem_type
            assert described.json()["description"]
        unknown = await client.get("/problems/no-such-problem")
        assert unknown.status_code == 404
        assert unknown.json()["type"] == f"{BASE}/problems/not-found"
