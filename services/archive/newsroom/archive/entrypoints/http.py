"""The archive's HTTP side, plain ASGI routes beside the stream consumers (FastStream's
`AsgiFastStream`): health, readiness, Prometheus metrics (the status figures refreshed on each
scrape) and what its problem types mean."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from faststream.asgi import AsgiResponse, get
from faststream.asgi.types import ASGIApp, Receive, Scope, Send
from prometheus_client import REGISTRY, make_asgi_app

from newsroom.shared.problems import Problem
from newsroom.shared.problems.asgi import (
    json_response,
    problem_description_routes,
    problem_response,
)

PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "not-ready": "The archive cannot store events now: Redis or its database does not "
    "answer; `detail` says which.",
}


class NotReady(Problem):
    status = 503
    slug = "not-ready"
    title = "Not ready"


Check = Callable[[], Awaitable[bool]]


def routes(
    checks: Mapping[str, Check],
    refresh_gauges: Callable[[], Awaitable[None]],
    *,
    public_base_url: str,
) -> list[tuple[str, ASGIApp]]:
    @get(include_in_schema=False)
    async def healthz(scope: Scope) -> AsgiResponse:
        return json_response(200, {"status": "ok"})

    @get(include_in_schema=False)
    async def readyz(scope: Scope) -> AsgiResponse:
        results = {name: await check() for name, check in checks.items()}
        failing = [name for name, ok in results.items() if not ok]
        if failing:
            detail = "; ".join(f"{name} does not answer" for name in failing)
            return problem_response(
                NotReady(detail), base_url=public_base_url, instance=scope["path"]
            )
        return json_response(200, {"status": "ready", "checks": dict.fromkeys(results, "ok")})

    exposition: ASGIApp = make_asgi_app(REGISTRY)

    async def metrics(scope: Scope, receive: Receive, send: Send) -> None:
        await refresh_gauges()
        await exposition(scope, receive, send)

    return [
        ("/healthz", healthz),
        ("/readyz", readyz),
        ("/metrics", metrics),
        *problem_description_routes(PROBLEM_DESCRIPTIONS, base_url=public_base_url),
    ]
