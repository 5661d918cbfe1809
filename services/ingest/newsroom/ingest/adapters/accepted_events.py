"""The accepted events read back from the inbox (each row keeps the event it published), and
re-published through the outbox: recovery after Redis lost its data."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from newsroom.ingest.adapters.database import OUTBOX, InboxItem, table_of
from newsroom.shared.outbox import OutgoingEvent
from newsroom.shared.sql import UnitOfWorkRunner
from newsroom.shared.streams import ONE_SHARD, StreamShards

_ITEMS = table_of(InboxItem)


class InboxAcceptedEvents:
    def __init__(self, runner: UnitOfWorkRunner, streams: StreamShards = ONE_SHARD) -> None:
        self.runner = runner
        self.streams = streams

    async def pages(self, size: int) -> AsyncIterator[list[OutgoingEvent]]:
        after = 0
        while True:

            def work(connection: Connection, after: int = after) -> list[tuple[int, OutgoingEvent]]:
                rows = connection.execute(
                    select(_ITEMS.c.id, _ITEMS.c.event_id, _ITEMS.c.correlation_id, _ITEMS.c.event)
                    .where(_ITEMS.c.id > after)
                    .order_by(_ITEMS.c.id)
                    .limit(size)
                ).all()
                return [
                    (
                        int(row.id),
                        OutgoingEvent(
                            row.event_id,
                            # The event's subject is its article: its shard's stream.
                            self.streams.articles_of(str(row.event["subject"])),
                            row.correlation_id,
                            json.dumps(row.event),
                        ),
                    )
                    for row in rows
                ]

            page = await self.runner.read(work)
            if not page:
                return
            after = page[-1][0]
            yield [event for _, event in page]


def outbox_republisher(
    runner: UnitOfWorkRunner, notify: Callable[[], None]
) -> Callable[[Sequence[OutgoingEvent]], Awaitable[None]]:
    """Appends events to the outbox (in one transaction) and wakes the relay."""

    async def republish(events: Sequence[OutgoingEvent]) -> None:
        now = datetime.now(UTC)
        await runner.write(lambda connection: OUTBOX.append(connection, list(events), now))
        notify()

    return republish
