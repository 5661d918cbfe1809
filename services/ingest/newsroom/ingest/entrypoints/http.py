"""The webhook HTTP app's routes, module-level and thin: the use case lives in
`newsroom.ingest.application.receive_delivery`. Problem details come from the shared module;
what each of ingest's problem types means is here."""

from __future__ import annotations

import asyncio
import re
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
from newsroom.ingest.domain.refusals import BodyTooLarge, InvalidContentLength
from newsroom.ingest.entrypoints import openapi
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
    "invalid-content-length": "The Content-Length header is not a number.",
    "delivery-id-too-long": "The delivery id header (webhook-id, X-GitHub-Delivery) is longer "
    "than 200 characters; `pointer` names it.",
    "malformed-body": "The body is not well-formed JSON or XML (DTDs and entities are refused).",
    "unsupported-format": "The body is in no wire format Newsroom reads (ninjs, NewsML-G2, NITF, "
    "RSS, Atom).",
    "unusable-item": "The item is well-formed but carries no usable article (no identifier, "
    "an identifier over 1000 or a version over 200 characters, no text, …); `pointer` names the "
    "field.",
    "internal-error": "Newsroom failed; the delivery was not recorded and may be retried.",
    "not-ready": "The inbox database is unreachable: deliveries cannot be recorded. (Redis "
    "being away does not make ingest unready: accepted items wait in the outbox.)",
}
INTERNAL_ERROR_DETAIL = "Newsroom could not process the request; it was not recorded. Retry later."


class NotReady(Problem):
    status = 503
    slug = "not-ready"
    title = "Not ready"


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


ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass(frozen=True)
class DependencyStatus:
    """What /readyz and /metrics report beside readiness: whether Redis answers, and how many
    events wait in the outbox for it (None when the database could not be asked)."""

    redis_reachable: bool
    outbox_backlog: int | None


DependencyProbe = Callable[[], Awaitable[DependencyStatus]]

CORRELATION_HEADER = "x-correlation-id"

# ASCII digits only (str.isdigit() also accepts "²", which int() refuses). A number this long
# is over any body limit; longer ones are refused as too large without converting them.
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
_ASCII_DIGITS = re.compile(r"[0-9]+")


async def read_body_capped(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it is known to exceed `limit`: from
    Content-Length before reading, and by counting while streaming (a chunked body, or a
    Content-Length that lies)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        declared = declared.strip()
        if _CONTENT_LENGTH.fullmatch(declared) is not None:
            if int(declared) > limit:
                raise BodyTooLarge(f"the body is {declared} bytes; the limit is {limit} bytes")
        elif _ASCII_DIGITS.fullmatch(declared) is not None:
            raise BodyTooLarge(f"the body is {declared[:40]}… bytes; the limit is {limit} bytes")
        else:
            raise InvalidContentLength(f"Content-Length {declared[:40]!r} is not a number")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


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
    service.source_config(source)  # an unknown source is refused before its body is read
    body = await read_body_capped(request, request.app.state.max_body_bytes)
    delivery = service.verify(source, request.headers, body)
    result = await service.ingest(
        source, body, request.headers.get("content-type"), delivery, correlation_id
    )
    count_items(result)
    return result_response(result, request.app.state.render_base_url)


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
        200: {"description": "Deliveries can be recorded."},
        503: {"description": PROBLEM_DESCRIPTIONS["not-ready"]},
    },
)
async def readyz(request: Request) -> Response:
    """Ready when deliveries can be recorded: the database answers. Redis is not a condition:
    while it is away accepted items wait in the outbox, and a load balancer that stopped
    sending wires then would defeat that. Its reachability and the backlog are reported."""
    checks: dict[str, ReadinessCheck] = request.app.state.readiness_checks
    probe: DependencyProbe = request.app.state.dependency_probe

    async def run(check: ReadinessCheck) -> bool:
        try:
            return await asyncio.wait_for(check(), timeout=2.0)
        except Exception:
            return False

    outcomes, dependencies = await asyncio.gather(
        asyncio.gather(*(run(check) for check in checks.values())), probe()
    )
    results = dict(zip(checks, outcomes, strict=True))
    reported = {
        "redis_reachable": dependencies.redis_reachable,
        "outbox_backlog": dependencies.outbox_backlog,
    }
    if all(results.values()):
        return JSONResponse({"status": "ready", "checks": results, **reported})
    failing = ", ".join(name for name, ok in results.items() if not ok)
    raise NotReady(
        f"unreachable: {failing}",
        checks=results,
        redis_reachable=dependencies.redis_reachable,
        outbox_backlog=dependencies.outbox_backlog,
    )


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

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            REQUEST_LATENCY.labels(template, scope["method"], str(status)).observe(
                time.perf_counter() - started
            )
            structlog.contextvars.clear_contextvars()
