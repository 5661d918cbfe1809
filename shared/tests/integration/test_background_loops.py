"""Background loops stop when asked, with a real Redis, also when a cancellation is lost.

On Python 3.11, redis-py (with a socket timeout, as every service sets) sends each command
under `asyncio.wait_for`, which returns the command's result instead of raising when the
cancellation arrives just as the command was sent: a loop that ends only on cancellation
carries on for ever, and the shutdown awaiting it hangs (the archive's trimmer did). Here a
loop sending commands without pause is stopped many times, at random moments."""

from __future__ import annotations

import asyncio
import random
import sys

import pytest
from redis.asyncio import Redis
from structlog.testing import capture_logs

from newsroom.shared.streaming.background import BackgroundLoop
from newsroom.shared.streaming.consumers import create_redis_client

pytestmark = pytest.mark.integration

STOPS = 40


async def test_a_loop_of_redis_commands_stops_every_time(redis_url: str) -> None:
    redis: Redis = create_redis_client(redis_url)
    commands = 0

    async def read_without_pause(stopping: asyncio.Event) -> None:
        nonlocal commands
        while not stopping.is_set():
            await redis.get("newsroom:test-background")
            commands += 1

    try:
        with capture_logs() as logs:
            for _ in range(STOPS):
                loop = BackgroundLoop("reader", read_without_pause)
                await asyncio.sleep(random.uniform(0.001, 0.02))
                await loop.stop(within=5.0)
                assert loop.task.done()
                before = commands
                await asyncio.sleep(0.05)
                assert commands == before  # nothing runs on after the stop
    finally:
        await redis.aclose()
    assert commands > STOPS  # the stops landed mid-loop, not before the first command
    assert [entry for entry in logs if entry["log_level"] == "error"] == []


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12's wait_for keeps it")
async def test_the_lost_cancellation_is_real_here(redis_url: str) -> None:
    """Why the loops watch a stop event: cancelling alone loses some of these stops."""
    redis: Redis = create_redis_client(redis_url)
    lost = 0

    async def read_until_cancelled() -> None:
        while True:
            await redis.get("newsroom:test-background")

    try:
        for _ in range(STOPS):
            task = asyncio.create_task(read_until_cancelled())
            await asyncio.sleep(random.uniform(0.001, 0.02))
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=0.3)
            if not done:
                lost += 1
            while not task.done():  # cancelled again until it takes
                task.cancel()
                await asyncio.wait({task}, timeout=0.1)
            if lost:
                break
    finally:
        await redis.aclose()
    assert lost > 0
