"""Operations: liveness, readiness and Prometheus metrics (what each problem type means is
served by the shared problem handlers, entrypoints.problems), and where the OpenAPI document
used to be."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsroom.render.entrypoints.problems import NotReady
from newsroom.render.entrypoints.schemas import Readiness
from newsroom.render.entrypoints.site import SiteDependency
from newsroom.shared.readiness import readiness

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        200: {"model": Readiness, "description": "Redis and the read model answer."},
        503: {"description": "A dependency is unreachable; `checks` says which."},
    },
)
async def readyz(site: SiteDependency) -> Response:
    # The one shape every service answers (newsroom.shared.readiness).
    return JSONResponse(readiness(await site.readiness(), not_ready=NotReady))


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/openapi.json", include_in_schema=False)
async def moved_openapi() -> Response:
    # The document moved to /openapi.json (where ingest serves its own).
    return RedirectResponse("/openapi.json", status_code=308)
