"""`newsroom-render replay`'s bulk load: N worker processes, each replaying the articles of
its partition (application.partitions) into the fresh target, the indexes and aggregates
built once after (adapters.bulk_load).

Processes, not threads: the projection is Python (decoding, applying, building rows) and one
process holds the GIL. PostgreSQL takes the workers' transactions at once; SQLite has one
writer at a time, so there the workers' Python work overlaps while their writes take turns
(each transaction builds its rows before its first write, and waits in the busy timeout).
Workers are spawned, not forked: a forked child would inherit the parent's event loop,
connections and threads."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

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
from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import IncompleteLog
from newsroom.render.application.project_events import ProjectEvents, utcnow
from newsroom.render.application.replay import ReplayStats, replay
from newsroom.shared.settings import RenderSettings

Progress = Callable[[int], None]

# More workers than this gain nothing on SQLite (one writer) and little on PostgreSQL.
MAX_WORKERS = 8
# How long the parent waits for a message before it looks whether a worker died silently.
POLL_S = 0.5


def default_workers() -> int:
    """The CPUs this process may run on, capped."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


class ReplayFailed(Exception):
    """A worker failed: the replay is incomplete (the target must be replayed again with
    --replace)."""


@dataclass
class PartitionResult:
    stats: ReplayStats = field(default_factory=ReplayStats)
    totals: ReplayTotals = field(default_factory=ReplayTotals)

    def merge(self, other: PartitionResult) -> None:
        for name in ("entries", "applied", "duplicates", "skipped"):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(other.stats, name))
        self.totals.merge(other.totals)


async def replay_partition(
    settings: RenderSettings, url: str, batch: int, partition: Partition, progress: Progress
) -> PartitionResult:
    """Replay the log's events of `partition`'s articles into the (migrated) target."""
    from newsroom.render.bootstrap import replay_sources

    async with replay_sources(
        settings, url, partition=partition, open_target=open_replay_target
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


def _worker(url: str, batch: int, partition: Partition, messages: Queue[Any]) -> None:
    """A worker process: its partition replayed, then its result (or its failure) sent."""
    from newsroom.render.entrypoints.cli import collector_for_replay
    from newsroom.shared.logging import configure_logging

    try:
        settings = RenderSettings()
        configure_logging("render", "WARNING", settings.log_format)
        with collector_for_replay():
            result = asyncio.run(
                replay_partition(
                    settings, url, batch, partition, lambda n: messages.put(("progress", n))
                )
            )
        messages.put(("done", partition.index, result))
    except IncompleteLog as exc:
        messages.put(("incomplete", partition.index, str(exc)))
        raise SystemExit(3) from exc
    except BaseException:
        messages.put(("failed", partition.index, traceback.format_exc()))
        raise SystemExit(1) from None


async def replay_partitions(
    settings: RenderSettings, url: str, *, batch: int, workers: int, progress: Progress
) -> PartitionResult:
    """Every partition replayed, each in a worker process of its own (in this process for
    one worker); `progress` gets the entries of every worker as they commit. ReplayFailed
    when a worker fails or dies, the others stopped."""
    if workers == 1:
        return await replay_partition(settings, url, batch, WHOLE_LOG, progress)
    context = multiprocessing.get_context("spawn")
    messages: Queue[Any] = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(url, batch, Partition(index, workers), messages),
            name=f"replay-worker-{index}",
            daemon=True,
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        return await _collect(processes, messages, progress)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            await asyncio.to_thread(process.join)


async def _collect(
    processes: Sequence[BaseProcess], messages: Queue[Any], progress: Progress
) -> PartitionResult:
    total = PartitionResult()
    done: set[int] = set()
    while len(done) < len(processes):
        try:
            kind, *rest = await asyncio.to_thread(messages.get, True, POLL_S)
        except queue.Empty:
            silent = [
                index
                for index, process in enumerate(processes)
                if index not in done and process.exitcode is not None
            ]
            # A worker's last message may still be on its way; a dead one sends none.
            if silent and messages.empty():
                index = silent[0]
                raise ReplayFailed(
                    f"replay worker {index + 1} of {len(processes)} exited with code "
                    f"{processes[index].exitcode} before finishing"
                ) from None
            continue
        if kind == "progress":
            progress(rest[0])
        elif kind == "done":
            done.add(rest[0])
            total.merge(rest[1])
        elif kind == "incomplete":
            raise IncompleteLog(rest[1])
        else:
            index, error = rest
            raise ReplayFailed(f"replay worker {index + 1} of {len(processes)} failed:\n{error}")
    return total


async def bulk_replay(
    settings: RenderSettings,
    url: str,
    engine: AsyncEngine,
    *,
    batch: int,
    workers: int,
    progress: Progress,
) -> ReplayStats:
    """Replay the whole log into the migrated, empty read model at `url` (`engine`) as a
    bulk load: indexes dropped, the partitions replayed, then the aggregates and indexes."""
    await drop_secondary_indexes(engine)
    result = await replay_partitions(settings, url, batch=batch, workers=workers, progress=progress)
    await write_totals(engine, result.totals)
    await create_secondary_indexes(engine)
    return result.stats
