"""Dead letters: an event that cannot be processed is parked with its reason, never blocks
the stream, and never silently disappears.

An event that cannot even be decoded (unknown type, invalid shape) is poison at once; any
other failure is retried (the entry stays pending and the reclaim subscriber delivers it
again) until it has been delivered `max_deliveries` times. An outage of what the handler
talks to (Redis, the database) is not the event's fault: those failures get a budget ten times
larger, so a few minutes of downtime do not park every event consumed meanwhile.

A requeued dead letter (`newsroom dead-letters --requeue`) goes back on its stream with the
`RETRY_FOR_GROUP` header naming the group that parked it: every other group on that stream
processed the event the first time, so they ack it unseen (enrich would otherwise run the NLP
again because render had failed)."""

from __future__ import annotations

import json
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import structlog
from faststream import BaseMiddleware
from faststream.exceptions import AckMessage, NackMessage
from faststream.message import StreamMessage
from faststream.redis.message import RedisStreamMessage
from prometheus_client import Counter
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from newsroom.shared.events.registry import UnknownEventType
from newsroom.shared.streams import DEAD_LETTERS_MAXLEN, DEAD_LETTERS_STREAM

log = structlog.get_logger(__name__)

RETRY_FOR_GROUP = "newsroom-retry-for-group"

DEAD_LETTERS = Counter(
    "newsroom_dead_letters_total", "Events parked in the dead-letter stream", ["stream", "group"]
)


class PoisonEvent(Exception):
    """Raised by a handler for an event that no retry can ever process."""


POISON_ERRORS: tuple[type[BaseException], ...] = (
    PoisonEvent,
    ValidationError,
    UnknownEventType,
    json.JSONDecodeError,
    UnicodeDecodeError,
)


def traceback_of(error: BaseException) -> str:
    """The error's traceback as text, its last 4000 characters (where it was raised)."""
    return "".join(traceback.format_exception(error))[-4000:]


def dead_letter_fields(
    *, stream: str, group: str, entry_id: str, body: bytes, error: BaseException, deliveries: int
) -> dict[str, str]:
    """One dead-letter entry: flat string fields, readable with redis-cli as well."""
    return {
        "stream": stream,
        "group": group,
        "entry_id": entry_id,
        "deliveries": str(deliveries),
        "error_type": type(error).__name__,
        "reason": str(error)[:2000] or type(error).__name__,
        "traceback": traceback_of(error),
        "event": body.decode("utf-8", errors="replace"),
        "failed_at": datetime.now(UTC).isoformat(),
    }


INFRASTRUCTURE_BUDGET_FACTOR = 10


def _infrastructure_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [RedisError, ConnectionError, TimeoutError]
    try:  # only the services with SQL state have SQLAlchemy
        from sqlalchemy.exc import InterfaceError, OperationalError
    except ImportError:
        pass
    else:
        errors += [OperationalError, InterfaceError]
    return tuple(errors)


INFRASTRUCTURE_ERRORS = _infrastructure_errors()


def delivery_budget(error: BaseException, max_deliveries: int) -> int:
    """How many deliveries an event gets before it is parked, given why it last failed."""
    if isinstance(error, POISON_ERRORS):
        return 1
    if isinstance(error, INFRASTRUCTURE_ERRORS):
        return max_deliveries * INFRASTRUCTURE_BUDGET_FACTOR
    return max_deliveries


class DeadLetterMiddleware(BaseMiddleware[Any, Any]):
    max_deliveries: ClassVar[int] = 5

    async def consume_scope(
        self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
    ) -> Any:
        if isinstance(msg, RedisStreamMessage) and msg.group:
            meant_for = msg.headers.get(RETRY_FOR_GROUP)
            if meant_for and meant_for != msg.group:
                raise AckMessage()
        try:
            return await call_next(msg)
        except (AckMessage, NackMessage):
            raise
        except Exception as exc:
            if not isinstance(msg, RedisStreamMessage) or not msg.group:
                raise
            deliveries = await msg.get_delivery_count()
            if deliveries < delivery_budget(exc, self.max_deliveries):
                # The traceback with the first failure only: an outage fails every delivery
                # alike, and the dead letter keeps the last one.
                log.warning(
                    "event_failed_will_retry",
                    deliveries=deliveries,
                    error=repr(exc)[:500],
                    **({"traceback": traceback_of(exc)} if deliveries <= 1 else {}),
                )
                # Left pending, to be delivered again. NackMessage, not the error itself:
                # FastStream would log the error a second time, outside the event's log context.
                raise NackMessage() from exc
            await self._park(msg, exc, deliveries)
            # Raising AckMessage (not returning) acks the entry without publishing the
            # handler's result downstream.
            raise AckMessage() from exc

    async def _park(self, msg: RedisStreamMessage, exc: BaseException, deliveries: int) -> None:
        await park(
            cast(Redis, msg.consumer),
            stream=msg.raw_message["channel"],
            group=msg.group or "",
            entry_id=msg.raw_message["message_ids"][0].decode(),
            body=msg.body,
            error=exc,
            deliveries=deliveries,
        )


async def park(
    redis: Redis,
    *,
    stream: str,
    group: str,
    entry_id: str,
    body: bytes,
    error: BaseException,
    deliveries: int,
) -> None:
    """Adds one entry's dead letter (the middleware's, or a batch handler's for the poison
    entries of its batch: the batch itself is not retried for them)."""
    fields = dead_letter_fields(
        stream=stream,
        group=group,
        entry_id=entry_id,
        body=body,
        error=error,
        deliveries=deliveries,
    )
    await redis.xadd(DEAD_LETTERS_STREAM, fields, maxlen=DEAD_LETTERS_MAXLEN, approximate=True)  # type: ignore[arg-type]
    DEAD_LETTERS.labels(stream, group).inc()
    log.error("event_dead_lettered", entry_id=entry_id, reason=fields["reason"][:500])


def dead_letter_middleware(max_deliveries: int) -> type[DeadLetterMiddleware]:
    """A DeadLetterMiddleware class bound to this service's retry budget."""
    return type("DeadLetterMiddleware", (DeadLetterMiddleware,), {"max_deliveries": max_deliveries})
