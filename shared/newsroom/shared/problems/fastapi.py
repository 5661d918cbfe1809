"""Problem details for a FastAPI app: every error response, FastAPI's own included, and the
`/problems/{slug}` route describing each type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from newsroom.shared.problems import (
    PROBLEM_CONTENT_TYPE,
    HttpProblem,
    Problem,
    problem_description,
    problem_document,
)

log = structlog.get_logger(__name__)

# The framework's errors, and the descriptions every service shares for them.
FRAMEWORK_PROBLEMS: dict[int, tuple[str, str]] = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
}
COMMON_DESCRIPTIONS: dict[str, str] = {
    "not-found": "No resource at this URL.",
    "method-not-allowed": "This URL does not accept this method.",
    "invalid-request": "The request does not match what this endpoint expects; `pointer` names "
    "the first offending parameter and `errors` lists them all.",
}

# How a service answers a problem (default: problem+json; a service serving pages may answer a
# browser with HTML instead).
Respond = Callable[[Request, Problem], Response]
# Called for every problem answered (metrics, logs).
Observe = Callable[[Request, Problem], None]


def problem_response(
    problem: Problem, *, base_url: str, instance: str | None = None
) -> JSONResponse:
    return JSONResponse(
        problem_document(problem, base_url=base_url, instance=instance),
        status_code=problem.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=problem.headers or None,
    )


def install_problem_handlers(
    app: FastAPI,
    *,
    public_base_url: str,
    descriptions: Mapping[str, str],
    internal_error_detail: str,
    observe: Observe | None = None,
    respond: Respond | None = None,
) -> None:
    """Answers every `Problem` raised by a route, FastAPI's 404/405/422 and any other exception
    (a 500 `internal-error` whose detail is `internal_error_detail`, logged with its traceback)
    as problem+json, and serves `GET /problems/{slug}` from `descriptions` (plus the framework's
    own)."""
    described = {**COMMON_DESCRIPTIONS, **descriptions}

    def answer(request: Request, problem: Problem) -> Response:
        if observe is not None:
            observe(request, problem)
        if respond is not None:
            return respond(request, problem)
        return problem_response(problem, base_url=public_base_url, instance=request.url.path)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> Response:
        return answer(request, problem)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        slug, title = FRAMEWORK_PROBLEMS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = str(exc.detail) if exc.detail else ""
        if not detail or detail == HTTPStatus(exc.status_code).phrase:
            detail = f"Nothing at {request.url.path}." if exc.status_code == 404 else title
        problem = HttpProblem(exc.status_code, slug, title, detail, headers=exc.headers)
        return answer(request, problem)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")}
            for error in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        location = "/".join(str(part) for part in first["loc"])
        problem = HttpProblem(
            422,
            "invalid-request",
            "Invalid request",
            str(first["msg"]),
            pointer=f"/{location}" if location else None,
            errors=errors,
        )
        return answer(request, problem)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path, error=repr(exc)[:500])
        problem = Problem(internal_error_detail)
        # The server closes the connection after a crash: say so, or the client's next request
        # on it meets a reset.
        problem.headers["Connection"] = "close"
        return answer(request, problem)

    @app.get("/problems/{slug}", summary="What a problem type means")
    async def describe_problem(slug: str) -> dict[str, str]:
        description = problem_description(described, slug, base_url=public_base_url)
        if description is None:
            raise HttpProblem(404, "not-found", "Not found", f"No problem type {slug!r}.")
        return description
