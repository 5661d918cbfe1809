"""`newsroom-render replay`'s bulk load: worker processes (entrypoints.partition_workers),
each replaying the articles of its partition into the fresh target, the indexes and
aggregates built once after (adapters.bulk_load).

A replay stores no article page: rendering them would more than double its CPU time, and a
page is a cache of what the replay does store. `newsroom-render build-pages` (or the render
service, in the background) renders them afterwards, and until then a request builds its page
(entrypoints.page_builder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine

from newsroom.render.adapters.bulk_load import (
    create_secondary_indexes,
    drop_secondary_indexes,
    open_replay_target,
    write_totals,
)
from newsroom.render.adapters.page_outbox import PageOutbox
from newsroom.render.adapters.repository import ReplayTotals
from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork
from newsroom.render.adapters.write_turn import Lock
from newsroom.render.application.partitions import Partition
from newsroom.render.application.project_events import ProjectEvents, utcnow
from newsroom.render.application.replay import ReplayStats, replay
from newsroom.render.bootstrap import replay_sources
from newsroom.render.entrypoints.partition_workers import PartitionWorkers, Progress
from newsroom.shared.settings import RenderSettings


@dataclass
class PartitionResult:
    stats: ReplayStats = field(default_factory=ReplayStats)
    totals: ReplayTotals = field(default_factory=ReplayTotals)

    def merge(self, other: PartitionResult) -> None:
        for name in ("entries", "applied", "duplicates", "skipped"):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(other.stats, name))
        self.totals.merge(other.totals)


ReplayWorkers = PartitionWorkers[PartitionResult]


async def replay_partition(
    settings: RenderSettings,
    url: str,
    batch: int,
    partition: Partition,
    progress: Progress,
    write_lock: Lock | None = None,
) -> PartitionResult:
    """Replay the log's events of `partition`'s articles into the (migrated) target."""
    async with replay_sources(
        settings,
        url,
        partition=partition,
        open_target=partial(open_replay_target, write_lock=write_lock),
    ) as (event_log, runner):
        totals = ReplayTotals()
        unit_of_work = ReadModelUnitOfWork(runner, totals=totals)
        project = ProjectEvents(
            unit_of_work,
            PageOutbox(unit_of_work, utcnow),
            public_base_url=settings.public_base_url,
            emit_pages=False,
        )
        stats = await replay(event_log, project.apply, batch=batch, progress=progress)
        return PartitionResult(stats, totals)


def replay_workers(
    settings: RenderSettings, url: str, *, batch: int, workers: int
) -> ReplayWorkers:
    """The pool that replays the log into `url`, `workers` partitions at once."""
    return PartitionWorkers(
        partial(replay_partition, settings, url, batch),
        PartitionResult,
        database_url=url,
        workers=workers,
        name="replay",
    )


async def bulk_replay(
    engine: AsyncEngine, workers: ReplayWorkers, progress: Progress
) -> ReplayStats:
    """Replay the whole log into the migrated, empty read model (`engine`, the workers'
    target) as a bulk load: indexes dropped, the partitions replayed, then the aggregates
    and the indexes."""
    await drop_secondary_indexes(engine)
    result = await workers.run(progress)
    await write_totals(engine, result.totals)
    await create_secondary_indexes(engine)
    return result.stats
