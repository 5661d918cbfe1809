"""Reading a delivery's body with bounded work: at most `max_body_bytes` per request, at most
`budget.limit` bytes across every request reading or holding a body at once (so many slow or
large unauthenticated bodies cannot take the process's memory), and a deadline for the whole
body (so a slow sender cannot hold a connection open for ever). The signature headers are
checked before any of this (receive_delivery.check_headers)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from starlette.requests import ClientDisconnect

from newsroom.ingest.domain.refusals import (
    BodyTimeout,
    BodyTooLarge,
    Busy,
    InvalidContentLength,
)

# ASCII digits only (str.isdigit() also accepts "²", which int() refuses). A number this long
# is over any body limit; longer ones are refused as too large without converting them.
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
_ASCII_DIGITS = re.compile(r"[0-9]+")
# How long a sender that found ingest busy should wait before retrying.
BUSY_RETRY_AFTER_SECONDS = 5


class ClientGone(Exception):
    """The client closed the connection before its body was read: nobody to answer."""

    def __init__(self, received: int) -> None:
        super().__init__(f"client disconnected after {received} bytes")
        self.received = received


class BodyBudget:
    """Bytes of request bodies held at once, across requests (one event loop: no lock)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    def take(self, size: int) -> None:
        if self.in_flight + size > self.limit:
            busy = Busy(
                f"ingest is reading {self.in_flight} bytes of other deliveries; retry in "
                f"{BUSY_RETRY_AFTER_SECONDS} s"
            )
            busy.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
            raise busy
        self.in_flight += size

    def give_back(self, size: int) -> None:
        self.in_flight -= size


def declared_length(request: Request, limit: int) -> int | None:
    """Content-Length, refused with 413 when over `limit` and 400 when not a number."""
    declared = request.headers.get("content-length")
    if declared is None:
        return None
    declared = declared.strip()
    if _CONTENT_LENGTH.fullmatch(declared) is not None:
        if int(declared) > limit:
            raise BodyTooLarge(f"the body is {declared} bytes; the limit is {limit} bytes")
        return int(declared)
    if _ASCII_DIGITS.fullmatch(declared) is not None:
        raise BodyTooLarge(f"the body is {declared[:40]}… bytes; the limit is {limit} bytes")
    raise InvalidContentLength(f"Content-Length {declared[:40]!r} is not a number")


@asynccontextmanager
async def read_body(
    request: Request, *, limit: int, budget: BodyBudget, deadline_seconds: float
) -> AsyncIterator[bytes]:
    """The raw body, held against `budget` until the block ends. Refused with 413 as soon as
    it is known to exceed `limit` (from Content-Length before reading, and by counting while
    streaming: a chunked body, or a Content-Length that lies), 503 when the budget is spent,
    408 when it has not all arrived within `deadline_seconds`."""
    held = declared_length(request, limit) or 0
    budget.take(held)  # all of it up front: a declared size is what the sender will send
    try:
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(deadline_seconds):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise BodyTooLarge(f"the body exceeds the limit of {limit} bytes")
                    if size > held:
                        budget.take(size - held)
                        held = size
                    chunks.append(chunk)
        except TimeoutError:
            raise BodyTimeout(
                f"the body did not arrive within {deadline_seconds:g} s ({size} bytes read)"
            ) from None
        except ClientDisconnect:
            raise ClientGone(size) from None
        yield b"".join(chunks)
    finally:
        budget.give_back(held)
