"""Consumer-group bootstrap.

FastStream creates a missing group at `$`, which skips everything published before the
first start, and `last_id="0"` busy-loops on every restart. So each group is created here,
at id 0 with MKSTREAM, before the broker subscribes; FastStream then finds it existing and
reads `>` from where the group stands."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newsroom.shared.streams import ConsumerGroup


async def ensure_groups(redis: Redis, groups: Iterable[ConsumerGroup]) -> None:
    for group in groups:
        try:
            await redis.xgroup_create(group.stream, group.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise


def consumer_name(service: str) -> str:
    """Unique per process, so two workers never share (and steal) one pending-entries list."""
    return f"{service}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
