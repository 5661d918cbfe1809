"""Problem details, the same in every service: what a problem class declares is what the
client reads, FastAPI's own errors included; every type URI describes itself."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse, Response

from newsroom.shared.problems import PROBLEM_CONTENT_TYPE, Problem
from newsroom.shared.problems.asgi import problem_response as asgi_problem_response
from newsroom.shared.problems.fastapi import install_problem_handlers

BASE = "http://service.test"


class StoryGone(Problem):
    status = 410
    slug = "article-withdrawn"
    title = "Story withdrawn"


@pytest.fixture
def observed() -> list[str]:
    return []


@pytest.fixture
def client(observed: list[str]) -> Iterator[TestClient]:
    app = FastAPI()

    @app.get("/stories/{number}")
    async def story(number: int) -> dict[str, int]:
        if number == 1:
            raise StoryGone("The source withdrew it.", pointer="/number", ednote="Legal")
        if number == 2:
            raise RuntimeError("a bug")
        return {"number": number}

    def observe(request: Request, problem: Problem) -> None:
        observed.append(problem.slug)

    install_problem_handlers(
        app,
        public_base_url=BASE + "/",
        descriptions={"article-withdrawn": "The source withdrew this story."},
        internal_error_detail="Retry later.",
        observe=observe,
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def problem(response: object, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["type"] == f"{BASE}/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def test_a_problem_class_is_answered_with_what_it_declares(
    client: TestClient, observed: list[str]
) -> None:
    body = problem(client.get("/stories/1"), 410, "article-withdrawn")
    assert body == {
        "type": f"{BASE}/problems/article-withdrawn",
        "title": "Story withdrawn",
        "status": 410,
        "detail": "The source withdrew it.",
        "instance": "/stories/1",
        "pointer": "/number",
        "ednote": "Legal",
    }
    assert observed == ["article-withdrawn"]


def test_the_frameworks_own_errors_are_problems(client: TestClient) -> None:
    assert problem(client.get("/nowhere"), 404, "not-found")["detail"] == "Nothing at /nowhere."
    not_allowed = client.post("/stories/3")
    problem(not_allowed, 405, "method-not-allowed")
    assert not_allowed.headers["allow"] == "GET"
    invalid = problem(client.get("/stories/three"), 422, "invalid-request")
    assert invalid["pointer"] == "/path/number"
    assert invalid["errors"] == [{"loc": ["path", "number"], "msg": invalid["detail"]}]


def test_an_unexpected_error_is_a_500_that_says_only_what_the_service_chose(
    client: TestClient,
) -> None:
    body = problem(client.get("/stories/2"), 500, "internal-error")
    assert body["detail"] == "Retry later."
    assert "bug" not in json.dumps(body)


def test_every_type_uri_describes_its_problem(client: TestClient) -> None:
    described = client.get("/problems/article-withdrawn")
    assert described.json() == {
        "type": f"{BASE}/problems/article-withdrawn",
        "description": "The source withdrew this story.",
    }
    assert "method" in client.get("/problems/method-not-allowed").json()["description"]
    problem(client.get("/problems/no-such-thing"), 404, "not-found")


def test_a_service_may_answer_in_its_own_way() -> None:
    app = FastAPI()

    def as_text(request: Request, problem: Problem) -> Response:
        return PlainTextResponse(problem.title, status_code=problem.status)

    install_problem_handlers(
        app, public_base_url=BASE, descriptions={}, internal_error_detail="x", respond=as_text
    )
    with TestClient(app) as test_client:
        response = test_client.get("/nowhere")
    assert (response.status_code, response.text) == (404, "Not found")


def test_plain_asgi_routes_get_the_same_document() -> None:
    response = asgi_problem_response(StoryGone("Gone."), base_url=BASE, instance="/x")
    assert response.status_code == 410
    assert dict(response.raw_headers)[b"content-type"] == PROBLEM_CONTENT_TYPE.encode()
    assert json.loads(response.body) == {
        "type": f"{BASE}/problems/article-withdrawn",
        "title": "Story withdrawn",
        "status": 410,
        "detail": "Gone.",
        "instance": "/x",
    }
