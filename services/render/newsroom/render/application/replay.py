"""The replay use case: rebuild the read model from the start of the log; re-projection, no NLP.

The projection is order-independent (the property test proves it), so any order would do; the
log is read in log (entry id) order, in batches, each batch applied in one transaction. Log
order puts an article's enrichment in the batch of the article itself (or the next), so most
articles are loaded and saved once per batch, not once for the articles stream and again for
the enriched stream."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from newsroom.render.application.ports import EventLog
from newsroom.render.application.project_events import ApplyResult
from newsroom.render.domain.projection import RenderEvent

Apply = Callable[[Sequence[RenderEvent]], Awaitable[ApplyResult]]


@dataclass
class ReplayStats:
    entries: int = 0
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0


async def replay(
    log: EventLog,
    apply: Apply,
    *,
    batch: int = 500,
    progress: Callable[[int], None] = lambda _: None,
) -> ReplayStats:
    await log.require_complete()
    stats = ReplayStats()
    # One batch is applied (in the database worker thread) while the next one is read and
    # decoded here: SQLite releases the GIL while it writes, so the two overlap. Order does
    # not matter to the projection, and the stats are added up once each batch commits.
    pending: asyncio.Task[None] | None = None

    async def apply_batch(events: list[RenderEvent], entries: int) -> None:
        result = await apply(events)
        stats.entries += entries
        stats.applied += result.applied
        stats.duplicates += result.duplicates
        progress(entries)

    try:
        async for read in log.batches(batch):
            stats.skipped += read.skipped
            if pending is not None:
                await pending
            pending = asyncio.create_task(apply_batch(read.events, read.entries))
        if pending is not None:
            await pending
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
    return stats
