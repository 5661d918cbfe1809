"""Render's OpenAPI document says what the routes really answer: every status (304, 404, 405,
410, 422, 500, 503), problem+json for errors, and the content types sent (HTML, Atom, XML,
text/plain, JSON with its schema), from what each route declares."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response

from newsroom.render.bootstrap import RenderRuntime, build_app
from newsroom.render.entrypoints import openapi, problems
from newsroom.render.entrypoints.openapi import (
    AtomFeed,
    EntityPage,
    HtmlPage,
    JsonDocument,
    StoryDocument,
    StoryPage,
    TextDocument,
    XmlDocument,
)
from newsroom.shared.settings import RenderSettings

PROBLEM = {"schema": {"$ref": "#/components/schemas/Problem"}}


@pytest.fixture
async def document(tmp_path) -> dict[str, Any]:
    """Render's document, as served at /openapi.json."""
    settings = RenderSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'render.db'}")
    runtime = RenderRuntime(settings)
    app = build_app(runtime, serve_streams=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://render") as client:
        served = await client.get("/openapi.json")
        moved = await client.get("/api/openapi.json")
    await runtime.close()
    assert served.status_code == 200
    assert (moved.status_code, moved.headers["location"]) == (308, "/openapi.json")
    result: dict[str, Any] = served.json()
    return result


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


async def test_every_error_is_a_documented_problem(document):
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        responses = operation["responses"]
        assert "405" in responses, (method, path)
        assert responses["405"]["headers"]["Allow"], (method, path)
        assert "500" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/problem+json"] == PROBLEM, (path, status)


async def test_pages_are_html_that_revalidates_and_errors_come_as_html_too(document):
    for path in ("/", "/articles/{slug}", "/entities/{entity_id}", "/timeline"):
        responses = document["paths"][path]["get"]["responses"]
        assert list(responses["200"]["content"]) == ["text/html"], path
        assert set(responses["200"]["headers"]) == {"ETag", "Last-Modified"}
        assert "304" in responses, path
        assert "text/html" in responses["405"]["content"], path


async def test_ops_routes_say_what_they_send(document):
    paths = document["paths"]
    assert list(paths["/metrics"]["get"]["responses"]["200"]["content"]) == ["text/plain"]
    assert list(paths["/robots.txt"]["get"]["responses"]["200"]["content"]) == ["text/plain"]
    readyz = paths["/readyz"]["get"]["responses"]
    assert readyz["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Readiness"
    }
    assert readyz["503"]["content"]["application/problem+json"] == PROBLEM
    assert "/favicon.ico" not in paths  # an asset, not an API


def app_declaring(response_classes: dict[str, type[Response]]) -> FastAPI:
    """An app whose routes declare only their response class, as render's routes do."""
    router = APIRouter()
    for path, response_class in response_classes.items():

        async def endpoint() -> Response:
            return Response()

        router.add_api_route(path, endpoint, response_class=response_class)
    app = FastAPI()
    app.include_router(router, prefix="/x")
    problems.install(app, "https://news.example")
    openapi.install(app)
    return app


def test_a_route_gets_its_contract_from_its_response_class():
    app = app_declaring(
        {
            "/articles/{slug}": StoryPage,
            "/api/articles/{article_id}": StoryDocument,
            "/entities/{entity_id}": EntityPage,
            "/feed.atom": AtomFeed,
            "/sitemap.xml": XmlDocument,
            "/robots.txt": TextDocument,
            "/timeline": HtmlPage,
            "/api/entities": JsonDocument,
        }
    )
    paths = app.openapi()["paths"]

    def responses(path: str) -> dict[str, Any]:
        result: dict[str, Any] = paths["/x" + path]["get"]["responses"]
        return result

    story = responses("/articles/{slug}")
    assert "article-withdrawn" in story["410"]["description"]
    assert "article-not-found" in story["404"]["description"]
    assert set(story["410"]["content"]) == {"application/problem+json", "text/html"}
    document = responses("/api/articles/{article_id}")
    assert document["200"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/ArticleDocument"}}
    }
    assert set(document["410"]["content"]) == {"application/problem+json"}
    assert "304" in document
    assert "ArticleDocument" in app.openapi()["components"]["schemas"]
    assert "entity-not-found" in responses("/entities/{entity_id}")["404"]["description"]
    assert list(responses("/feed.atom")["200"]["content"]) == ["application/atom+xml"]
    assert list(responses("/sitemap.xml")["200"]["content"]) == ["application/xml"]
    assert list(responses("/robots.txt")["200"]["content"]) == ["text/plain"]
    # A JSON document without a declared schema promises JSON, nothing more.
    assert responses("/api/entities")["200"]["content"] == {"application/json": {"schema": {}}}
    for path in ("/feed.atom", "/sitemap.xml", "/robots.txt", "/timeline", "/api/entities"):
        assert "304" in responses(path), path
        assert "404" not in responses(path), path  # no parameter to miss
