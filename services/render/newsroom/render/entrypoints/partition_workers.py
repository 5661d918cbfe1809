"""Worker processes that each run one job on a partition of the articles
(application.partitions): `newsroom-render replay`'s bulk load and `build-pages`.

Processes, not threads: both jobs are Python (decoding, projecting, rendering) and one
process holds the GIL. PostgreSQL takes the workers' transactions at once; SQLite has one
writer at a time, so there the workers' Python work overlaps while their writes take turns
(each transaction does its Python work before its first write, and the turn is handed over
by a lock the pool shares: adapters.write_turn).

The workers are forked when the pool is entered, before the command opens any connection,
thread or event loop (a fork then copies none of those), and wait for the parent's go: they
share the parent's imported modules instead of importing them again (spawned, each paid two
to three CPU seconds of imports, a tenth of a 10k-story replay)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import traceback
from collections.abc import Awaitable, Callable, Sequence
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy.engine import make_url

from newsroom.render.adapters.write_turn import Lock
from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import IncompleteLog

Progress = Callable[[int], None]

# More workers than this gain nothing on SQLite (one writer) and little on PostgreSQL.
MAX_WORKERS = 8
# How long the parent waits for a message before it looks whether a worker died silently.
POLL_S = 0.5


class Mergeable(Protocol):
    def merge(self, other: Self) -> None: ...


R = TypeVar("R", bound=Mergeable)
# A job: its partition's share of the work, reporting progress; the lock is the SQLite
# file's write turn (None: PostgreSQL, or one worker).
Job = Callable[[Partition, Progress, Lock | None], Awaitable[R]]


def default_workers() -> int:
    """The CPUs this process may run on, capped."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


class PartitionFailed(Exception):
    """A worker failed: the job is incomplete."""


def _worker(
    job: Job[R],
    partition: Partition,
    orders: Queue[bool],
    messages: Queue[Any],
    write_lock: Lock | None,
) -> None:
    """A worker process: waits for the go, runs its partition, sends its result (or its
    failure)."""
    parent = os.getppid()
    while True:
        try:
            if not orders.get(timeout=POLL_S):
                return  # the parent refused to run the job
            break
        except queue.Empty:
            if os.getppid() != parent:
                return  # the parent died before the go: nobody waits for this worker
    try:
        result: Mergeable = asyncio.run(
            job(partition, lambda n: messages.put(("progress", n)), write_lock)  # type: ignore[arg-type]
        )
        messages.put(("done", partition.index, result))
    except IncompleteLog as exc:
        messages.put(("incomplete", partition.index, str(exc)))
        raise SystemExit(3) from exc
    except BaseException:
        messages.put(("failed", partition.index, traceback.format_exc()))
        raise SystemExit(1) from None


class PartitionWorkers(Generic[R]):
    """`workers` processes forked on entering (see the module's docstring), each running `job`
    on one partition once `run` is awaited, their results merged into `empty()`; on leaving,
    those never started are told to stop and any still running are ended. One worker: no
    process, `run` runs the job here on the whole log."""

    def __init__(
        self, job: Job[R], empty: Callable[[], R], *, database_url: str, workers: int, name: str
    ) -> None:
        self.job, self.empty, self.workers, self.name = job, empty, workers, name
        self._context = multiprocessing.get_context("fork")
        self._orders: Queue[bool] = self._context.Queue()
        self._messages: Queue[Any] = self._context.Queue()
        self._processes: list[BaseProcess] = []
        self._started = False
        # SQLite: one writer at a time, the turn handed over by a lock (WriteTurn);
        # PostgreSQL: concurrent writers.
        sqlite = make_url(database_url).get_backend_name() == "sqlite"
        self._write_lock = self._context.Lock() if sqlite else None

    def __enter__(self) -> PartitionWorkers[R]:
        for index in range(self.workers if self.workers > 1 else 0):
            process = self._context.Process(
                target=_worker,
                args=(
                    self.job,
                    Partition(index, self.workers),
                    self._orders,
                    self._messages,
                    self._write_lock,
                ),
                name=f"{self.name}-worker-{index}",
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

    async def run(self, progress: Progress) -> R:
        """Every partition done; `progress` gets every worker's counts as they come.
        PartitionFailed when a worker fails or dies (the others are then ended)."""
        if self.workers == 1:
            return await self.job(WHOLE_LOG, progress, None)
        self._started = True
        for _process in self._processes:
            self._orders.put(True)
        try:
            return await self._collect(progress)
        except BaseException:
            for process in self._processes:
                if process.is_alive():
                    process.terminate()
            raise

    async def _collect(self, progress: Progress) -> R:
        processes: Sequence[BaseProcess] = self._processes
        total = self.empty()
        done: set[int] = set()
        while len(done) < len(processes):
            try:
                kind, *rest = await asyncio.to_thread(self._messages.get, True, POLL_S)
            except queue.Empty:
                silent = [
                    index
                    for index, process in enumerate(processes)
                    if index not in done and process.exitcode is not None
                ]
                # A worker's last message may still be on its way; a dead one sends none.
                if silent and self._messages.empty():
                    index = silent[0]
                    raise PartitionFailed(
                        f"{self.name} worker {index + 1} of {len(processes)} exited with code "
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
                raise PartitionFailed(
                    f"{self.name} worker {index + 1} of {len(processes)} failed:\n{error}"
                )
        return total
