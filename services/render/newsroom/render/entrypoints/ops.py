"""Operations: liveness, readiness, Prometheus metrics, and what each problem type means."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsroom.render.entrypoints.problems import (
    PROBLEM_DESCRIPTIONS,
    NotFound,
    NotReady,
    problem_type,
)
from newsroom.render.entrypoints.site import SiteDependency

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(site: SiteDependency) -> Response:
    checks = await site.readiness()
    if all(value == "ok" for value in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    raise NotReady("A dependency is unreachable.", checks=checks)


@router.get("/problems/{name}")
async def describe_problem(name: str, site: SiteDependency) -> dict[str, str]:
    """What a problem `type` URI means."""
    description = PROBLEM_DESCRIPTIONS.get(name)
    if description is None:
        raise NotFound(f"No problem type {name!r}.")
    return {"type": problem_type(site.public_base_url, name), "description": description}


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
