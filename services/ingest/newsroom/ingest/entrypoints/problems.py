"""RFC 9457 problem details for every error response, FastAPI's own included."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from newsroom.ingest.adapters.metrics import REQUESTS_REFUSED
from newsroom.ingest.domain.errors import WireItemRefused

log = structlog.get_logger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# What a partner can read at each problem `type` URI.
PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "unknown-source": "The source in the URL is not configured in this Newsroom.",
    "invalid-signature": "The signature header is missing or matches none of the source's secrets. "
    "Sign the exact bytes you send.",
    "stale-timestamp": "webhook-timestamp is too far from the receiver's clock; "
    "check your clock and do not replay old deliveries.",
    "body-too-large": "The body exceeds the configured maximum size.",
    "invalid-content-length": "The Content-Length header is not a number.",
    "delivery-id-too-long": "The delivery id header (webhook-id, X-GitHub-Delivery) is longer "
    "than 200 characters; `pointer` names it.",
    "malformed-body": "The body is not well-formed JSON or XML (DTDs and entities are refused).",
    "unsupported-format": "The body is in no wire format Newsroom reads (ninjs, NewsML-G2, NITF, "
    "RSS, Atom).",
    "unusable-item": "The item is well-formed but carries no usable article (no identifier, "
    "an identifier over 1000 or a version over 200 characters, no text, …); `pointer` names the "
    "field.",
    "not-found": "No resource at this URL.",
    "method-not-allowed": "This URL does not accept this method.",
    "invalid-request": "The request does not match what this endpoint expects.",
    "internal-error": "Newsroom failed; the delivery was not recorded and may be retried.",
    "not-ready": "The inbox database is unreachable: deliveries cannot be recorded. (Redis "
    "being away does not make ingest unready: accepted items wait in the outbox.)",
}

_HTTP_PROBLEMS = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
}


def problem_type(base_url: str, problem: str) -> str:
    return f"{base_url.rstrip('/')}/problems/{problem}"


def problem_response(
    request: Request,
    *,
    status: int,
    problem: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    base_url: str = request.app.state.public_base_url
    body: dict[str, Any] = {
        "type": problem_type(base_url, problem),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{key: value for key, value in extensions.items() if value is not None},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_CONTENT_TYPE, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(WireItemRefused)
    async def refused(request: Request, exc: WireItemRefused) -> Response:
        source = request.path_params.get("source", "")
        # Only configured names become label values: a scan of made-up sources must not
        # create a time series each.
        if source not in request.app.state.known_sources:
            source = "(unknown)"
        REQUESTS_REFUSED.labels(source, exc.problem).inc()
        log.info("delivery_refused", status=exc.status, problem=exc.problem, detail=exc.detail)
        return problem_response(
            request,
            status=exc.status,
            problem=exc.problem,
            title=exc.title,
            detail=exc.detail,
            pointer=exc.pointer,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        problem, title = _HTTP_PROBLEMS.get(exc.status_code, ("http-error", "HTTP error"))
        return problem_response(
            request,
            status=exc.status_code,
            problem=problem,
            title=title,
            detail=str(exc.detail),
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        location = "/".join(str(part) for part in first.get("loc", ()))
        return problem_response(
            request,
            status=422,
            problem="invalid-request",
            title="Invalid request",
            detail=str(first.get("msg", "invalid request")),
            pointer=f"/{location}" if location else None,
        )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", error=repr(exc)[:500])
        return problem_response(
            request,
            status=500,
            problem="internal-error",
            title="Internal error",
            detail="Newsroom could not process the request; it was not recorded. Retry later.",
        )
