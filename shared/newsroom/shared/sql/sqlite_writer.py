"""SQLite's one writer, as a dedicated thread with group commit.

SQLite lets one connection write at a time. Queueing every write on an asyncio lock held across
aiosqlite's thread hops (a dozen per delivery) made the lock's holder wait behind every other
request's work on the event loop at each hop: ~100 deliveries/s on two cores with the loop half
idle. Here one thread owns the only writing connection and runs plain sqlite3 calls, no hop per
statement. Whatever was submitted while it committed goes into its next transaction together
(one savepoint per piece of work, so one's failure does not undo the others), and each
submitter is answered only after the COMMIT that holds its rows, one commit per batch instead of
one per delivery. There is no batching window: under load the queue fills while the previous
batch commits; alone, a write commits at once.

Where acknowledged state lives (ingest's inbox: a 202 promises the delivery is kept), the writer
runs synchronous=FULL: each COMMIT fsyncs the WAL before the submitter is answered, so it
survives a power loss or an OS crash, not only a crash of the process. (In WAL mode NORMAL skips
that fsync: the last transactions may roll back after a power loss.) Group commit keeps it
cheap: one fsync per batch."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog
from sqlalchemy.engine import Connection

from newsroom.shared.sql.engines import Synchronous, create_sqlite_sync_engine

log = structlog.get_logger(__name__)

T = TypeVar("T")

# A transaction this large still commits in milliseconds; the cap bounds a batch's latency.
MAX_BATCH = 256


@dataclass(frozen=True)
class _Job(Generic[T]):
    work: Callable[[Connection], T]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[T]
    read_only: bool


# A job, and what it returned or raised.
_Outcome = tuple[_Job[Any], Any, BaseException | None]

_STOP = object()


class SqliteWriter:
    """Runs `work(connection)` functions in the writer thread, in submission order, committed
    in groups. The thread starts with the first submission and ends with `close()`."""

    def __init__(
        self, database_url: str, synchronous: Synchronous = "FULL", *, name: str = "sqlite-writer"
    ) -> None:
        self._database_url = database_url
        self._synchronous: Synchronous = synchronous
        self._name = name
        self._jobs: queue.SimpleQueue[_Job[Any] | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    async def submit(self, work: Callable[[Connection], T], *, read_only: bool = False) -> T:
        """`work`'s result once the transaction that ran it is committed; its exception if it
        raised (its savepoint rolled back) or if the commit failed.

        `read_only` work runs after the batch's commit, in a transaction of its own, so that it
        never sees rows that might still be rolled back (the relay must not publish those)."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(work, loop, future, read_only))
        return await future

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    async def close(self) -> None:
        """Finish what was submitted, then stop the thread and close its connection."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(_STOP)
            await asyncio.to_thread(thread.join)

    def _run(self) -> None:
        try:
            # SQLAlchemy's BEGIN IMMEDIATE: the write lock from the start of each batch, and
            # savepoints that nest (one per piece of work).
            engine = create_sqlite_sync_engine(
                self._database_url, self._synchronous, begin="IMMEDIATE"
            )
            try:
                with engine.connect() as connection:
                    self._serve(connection)
            finally:
                engine.dispose()
        except Exception as exc:
            # Cannot open the database: fail what waits; the next submission starts afresh.
            log.error("sqlite_writer_failed", error=repr(exc)[:300])
            with self._start_lock:
                if self._thread is threading.current_thread():
                    self._thread = None
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    return
                if isinstance(job, _Job):
                    _answer_all([(job, None, exc)])

    def _serve(self, connection: Connection) -> None:
        while True:
            first = self._jobs.get()
            if not isinstance(first, _Job):
                return  # stop
            batch: list[_Job[Any]] = [first]
            stopping = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if not isinstance(more, _Job):
                    stopping = True
                    break
                batch.append(more)
            writes = [job for job in batch if not job.read_only]
            if writes:
                _answer_all(self._run_writes(connection, writes))
            reads = [job for job in batch if job.read_only]
            if reads:
                _answer_all([self._run_read(connection, job) for job in reads])
            if stopping:
                return

    @staticmethod
    def _run_read(connection: Connection, job: _Job[Any]) -> _Outcome:
        try:
            with connection.begin():
                return job, job.work(connection), None
        except Exception as exc:
            return job, None, exc

    @staticmethod
    def _run_writes(connection: Connection, batch: list[_Job[Any]]) -> list[_Outcome]:
        outcomes: list[tuple[Any, BaseException | None]] = []
        try:
            with connection.begin():
                if len(batch) == 1:
                    # Alone in its transaction: its failure rolls back everything anyway.
                    outcomes.append((batch[0].work(connection), None))
                else:
                    for job in batch:
                        try:
                            with connection.begin_nested():
                                outcomes.append((job.work(connection), None))
                        except Exception as exc:
                            outcomes.append((None, exc))
        except Exception as exc:
            # BEGIN or COMMIT failed (or the only job raised): nothing of the batch is durable.
            if len(batch) > 1:
                log.warning("sqlite_group_commit_failed", error=repr(exc)[:300], size=len(batch))
            outcomes = [(None, exc)] * len(batch)
        return [(job, value, error) for job, (value, error) in zip(batch, outcomes, strict=True)]


def _answer_all(outcomes: list[_Outcome]) -> None:
    """One wake-up per event loop for a whole batch: each costs a GIL hand-over."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].loop, []).append(outcome)
    for loop, answers in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(_settle, answers)


def _settle(outcomes: list[_Outcome]) -> None:
    for job, value, error in outcomes:
        if job.future.done():  # the submitter was cancelled (client gone); its work stands
            continue
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(value)
