"""A service's background loops (the archive's trimmer, the consumer-lag watcher) and how they
stop, so that a shutdown always ends.

Such a loop logs an error and carries on (an outage must not end it). Stopping it by
cancellation alone trusts every await inside to let the CancelledError through; one that turns
it into an error the loop catches keeps it running, and the shutdown that awaits it never ends
(in Python 3.11 `TimeoutError`, what an expiring `asyncio.timeout` raises, is an `OSError`, which
these loops catch). So each loop also watches a stop event: `stop` sets it, cancels the task and
waits for it a bounded time; a task still running then is logged with where it stands (its
stack) and left behind rather than holding the shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

log = structlog.get_logger(__name__)

# How long a stopping loop gets to end: its current Redis command or SQL read (socket timeouts
# of 10 s bound those), well inside an orchestrator's 30 s grace period.
STOP_WITHIN_SECONDS = 5.0


class BackgroundLoop:
    """One background task running `loop(stopping)`: `loop` returns once `stopping` is set,
    and sleeps with `pause` between rounds so that a stop wakes it at once."""

    def __init__(
        self,
        name: str,
        loop: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
    ) -> None:
        self.name = name
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] = asyncio.create_task(loop(self.stopping), name=name)

    async def stop(self, within: float = STOP_WITHIN_SECONDS) -> None:
        self.stopping.set()
        self.task.cancel()
        done, _ = await asyncio.wait({self.task}, timeout=within)
        if not done:
            log.error(
                "background_task_did_not_stop",
                task=self.name,
                within_seconds=within,
                stack=_stack_of(self.task),
            )
            return
        if not self.task.cancelled() and (error := self.task.exception()) is not None:
            log.error("background_task_failed", task=self.name, error=repr(error)[:500])


async def pause(stopping: asyncio.Event, seconds: float) -> None:
    """Sleeps `seconds`, or less if `stopping` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
        # that arrives as the awaited event is set.
        async with asyncio.timeout(seconds):
            await stopping.wait()


def _stack_of(task: asyncio.Task[Any]) -> str:
    out = io.StringIO()
    task.print_stack(file=out)
    return out.getvalue()[-4000:]
