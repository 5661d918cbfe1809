"""Operations: liveness, readiness and Prometheus metrics (what each problem type means is
served by the shared problem handlers, entrypoints.problems)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsroom.render.entrypoints.problems import NotReady
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


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
