"""Problem details for plain ASGI routes (FastStream's `AsgiFastStream`, which has no FastAPI)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from faststream.asgi import AsgiResponse, get
from faststream.asgi.types import ASGIApp, Scope

from newsroom.shared.problems import (
    PROBLEM_CONTENT_TYPE,
    Problem,
    problem_description,
    problem_document,
)


def json_response(
    status: int, body: Mapping[str, Any], content_type: str = "application/json"
) -> AsgiResponse:
    return AsgiResponse(
        json.dumps(body).encode(), status_code=status, headers={"content-type": content_type}
    )


def problem_response(problem: Problem, *, base_url: str, instance: str | None) -> AsgiResponse:
    document = problem_document(problem, base_url=base_url, instance=instance)
    return json_response(problem.status, document, PROBLEM_CONTENT_TYPE)


def problem_description_routes(
    descriptions: Mapping[str, str], *, base_url: str
) -> list[tuple[str, ASGIApp]]:
    """`GET /problems/{slug}` for each described slug (ASGI routes match whole paths)."""

    def describe(slug: str) -> ASGIApp:
        @get(include_in_schema=False)
        async def route(scope: Scope) -> AsgiResponse:
            description = problem_description(dict(descriptions), slug, base_url=base_url)
            assert description is not None
            return json_response(200, description)

        return route

    return [(f"/problems/{slug}", describe(slug)) for slug in descriptions]
