"""RFC 9457 problem details for every HTTP error (application/problem+json), in one place: the
problems (domain.errors and the HTTP ones below, each declaring status, type and title), what
each type means, and the handlers that answer them, as problem+json or, to a browser asking
for a page, as a short HTML page."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsroom.render.adapters.metrics import FAILURES, PAGES_RENDERED
from newsroom.render.domain.errors import EntityNotFound, Problem, StoryNotFound, StoryWithdrawn
from newsroom.render.entrypoints.rendering import render

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"


class NotFound(Problem):
    status = 404
    problem = "not-found"
    title = "Not found"
    description = "Nothing at this URL."


class MethodNotAllowed(Problem):
    status = 405
    problem = "method-not-allowed"
    title = "Method Not Allowed"
    description = "This URL does not accept this method."


class InvalidRequest(Problem):
    status = 422
    problem = "invalid-request"
    title = "Invalid request"
    description = "The request's parameters are invalid; `errors` names them."


class InternalError(Problem):
    status = 500
    problem = "internal-error"
    title = "Internal error"
    description = "Render failed to produce the page; retrying later may work."


class NotReady(Problem):
    status = 503
    problem = "not-ready"
    title = "Not ready"
    description = "Redis or the read model database is unreachable; `checks` says which."


class HttpError(Problem):
    """Any other HTTP error the framework raises: `http-{status}`, titled by its detail."""

    def __init__(self, status: int, title: str) -> None:
        super().__init__()
        self.status = status
        self.problem = f"http-{status}"
        self.title = title


PROBLEM_TYPES: tuple[type[Problem], ...] = (
    StoryNotFound,
    StoryWithdrawn,
    EntityNotFound,
    NotFound,
    MethodNotAllowed,
    InvalidRequest,
    InternalError,
    NotReady,
)

# What a reader of each problem `type` URI ({PUBLIC_BASE_URL}/problems/{name}) learns there.
PROBLEM_DESCRIPTIONS: dict[str, str] = {
    kind.problem: kind.description for kind in PROBLEM_TYPES if kind.description is not None
}


def problem_type(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/problems/{name}"


def problem_response(problem: Problem, base_url: str, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(base_url, problem.problem),
        "title": problem.title,
        "status": problem.status,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if instance:
        body["instance"] = instance
    body.update(problem.extensions)
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON)


def _quality(accept: str, media_type: str) -> float:
    best = 0.0
    major = media_type.split("/")[0]
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        kind = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if kind in (media_type, f"{major}/*"):
            best = max(best, q + 0.001)  # specific beats wildcard at equal q
        elif kind == "*/*":
            best = max(best, q)
    return best


def prefers_html(accept: str | None) -> bool:
    """A browser asking for a page: text/html strictly preferred over JSON."""
    if not accept:
        return False
    html = _quality(accept, "text/html")
    json_q = max(_quality(accept, "application/json"), _quality(accept, PROBLEM_JSON))
    return html > json_q


def _is_page(path: str) -> bool:
    return not (
        path.startswith("/api/")
        or path.endswith((".xml", ".atom"))
        or path in {"/healthz", "/readyz", "/metrics"}
    )


def error_response(problem: Problem, request: Request, base_url: str) -> Response:
    if _is_page(request.url.path) and prefers_html(request.headers.get("accept")):
        template = "gone.html" if problem.status == 410 else "error.html"
        body = render(
            template,
            {
                "base_url": "",
                "title": problem.title,
                "detail": problem.detail,
                "ednote": problem.extensions.get("ednote"),
            },
        )
        return HTMLResponse(body, status_code=problem.status)
    return problem_response(problem, base_url, instance=request.url.path)


def install_problem_handlers(app: FastAPI, public_base_url: str) -> None:
    base = public_base_url.rstrip("/")

    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> Response:
        PAGES_RENDERED.labels(request.url.path.split("/")[1] or "front", str(problem.status)).inc()
        return error_response(problem, request, base)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        problem: Problem
        if exc.status_code == 404:
            problem = NotFound(f"Nothing at {request.url.path}.")
        elif exc.status_code == 405:
            problem = MethodNotAllowed()
        else:
            problem = HttpError(exc.status_code, str(exc.detail) if exc.detail else "Error")
        return error_response(problem, request, base)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return error_response(
            InvalidRequest("The request's parameters are invalid.", errors=errors), request, base
        )

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        FAILURES.labels("http").inc()
        log.exception("http_request_failed", path=request.url.path)
        return error_response(InternalError("The page could not be produced."), request, base)
