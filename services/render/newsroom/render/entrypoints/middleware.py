"""HTTP by the book around every route: HEAD answered wherever GET is, with an `Allow` that
says so; gzip for text (HTML, JSON, XML, plain text); and one answer and one log line for an
unexpected error.

FastAPI routes answer only the methods they declare (a GET route answers HEAD with 405), and
Starlette re-raises an unexpected error after its handler has answered it, so the server logs
it a second time (without the log context) and may reset the connection."""

from __future__ import annotations

from functools import lru_cache

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsroom.render.entrypoints.page_forms import GZIP_LEVEL

# Compressed: text (HTML, JSON, XML, Atom, plain). Images are compressed already or tiny.
GZIP_MINIMUM_SIZE = 500  # bytes: below this, gzip's own framing eats the gain
NOT_COMPRESSED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "image/*")


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding takes gzip (by name or `*`, with a q above 0). Remembered:
    asked two or three times a request, and clients send a handful of values."""
    for part in (accept_encoding or "").split(","):
        coding, *parameters = (field.strip().lower() for field in part.split(";"))
        if coding in ("gzip", "*"):
            for parameter in parameters:
                if parameter.startswith("q="):
                    try:
                        return float(parameter[2:]) > 0
                    except ValueError:
                        return False
            return True
    return False


class HeadLikeGet:
    """A HEAD request is answered as the GET would be, without the body (headers, status and
    Content-Length the same); a 405 lists HEAD beside GET in its `Allow`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_as_asked(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = MutableHeaders(scope=message)
                allowed = [m.strip() for m in headers.get("allow", "").split(",") if m.strip()]
                if "GET" in allowed and "HEAD" not in allowed:
                    headers["allow"] = ", ".join([*allowed, "HEAD"])
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, send_as_asked)


class AnswerUnexpectedErrors:
    """An exception no handler took is answered by the app's handler for `Exception` (the
    shared problem handlers: a 500 problem, logged once with its traceback) and goes no
    further. One raised after the response started is re-raised: only the server can end that
    response (by closing the connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as exc:
            handler = scope["app"].exception_handlers.get(Exception)
            if started or handler is None:
                raise
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Outermost first (kept pages are answered before all of them, entrypoints.kept): HEAD
    like GET, gzip, unexpected errors (inside gzip, so an error's problem document is
    compressed like any other)."""
    app.add_middleware(AnswerUnexpectedErrors)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_SIZE,
        compresslevel=GZIP_LEVEL,
        exclude_content_types=NOT_COMPRESSED,
    )
    app.add_middleware(HeadLikeGet)
