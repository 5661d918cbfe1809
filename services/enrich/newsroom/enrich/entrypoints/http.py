"""Enrich's HTTP side, plain ASGI routes beside the stream worker (FastStream's
`AsgiFastStream`): health, readiness (the shape every service answers, newsroom.shared.readiness),
Prometheus metrics, what its problem types mean, and the OpenAPI document of all of them."""

from __future__ import annotations

from typing import Any, Protocol

from faststream.asgi import AsgiResponse, get
from faststream.asgi.types import ASGIApp, Scope
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from newsroom.shared import readiness as readiness_contract
from newsroom.shared.problems import PROBLEM_CONTENT_TYPE
from newsroom.shared.problems.asgi import (
    json_response,
    problem_description_routes,
    problem_response,
)
from newsroom.shared.problems.openapi import PROBLEM_SCHEMA

PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "not-ready": "The worker cannot enrich articles now: Redis does not answer, or the NLP "
    "model is still loading; `detail` says which.",
}


class Worker(Protocol):
    """What the routes ask the running worker."""

    @property
    def consumer(self) -> str: ...

    @property
    def model_loaded(self) -> bool: ...

    async def redis_answers(self) -> bool: ...


def routes(worker: Worker, *, public_base_url: str) -> list[tuple[str, ASGIApp]]:
    @get(include_in_schema=False)
    async def healthz(scope: Scope) -> AsgiResponse:
        return json_response(200, {"status": "ok"})

    @get(include_in_schema=False)
    async def readyz(scope: Scope) -> AsgiResponse:
        redis_answers = await worker.redis_answers()
        checks = {
            "redis": readiness_contract.OK if redis_answers else "Redis does not answer",
            "model": readiness_contract.OK
            if worker.model_loaded
            else "the NLP model is not loaded",
        }
        try:
            ready = readiness_contract.readiness(checks, {"consumer": worker.consumer})
        except readiness_contract.NotReady as problem:
            return problem_response(problem, base_url=public_base_url, instance=scope["path"])
        return json_response(200, ready)

    document = openapi_document()

    @get(include_in_schema=False)
    async def openapi(scope: Scope) -> AsgiResponse:
        return json_response(200, document)

    @get(include_in_schema=False)
    async def metrics(scope: Scope) -> AsgiResponse:
        # A GET route (not prometheus_client's ASGI app, which answers every method).
        return AsgiResponse(
            generate_latest(REGISTRY),
            status_code=200,
            headers={"content-type": CONTENT_TYPE_LATEST},
        )

    return [
        ("/healthz", healthz),
        ("/readyz", readyz),
        ("/metrics", metrics),
        ("/openapi.json", openapi),
        *problem_description_routes(PROBLEM_DESCRIPTIONS, base_url=public_base_url),
    ]


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document() -> dict[str, Any]:
    """Enrich's operations endpoints (it takes its work from Redis streams, described by its
    AsyncAPI document, not over HTTP)."""
    problem = {"$ref": "#/components/schemas/Problem"}
    description = {
        "type": "object",
        "required": ["type", "description"],
        "properties": {"type": {"type": "string"}, "description": {"type": "string"}},
    }
    paths: dict[str, Any] = {
        "/healthz": {
            "get": {
                "summary": "Alive",
                "responses": {
                    "200": _json(
                        "The process answers.",
                        {"type": "object", "properties": {"status": {"type": "string"}}},
                    )
                },
            }
        },
        "/readyz": {
            "get": {
                "summary": "Ready: Redis answers and the NLP model is loaded",
                "responses": {
                    "200": _json(
                        f"{readiness_contract.DESCRIPTION} `details`: `consumer`, this worker's "
                        "name in its consumer group.",
                        readiness_contract.READINESS_SCHEMA,
                    ),
                    "503": {
                        "description": PROBLEM_DESCRIPTIONS["not-ready"],
                        "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
                    },
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        **{
            f"/problems/{slug}": {
                "get": {
                    "summary": f"What the problem type {slug} means",
                    "responses": {"200": _json("The problem type's description.", description)},
                }
            }
            for slug in PROBLEM_DESCRIPTIONS
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Newsroom enrich",
            "version": "1.0.0",
            "description": "Health, readiness and metrics of an enrich worker. Its work comes "
            "from the articles streams (see its AsyncAPI document).",
        },
        "paths": paths,
        "components": {"schemas": {"Problem": PROBLEM_SCHEMA}},
    }
