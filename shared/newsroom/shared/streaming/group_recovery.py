"""Consumer groups recreated while consuming, when Redis loses them (FLUSHALL, a Redis that
came back empty, a failover to a replica without them).

FastStream stops a subscriber for good on NOGROUP ("restart the application"), and a read
blocked on a stream that is deleted fails with UNBLOCKED. Here each such read recreates the
group (at 0 with MKSTREAM, as at start: whatever was appended since the loss is read) and the
subscriber carries on; no restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from prometheus_client import Counter
from redis.exceptions import ResponseError

from newsroom.shared.streaming.groups import ensure_groups
from newsroom.shared.streams import ConsumerGroup

log = structlog.get_logger(__name__)

GROUPS_RECREATED = Counter(
    "newsroom_consumer_groups_recreated_total",
    "Consumer groups recreated after Redis lost them",
    ["stream", "group"],
)


def lost_group(error: ResponseError) -> bool:
    message = str(error)
    return "NOGROUP" in message or "UNBLOCKED" in message


def recreate_group_on_loss(subscriber: Any, group: ConsumerGroup) -> None:
    """Wraps the FastStream stream subscriber's fetch (pinned FastStream 0.7: `_get_msgs`, the
    call its consume loop repeats) so a lost group is recreated instead of stopping it."""
    fetch: Callable[..., Awaitable[None]] = subscriber._get_msgs

    async def fetch_recreating_lost_group(*args: Any) -> None:
        try:
            await fetch(*args)
        except ResponseError as exc:
            if not lost_group(exc):
                raise
            await ensure_groups(subscriber._client, [group])
            GROUPS_RECREATED.labels(group.stream, group.group).inc()
            log.warning(
                "consumer_group_recreated", stream=group.stream, group=group.group, error=str(exc)
            )

    subscriber._get_msgs = fetch_recreating_lost_group
