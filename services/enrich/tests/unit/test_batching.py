"""Concurrent handlers share one model batch; one bad item fails only itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest

from newsroom.enrich.adapters.batching import MicroBatcher


async def test_concurrent_submissions_are_processed_in_one_batch() -> None:
    calls: list[list[int]] = []

    def square(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        return [i * i for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(square, max_batch=8, max_wait_seconds=0.2)
    try:
        results = await asyncio.gather(*(batcher.submit(i) for i in range(5)))
    finally:
        await batcher.close()
    assert results == [0, 1, 4, 9, 16]
    assert calls == [[0, 1, 2, 3, 4]]


async def test_a_failing_item_fails_alone() -> None:
    def invert(items: Sequence[int]) -> list[float]:
        return [1 / i for i in items]

    batcher: MicroBatcher[int, float] = MicroBatcher(invert, max_batch=8, max_wait_seconds=0.2)
    try:
        outcomes = await asyncio.gather(
            *(batcher.submit(i) for i in (1, 0, 2)), return_exceptions=True
        )
    finally:
        await batcher.close()
    assert outcomes[0] == 1.0
    assert outcomes[2] == 0.5
    assert isinstance(outcomes[1], ZeroDivisionError)


async def test_batches_never_exceed_the_maximum() -> None:
    sizes: list[int] = []

    def identity(items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        return list(items)

    batcher: MicroBatcher[int, int] = MicroBatcher(identity, max_batch=3, max_wait_seconds=0.2)
    try:
        assert await asyncio.gather(*(batcher.submit(i) for i in range(7))) == list(range(7))
    finally:
        await batcher.close()
    assert max(sizes) <= 3
    assert sum(sizes) == 7


async def test_a_fault_in_the_batcher_itself_fails_the_waiting_handlers() -> None:
    # A processor that returns fewer results than items: a bug, not an article's fault.
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: [], max_batch=4)
    with pytest.raises(ValueError, match="zip"):
        await asyncio.wait_for(batcher.submit(1), timeout=5)
    await batcher.close()


async def test_closing_answers_whoever_still_waits() -> None:
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow(items: Sequence[int]) -> list[int]:
        loop.call_soon_threadsafe(started.set)
        time.sleep(0.2)
        return list(items)

    batcher: MicroBatcher[int, int] = MicroBatcher(slow, max_batch=1)
    first = asyncio.create_task(batcher.submit(1))
    second = asyncio.create_task(batcher.submit(2))
    await started.wait()
    await batcher.close()
    for task in (first, second):
        with pytest.raises(RuntimeError, match="shutting down"):
            await asyncio.wait_for(task, timeout=5)


async def test_closing_while_a_batch_is_being_collected_answers_it() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(list, max_batch=8, max_wait_seconds=5)
    waiting = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0.1)  # taken off the queue; the batcher waits for batch-mates
    await batcher.close()
    with pytest.raises(RuntimeError, match="shutting down"):
        await asyncio.wait_for(waiting, timeout=5)
