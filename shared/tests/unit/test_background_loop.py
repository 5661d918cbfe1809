"""BackgroundLoop: stopped by its event when a cancellation is swallowed, and a loop that
ignores both is logged with its stack and left behind rather than holding the shutdown."""

from __future__ import annotations

import asyncio
import contextlib

from structlog.testing import capture_logs

from newsroom.shared.streaming.background import BackgroundLoop, pause


async def test_a_loop_that_swallows_its_cancellation_still_stops() -> None:
    async def swallowing(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(asyncio.CancelledError):  # as a lost cancellation
                await asyncio.sleep(0.01)

    loop = BackgroundLoop("swallowing", swallowing)
    await asyncio.sleep(0.02)
    await loop.stop(within=2.0)
    assert loop.task.done()


async def test_a_pause_ends_when_stopping() -> None:
    async def paused(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await pause(stopping, 3600)

    loop = BackgroundLoop("paused", paused)
    await asyncio.sleep(0.01)
    loop.task.cancel = lambda *args: False  # type: ignore[method-assign]  # only the event
    await loop.stop(within=2.0)
    assert loop.task.done()


async def test_a_loop_that_will_not_stop_is_logged_and_left_behind() -> None:
    release = asyncio.Event()

    async def stubborn(_: asyncio.Event) -> None:
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.01)

    loop = BackgroundLoop("stubborn", stubborn)
    await asyncio.sleep(0.02)  # running, in its sleep
    with capture_logs() as logs:
        await loop.stop(within=0.1)
    assert not loop.task.done()
    [entry] = logs
    assert entry["event"] == "background_task_did_not_stop"
    assert entry["task"] == "stubborn"
    assert "stubborn" in entry["stack"]  # where it stands, for whoever reads the log
    release.set()
    await loop.task
