"""Enrich's HTTP side, plain ASGI routes beside the stream worker (FastStream's
`AsgiFastStream`): health, readiness, Prometheus metrics and what its problem types mean."""

from __future__ import annotations

from typing import Protocol

from faststream.asgi import AsgiResponse, get
from faststream.asgi.types import ASGIApp, Scope
from prometheus_client import REGISTRY, make_asgi_app

from newsroom.shared.problems import Problem
from newsroom.shared.problems.asgi import (
    json_response,
    problem_description_routes,
    problem_response,
)

PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "not-ready": "The worker cannot enrich articles now: Redis does not answer, or the NLP "
    "model is still loading; `detail` says which.",
}


class NotReady(Problem):
    status = 503
    slug = "not-ready"
    title = "Not ready"


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
        reasons = []
        if not await worker.redis_answers():
            reasons.append("Redis does not answer")
        if not worker.model_loaded:
            reasons.append("the NLP model is not loaded")
        if reasons:
            return problem_response(
                NotReady("; ".join(reasons)), base_url=public_base_url, instance=scope["path"]
            )
        return json_response(200, {"status": "ready", "consumer": worker.consumer})

    metrics: ASGIApp = make_asgi_app(REGISTRY)
    return [
        ("/healthz", healthz),
        ("/readyz", readyz),
        ("/metrics", metrics),
        *problem_description_routes(PROBLEM_DESCRIPTIONS, base_url=public_base_url),
    ]
