"""`newsroom-render replay`'s bulk load: N worker processes, each replaying the articles of
its partition (application.partitions) into the fresh target, the indexes and aggregates
built once after (adapters.bulk_load).

Processes, not threads: the projection is Python (decoding, applying, building rows) and one
process holds the GIL. PostgreSQL takes the workers' transactions at once; SQLite has one
writer at a time, so there the workers' Python work overlaps while their writes take turns
(each transaction builds its rows before its first write, and waits in the busy timeout).

The workers are forked when the command starts, before it opens any connection, thread or
event loop (a fork then copies none of those), and wait for the parent to have prepared the
target: they share the parent's imported modules instead of importing them again (spawned,
each paid two to three CPU seconds of imports, a tenth of a 10k-story replay)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from sqlalchemy.engine import make_url
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
from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import IncompleteLog
from newsroom.render.application.project_events import ProjectEvents, utcnow
from newsroom.render.application.replay import ReplayStats, replay
from newsroom.render.bootstrap import replay_sources
from newsroom.render.entrypoints.article_html import article_pages_for
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
            article_pages=article_pages_for(settings),
        )
        stats = await replay(event_log, project.apply, batch=batch, progress=progress)
        return PartitionResult(stats, totals)


def _worker(
    settings: RenderSettings,
    url: str,
    batch: int,
    partition: Partition,
    orders: Queue[bool],
    messages: Queue[Any],
    write_lock: Lock | None,
) -> None:
    """A worker process: waits for the go, replays its partition, sends its result (or its
    failure)."""
    parent = os.getppid()
    while True:
        try:
            if not orders.get(timeout=POLL_S):
                return  # the parent refused to replay
            break
        except queue.Empty:
            if os.getppid() != parent:
                return  # the parent died before the go: nobody waits for this worker
    try:
        result = asyncio.run(
            replay_partition(
                settings,
                url,
                batch,
                partition,
                lambda n: messages.put(("progress", n)),
                write_lock,
            )
        )
        messages.put(("done", partition.index, result))
    except IncompleteLog as exc:
        messages.put(("incomplete", partition.index, str(exc)))
        raise SystemExit(3) from exc
    except BaseException:
        messages.put(("failed", partition.index, traceback.format_exc()))
        raise SystemExit(1) from None


class ReplayWorkers:
    """`workers` processes forked on entering (see the module's docstring), each replaying
    one partition once `run` is awaited; on leaving, those never started are told to stop and
    any still running are ended. One worker: no process, `run` replays here."""

    def __init__(self, settings: RenderSettings, url: str, *, batch: int, workers: int) -> None:
        self.settings, self.url, self.batch, self.workers = settings, url, batch, workers
        self._context = multiprocessing.get_context("fork")
        self._orders: Queue[bool] = self._context.Queue()
        self._messages: Queue[Any] = self._context.Queue()
        self._processes: list[BaseProcess] = []
        self._started = False
        # SQLite: one writer at a time, the turn handed over by a lock (WriteTurn);
        # PostgreSQL: concurrent writers.
        sqlite = make_url(url).get_backend_name() == "sqlite"
        self._write_lock = self._context.Lock() if sqlite else None

    def __enter__(self) -> ReplayWorkers:
        for index in range(self.workers if self.workers > 1 else 0):
            process = self._context.Process(
                target=_worker,
                args=(
                    self.settings,
                    self.url,
                    self.batch,
                    Partition(index, self.workers),
                    self._orders,
                    self._messages,
                    self._write_lock,
                ),
                name=f"replay-worker-{index}",
                daemon=True,
            )
            process.start()
            self._processes.append(process)
        return self

    def __exit__(self, *_: object) -> None:
        if not self._started:
            for _process in self._processes:
                self._orders.put(False)
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()

    async def run(self, progress: Progress) -> PartitionResult:
        """Every partition replayed; `progress` gets the entries of every worker as they
        commit. ReplayFailed when a worker fails or dies (the others are then ended)."""
        if self.workers == 1:
            return await replay_partition(self.settings, self.url, self.batch, WHOLE_LOG, progress)
        self._started = True
        for _process in self._processes:
            self._orders.put(True)
        try:
            return await _collect(self._processes, self._messages, progress)
        except BaseException:
            for process in self._processes:
                if process.is_alive():
                    process.terminate()
            raise


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
