"""The webhook HTTP app's routes, module-level and thin: the use case lives in
`newsroom.ingest.application.receive_delivery`. Problem details come from the shared module;
what each of ingest's problem types means is here."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsroom.ingest.adapters.metrics import (
    ITEMS_ACCEPTED,
    ITEMS_DUPLICATE,
    REQUEST_LATENCY,
    REQUESTS_REFUSED,
)
from newsroom.ingest.application.receive_delivery import (
    IngestResult,
    ItemResult,
    ReceiveDelivery,
)
from newsroom.ingest.domain.errors import WireItemRefused
from newsroom.ingest.entrypoints import openapi
from newsroom.ingest.entrypoints.bodies import ClientGone, read_body
from newsroom.shared import readiness as readiness_contract
from newsroom.shared.problems import Problem

log = structlog.get_logger(__name__)

router = APIRouter()

# What a partner can read at each problem `type` URI ({PUBLIC_BASE_URL}/problems/{slug}).
PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "unknown-source": "The source in the URL is not configured in this Newsroom.",
    "invalid-signature": "The signature header is missing or matches none of the source's secrets. "
    "Sign the exact bytes you send.",
    "stale-timestamp": "webhook-timestamp is too far from the receiver's clock; "
    "check your clock and do not replay old deliveries.",
    "body-too-large": "The body exceeds the configured maximum size.",
    "body-timeout": "The body did not arrive within the deadline (BODY_READ_TIMEOUT_SECONDS); "
    "nothing was recorded. Retry.",
    "busy": "Ingest is reading as many body bytes as it holds at once "
    "(MAX_BODY_BYTES_IN_FLIGHT); nothing was recorded. Retry after Retry-After seconds.",
    "invalid-content-length": "The Content-Length header is not a number.",
    "delivery-id-reused": "The delivery id (webhook-id) was delivered before with another "
    "body. Nothing was recorded: a new delivery needs a new id (a retry of the same delivery, "
    "same id and same bytes, is answered 200 duplicate).",
    "delivery-id-too-long": "The delivery id header (webhook-id, X-GitHub-Delivery) is longer "
    "than 200 characters; `pointer` names it.",
    "malformed-body": "The body is not well-formed JSON or XML (DTDs and entities are refused).",
    "unsupported-format": "The body is in no wire format Newsroom reads (ninjs, NewsML-G2, NITF, "
    "RSS, Atom).",
    "unusable-item": "The item is well-formed but carries no publishable article: no "
    "identifier, headline or text; an identifier over 1000, a version over 200, a headline over "
    "1000 or a slugline over 200 characters; a timestamp outside 0001-01-02 to 9999-12-30 (UTC); "
    "text that is not valid Unicode (a lone surrogate such as \\ud800, refused rather than "
    "dropped). `pointer` names the field.",
    "internal-error": "Newsroom failed; the delivery was not recorded and may be retried.",
    "not-ready": "The inbox database is unreachable: deliveries cannot be recorded. (Redis "
    "being away does not make ingest unready: accepted items wait in the outbox.)",
}
INTERNAL_ERROR_DETAIL = "Newsroom could not process the request; it was not recorded. Retry later."


def observe_problem(request: Request, problem: Problem) -> None:
    """Counts and logs every refused delivery."""
    if not isinstance(problem, WireItemRefused):
        return
    source = request.path_params.get("source", "")
    # Only configured names become label values: a scan of made-up sources must not create a
    # time series each.
    if source not in request.app.state.known_sources:
        source = "(unknown)"
    REQUESTS_REFUSED.labels(source, problem.slug).inc()
    log.info("delivery_refused", status=problem.status, problem=problem.slug, detail=problem.detail)


ReadinessCheck = readiness_contract.Check


@dataclass(frozen=True)
class DependencyStatus:
    """What /readyz and /metrics report beside readiness: whether Redis answers, and how many
    events wait in the outbox for it (None when the database could not be asked)."""

    redis_reachable: bool
    outbox_backlog: int | None


DependencyProbe = Callable[[], Awaitable[DependencyStatus]]

CORRELATION_HEADER = "x-correlation-id"

# What the request latency histogram and access logs call a delivery whose sender left
# before its body arrived (nginx's convention): not a 500, nobody was answered.
CLIENT_CLOSED_REQUEST = 499


def _item_json(item: ItemResult, render_base_url: str) -> dict[str, Any]:
    base = render_base_url.rstrip("/")
    return {
        "article_id": item.article_id,
        "version": item.version,
        "event_id": item.event_id,
        "status": "duplicate" if item.is_duplicate else "accepted",
        "links": {
            "page": f"{base}/articles/{item.slug}",
            "api": f"{base}/api/articles/{item.article_id}",
        },
    }


def result_response(result: IngestResult, render_base_url: str) -> JSONResponse:
    """202 when at least one article was accepted, 200 when every one was a duplicate. The top
    level describes the first accepted article (or the first one); `items` lists them all when
    the body carried several."""
    accepted = result.accepted
    lead = accepted[0] if accepted else result.items[0]
    body = _item_json(lead, render_base_url)
    body["status"] = "accepted" if accepted else "duplicate"
    if len(result.items) > 1:
        body["items"] = [_item_json(item, render_base_url) for item in result.items]
    return JSONResponse(
        body,
        status_code=202 if accepted else 200,
        headers={CORRELATION_HEADER: result.correlation_id},
    )


@router.post(
    "/v1/sources/{source}/items",
    status_code=202,
    summary="Deliver a signed wire item (ninjs, NewsML-G2, NITF, RSS/Atom)",
    responses=openapi.DELIVERY_RESPONSES,
    openapi_extra={"requestBody": openapi.DELIVERY_REQUEST},
)
async def post_items(source: str, request: Request) -> Response:
    service: ReceiveDelivery = request.app.state.ingest
    correlation_id = (
        request.headers.get("webhook-id")
        or request.headers.get("x-github-delivery")
        or str(uuid.uuid4())
    )[:200]
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id, source=source)
    # An unknown source, a missing signature or a stale timestamp cost no body.
    service.check_headers(source, request.headers)
    state = request.app.state
    try:
        async with read_body(
            request,
            limit=state.max_body_bytes,
            budget=state.body_budget,
            deadline_seconds=state.body_read_timeout_seconds,
        ) as body:
            delivery = service.verify(source, request.headers, body)
            result = await service.ingest(
                source, body, request.headers.get("content-type"), delivery, correlation_id
            )
    except ClientGone as gone:
        # Nobody to answer and nothing recorded: the sender will retry. Not an error of ours.
        log.info("client_disconnected", received_bytes=gone.received)
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    count_items(result)
    return result_response(result, state.render_base_url)


def count_items(result: IngestResult) -> None:
    for item in result.items:
        if item.is_duplicate:
            reason = "webhook-id" if item.replayed else "version"
            ITEMS_DUPLICATE.labels(result.source, reason).inc()
        else:
            ITEMS_ACCEPTED.labels(result.source, item.outcome.value).inc()


@router.get(
    "/healthz",
    summary="Alive",
    responses={200: {"description": "The process answers."}},
)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready: the inbox database answers",
    responses={
        200: {
            "description": f"Deliveries can be recorded. {readiness_contract.DESCRIPTION} "
            "`details`: `redis_reachable`, `outbox_backlog`.",
            "content": {"application/json": {"schema": readiness_contract.READINESS_SCHEMA}},
        },
        503: {"description": PROBLEM_DESCRIPTIONS["not-ready"]},
    },
)
async def readyz(request: Request) -> Response:
    """Ready when deliveries can be recorded: the database answers. Redis is not a condition:
    while it is away accepted items wait in the outbox, and a load balancer that stopped
    sending wires then would defeat that. Its reachability and the backlog are reported."""
    checks: dict[str, ReadinessCheck] = request.app.state.readiness_checks
    probe: DependencyProbe = request.app.state.dependency_probe
    outcomes, dependencies = await asyncio.gather(readiness_contract.run_checks(checks), probe())
    details = {
        "redis_reachable": dependencies.redis_reachable,
        "outbox_backlog": dependencies.outbox_backlog,
    }
    return JSONResponse(readiness_contract.readiness(outcomes, details))


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    probe: DependencyProbe = request.app.state.dependency_probe
    await probe()  # Redis reachability and the backlog as of this scrape
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class RequestContextMiddleware:
    """Per request: a clean log context, and the latency histogram by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        started = time.perf_counter()
        status = 500
        headers = dict(scope["headers"])
        # Whether the request's body has been read to its end (one without a body has).
        body_read = b"transfer-encoding" not in headers and headers.get(
            b"content-length", b"0"
        ).strip() in (b"", b"0")

        async def receive_tracking() -> Message:
            nonlocal body_read
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_read = True
            return message

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if status >= 400 and not body_read:
                    # Refused before its body was read (a bad signature, too large, too slow):
                    # the rest of the body must not be taken for the next request, so the
                    # connection ends with this answer, and the client is told.
                    message = {
                        **message,
                        "headers": [*message.get("headers", []), (b"connection", b"close")],
                    }
            await send(message)

        try:
            await self.app(scope, receive_tracking, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            REQUEST_LATENCY.labels(template, scope["method"], str(status)).observe(
                time.perf_counter() - started
            )
            structlog.contextvars.clear_contextvars()
