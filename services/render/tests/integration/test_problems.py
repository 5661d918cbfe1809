"""Problem `type`s are {PUBLIC_BASE_URL}/problems/{name}, and each one answers with what it means."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from newsroom.render.adapters.migrate import migrate
from newsroom.render.bootstrap import RenderRuntime
from newsroom.render.entrypoints.http import create_app
from newsroom.shared.settings import RenderSettings

pytestmark = pytest.mark.integration

BASE = "http://news.example.org"


async def test_every_problem_type_is_a_page_of_this_service_describing_it(
    seed, redis_url, tmp_path
):
    runtime = RenderRuntime(
        RenderSettings(
            redis_url=redis_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'render.db'}",
            public_base_url=BASE,
        )
    )
    await migrate(runtime.engine)
    await runtime.projector.apply([seed.v1(), seed.kill()])
    transport = httpx.ASGITransport(app=create_app(runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            failures = {
                "article-withdrawn": await client.get(f"/api/articles/{seed.article_id}"),
                "article-not-found": await client.get("/articles/no-such-story"),
                "entity-not-found": await client.get("/api/entities/person/nobody"),
                "not-found": await client.get("/no/such/page"),
                "invalid-request": await client.get("/api/articles?page=0"),
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
    finally:
        runtime.projector.runner.dispose()
        runtime.queries.runner.dispose()
        await runtime.engine.dispose()
        await runtime.redis.aclose()
