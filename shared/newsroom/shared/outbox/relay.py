"""The outbox relay: moves committed events from an outbox table to Redis, in outbox order.

Runs as a background task of its service. Woken as soon as something was committed
(`notify`), and every `poll_interval` in case another process wrote the outbox; after a wake-up
it lingers a moment so that what is committed meanwhile goes out in the same round. When the
publisher fails (Redis unreachable) it backs off exponentially, with jitter, capped, instead of
spinning, and publishes the backlog, in order, as soon as it can. Delivery is at-least-once: a
crash between the publish and the delete publishes the same event ids again, which consumers
drop.

A row whose body cannot be decoded would fail every round and hold back every event behind it:
it is moved to the parked table with its error, and the rest keeps flowing.

On PostgreSQL several processes of a service may share the outbox: a transaction-scoped advisory
lock lets one relay at a time drain it, which keeps each stream in outbox order. SQLite has one
process per file, so no lock is needed there, and no write lock is held while Redis is being
talked to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

import structlog
from prometheus_client import Counter, Gauge
from sqlalchemy import Row, Select, delete, func, insert, select, text
from sqlalchemy.engine import Connection

from newsroom.shared.outbox.tables import OutboxTables
from newsroom.shared.sql.runner import UnitOfWorkRunner

log = structlog.get_logger(__name__)

# One round's batch carries at most this much (always at least one event): bodies may be large
# (ingest accepts 10 MB webhooks), and a hundred of them in one MULTI/EXEC would outlast the
# socket timeout and be sent again whole.
MAX_BATCH_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class PendingEvent:
    """A decoded outbox row, ready to publish."""

    outbox_id: int
    event_id: str
    stream: str
    correlation_id: str
    message: dict[str, Any]
    size: int = 0  # of the stored body, in characters


class PartlyPublished(Exception):
    """A publisher appended `appended` (some of a batch, in order), then failed with `cause`
    for the others. Any other exception from a publisher means none of the batch was
    appended."""

    def __init__(self, appended: Sequence[PendingEvent], cause: Exception) -> None:
        super().__init__(f"{len(appended)} events published, then: {cause!r}")
        self.appended = list(appended)
        self.cause = cause


class OutboxPublisher(Protocol):
    """Appends events to their streams, in the given order; raises when it cannot:
    `PartlyPublished` naming those that went in, anything else when none did."""

    async def publish(self, events: Sequence[PendingEvent]) -> None: ...


Decode = Callable[[str], dict[str, Any]]


def decode_json_object(body: str) -> dict[str, Any]:
    """The default decoding: a JSON object."""
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ValueError(f"an outbox body must be a JSON object, not {type(message).__name__}")
    return message


@dataclass(frozen=True)
class OutboxMetrics:
    """The service's own series (every service names its metrics after itself)."""

    relayed: Counter
    failures: Counter
    backlog: Gauge
    parked: Counter


@dataclass(frozen=True)
class _Head:
    """One round's rows: those to publish, and those to park with their error."""

    events: list[PendingEvent] = field(default_factory=list)
    parked: list[tuple[Row[Any], str]] = field(default_factory=list)


def within_bytes(
    pending: Sequence[PendingEvent], max_bytes: int = MAX_BATCH_BYTES
) -> list[PendingEvent]:
    """The longest prefix of `pending` whose bodies fit in `max_bytes` (never empty)."""
    taken: list[PendingEvent] = []
    size = 0
    for event in pending:
        size += event.size
        if taken and size > max_bytes:
            break
        taken.append(event)
    return taken


def advisory_lock_key(table_name: str) -> int:
    """A PostgreSQL advisory lock key naming one outbox table."""
    return zlib.crc32(f"newsroom-outbox:{table_name}".encode())


class OutboxRelay:
    def __init__(
        self,
        tables: OutboxTables,
        runner: UnitOfWorkRunner,
        publisher: OutboxPublisher,
        metrics: OutboxMetrics,
        *,
        decode: Decode = decode_json_object,
        lock_key: int | None = None,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        initial_backoff: float = 0.1,
        max_backoff: float = 5.0,
        linger: float = 0.01,
        backlog_refresh_interval: float = 1.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.tables = tables
        self.runner = runner
        self.publisher = publisher
        self.metrics = metrics
        self.decode = decode
        self.lock_key = advisory_lock_key(tables.outbox.name) if lock_key is None else lock_key
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        # After a wake-up, wait this long so that what is committed meanwhile goes out in the
        # same round: under load one round per event would cost as much database work as
        # writing them.
        self.linger = linger
        self.backlog_refresh_interval = backlog_refresh_interval
        self.clock = clock
        self._backlog_refreshed_at = float("-inf")
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Whether the last round left rows behind (a full head, or a batch cut by its size).
        self._more_waiting = False
        outbox = tables.outbox
        self._head_statement: Select[Any] = (
            select(
                outbox.c.id,
                outbox.c.event_id,
                outbox.c.stream,
                outbox.c.correlation_id,
                outbox.c.body,
            )
            .order_by(outbox.c.id)
            .limit(batch_size)
        )

    # -- the background task ---------------------------------------------------------------

    def notify(self) -> None:
        """Something was committed: relay it now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.tables.outbox.name}-relay")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = self.initial_backoff
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                handled = await self.relay_once()
            except Exception as exc:
                self.metrics.failures.inc()
                delay = min(backoff, self.max_backoff) * random.uniform(0.8, 1.2)
                log.warning(
                    "outbox_relay_failed",
                    outbox=self.tables.outbox.name,
                    error=repr(exc)[:300],
                    retry_in_s=round(delay, 2),
                )
                backoff = min(backoff * 2, self.max_backoff)
                await self._sleep(delay, wake_early=False)
                continue
            backoff = self.initial_backoff
            if self._more_waiting:
                continue
            if handled == 0:
                await self._refresh_backlog(force=True)  # drained: the gauge says 0 now
            await self._sleep(self.poll_interval, wake_early=True)
            if self._wake.is_set() and not self._stopping.is_set():
                await self._sleep(self.linger, wake_early=False)

    async def _sleep(self, seconds: float, *, wake_early: bool) -> None:
        """Sleep, interrupted by stop (and by new work when `wake_early`)."""
        waiters = [asyncio.ensure_future(self._stopping.wait())]
        if wake_early:
            waiters.append(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    # -- one round ---------------------------------------------------------------------------

    async def relay_once(self) -> int:
        """Publish one batch from the head of the outbox; the number of rows taken off it
        (published, or parked as undecodable)."""
        failed = False
        try:
            return await self._drain()
        except Exception:
            failed = True
            raise
        finally:
            await self._refresh_backlog(force=failed)

    async def _drain(self) -> int:
        """Publish the head in outbox order, as one batch, and delete what was published (when
        only some was, then re-raising); park what cannot be decoded."""
        self._more_waiting = False
        if not self.runner.is_postgresql:
            rows = await self.runner.read(self._read_head)
            head = self._decode(rows)
            if head.parked:
                await self.runner.write(partial(self._park, head.parked))
                self._report_parked(head.parked)
            published, error = await self._publish(head.events)
            if published:
                await self.runner.write(partial(self._delete, published))
        else:
            async with self.runner.engine.begin() as connection:
                locked = await connection.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": self.lock_key}
                )
                if not locked:
                    return 0  # another process's relay is draining
                rows = await connection.run_sync(self._read_head)
                head = self._decode(rows)
                if head.parked:
                    await connection.run_sync(partial(self._park, head.parked))
                published, error = await self._publish(head.events)
                if published:
                    await connection.run_sync(partial(self._delete, published))
            if head.parked:
                self._report_parked(head.parked)
        if error is not None:
            raise error
        handled = len(published) + len(head.parked)
        self._more_waiting = len(rows) == self.batch_size or handled < len(rows)
        return handled

    def _read_head(self, connection: Connection, limit: int | None = None) -> list[Row[Any]]:
        statement = self._head_statement if limit is None else self._head_statement.limit(limit)
        return list(connection.execute(statement))

    def _decode(self, rows: list[Row[Any]]) -> _Head:
        head = _Head()
        for row in rows:
            try:
                message = self.decode(row.body)
            except Exception as exc:
                head.parked.append((row, f"{type(exc).__name__}: {exc}"[:2000]))
                continue
            head.events.append(
                PendingEvent(
                    row.id, row.event_id, row.stream, row.correlation_id, message, len(row.body)
                )
            )
        return head

    def _park(self, parked: list[tuple[Row[Any], str]], connection: Connection) -> None:
        now = self.clock()
        connection.execute(
            insert(self.tables.parked),
            [
                {
                    "outbox_id": row.id,
                    "event_id": row.event_id,
                    "stream": row.stream,
                    "body": row.body,
                    "error": error,
                    "parked_at": now,
                }
                for row, error in parked
            ],
        )
        self._delete([row.id for row, _ in parked], connection)

    def _report_parked(self, parked: list[tuple[Row[Any], str]]) -> None:
        """Once the parking is committed."""
        self.metrics.parked.inc(len(parked))
        for row, error in parked:
            log.error(
                "outbox_row_parked", outbox=self.tables.outbox.name, outbox_id=row.id, error=error
            )

    def _delete(self, outbox_ids: list[int], connection: Connection) -> None:
        outbox = self.tables.outbox
        connection.execute(delete(outbox).where(outbox.c.id.in_(outbox_ids)))

    async def _publish(self, head: list[PendingEvent]) -> tuple[list[int], Exception | None]:
        """The outbox ids the publisher appended (all, some or none) and its error."""
        batch = within_bytes(head)
        if not batch:
            return [], None
        try:
            await self.publisher.publish(batch)
        except PartlyPublished as partly:
            self.metrics.relayed.inc(len(partly.appended))
            return [event.outbox_id for event in partly.appended], partly.cause
        except Exception as exc:
            return [], exc
        self.metrics.relayed.inc(len(batch))
        return [event.outbox_id for event in batch], None

    # -- what waits ----------------------------------------------------------------------------

    async def peek(self, limit: int) -> list[PendingEvent]:
        """The head of the outbox, decoded, without publishing it (rows that do not decode are
        left out)."""
        rows = await self.runner.read(partial(self._read_head, limit=limit))
        return self._decode(rows).events

    async def backlog(self) -> int:
        """How many events wait in the outbox."""
        outbox = self.tables.outbox

        def count(connection: Connection) -> int:
            return int(connection.scalar(select(func.count()).select_from(outbox)) or 0)

        return await self.runner.read(count)

    async def _refresh_backlog(self, *, force: bool) -> None:
        """The backlog gauge, counted at most once per interval (a COUNT per round is waste)."""
        now = asyncio.get_running_loop().time()
        if force or now - self._backlog_refreshed_at >= self.backlog_refresh_interval:
            self._backlog_refreshed_at = now
            self.metrics.backlog.set(await self.backlog())
