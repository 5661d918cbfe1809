"""The outbox relay: moves recorded events from the SQL outbox to Redis, in outbox order.

Runs as a background task of the HTTP app. Woken as soon as an item is recorded, and every
`poll_interval` in case another process wrote the outbox. When Redis is unreachable it backs
off exponentially (with jitter, capped) instead of spinning, and publishes the backlog, in
order, as soon as Redis answers again. Delivery is at-least-once: a crash between the XADD and
the outbox delete republishes the same event id, which consumers drop."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence

import structlog

from newsroom.ingest.adapters.inbox import Outbox, PartlyPublished, PendingEvent
from newsroom.ingest.adapters.metrics import EVENTS_RELAYED, OUTBOX_BACKLOG, RELAY_FAILURES
from newsroom.ingest.adapters.publisher import EventPublisher

log = structlog.get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: EventPublisher,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        initial_backoff: float = 0.1,
        max_backoff: float = 5.0,
        linger: float = 0.01,
        backlog_refresh_interval: float = 1.0,
    ) -> None:
        self.outbox = outbox
        self.publisher = publisher
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        # After a wake-up, wait this long so that items recorded meanwhile go out in the same
        # round: under load one round per item would cost as much database work as ingesting.
        self.linger = linger
        self.backlog_refresh_interval = backlog_refresh_interval
        self._backlog_refreshed_at = float("-inf")
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        """Something was recorded: relay it now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def relay_once(self) -> int:
        """Publish one batch; the number of events published."""
        failed = False
        try:
            return await self.outbox.drain(self.batch_size, self._publish)
        except Exception:
            failed = True
            raise
        finally:
            await self._refresh_backlog(force=failed)

    async def _refresh_backlog(self, *, force: bool) -> None:
        """The backlog gauge, counted at most once per interval (a COUNT per round is waste)."""
        now = asyncio.get_running_loop().time()
        if force or now - self._backlog_refreshed_at >= self.backlog_refresh_interval:
            self._backlog_refreshed_at = now
            OUTBOX_BACKLOG.set(await self.outbox.backlog())

    async def _publish(self, events: Sequence[PendingEvent]) -> None:
        try:
            await self.publisher.publish(events)
        except PartlyPublished as partly:
            EVENTS_RELAYED.inc(len(partly.appended))
            raise
        EVENTS_RELAYED.inc(len(events))

    async def _run(self) -> None:
        backoff = self.initial_backoff
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                published = await self.relay_once()
            except Exception as exc:
                RELAY_FAILURES.inc()
                delay = min(backoff, self.max_backoff) * random.uniform(0.8, 1.2)
                log.warning(
                    "outbox_relay_failed", error=repr(exc)[:300], retry_in_s=round(delay, 2)
                )
                backoff = min(backoff * 2, self.max_backoff)
                await self._sleep(delay, wake_early=False)
                continue
            backoff = self.initial_backoff
            if published == self.batch_size:
                continue  # more is waiting
            if published == 0:
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
