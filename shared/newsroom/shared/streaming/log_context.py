"""Binds the event id, type and correlation id of the message being handled to every log line."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from faststream import BaseMiddleware
from faststream.message import StreamMessage


class LogContextMiddleware(BaseMiddleware[Any, Any]):
    async def consume_scope(
        self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
    ) -> Any:
        ids: dict[str, Any] = {}
        try:
            body = json.loads(msg.body)
            if isinstance(body, dict):
                ids = {
                    "event_id": body.get("id"),
                    "event_type": body.get("type"),
                    "correlation_id": body.get("correlationid"),
                    "article_id": body.get("subject"),
                }
        except (ValueError, TypeError):
            ids = {"event_id": None}
        with structlog.contextvars.bound_contextvars(**ids):
            return await call_next(msg)
