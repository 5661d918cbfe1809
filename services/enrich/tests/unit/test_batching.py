"""Concurrent handlers share one model batch; one bad item fails only itself."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

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
