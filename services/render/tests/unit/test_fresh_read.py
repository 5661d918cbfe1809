"""FreshRead (adapters.read_model_version): callers share a version read only if it started
after they called, so a read already in flight (whose snapshot may predate a commit the caller
must see) is never handed to a later caller; and at most one read is in flight."""

from __future__ import annotations

import asyncio

from newsroom.render.adapters.read_model_version import FreshRead


class GatedReads:
    """Reads that end when the test lets them (`started` gives each one's gate as it starts):
    read n answers n."""

    def __init__(self) -> None:
        self.count = 0
        self.started: asyncio.Queue[asyncio.Event] = asyncio.Queue()

    async def __call__(self) -> int:
        number, gate = self.count, asyncio.Event()
        self.count += 1
        self.started.put_nowait(gate)
        await gate.wait()
        return number


async def _let_others_run() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_caller_arriving_during_a_read_gets_the_next_one_shared_with_its_peers():
    reads = GatedReads()
    fresh = FreshRead(reads)
    first = asyncio.create_task(fresh())
    in_flight = await reads.started.get()
    later = [asyncio.create_task(fresh()) for _ in range(3)]
    await _let_others_run()
    assert reads.count == 1  # one read in flight, however many wait
    in_flight.set()
    assert await first == 0
    next_read = await reads.started.get()
    assert not any(task.done() for task in later)  # read 0 was sent before they called
    next_read.set()
    assert await asyncio.gather(*later) == [1, 1, 1]
    await _let_others_run()
    assert reads.count == 2


async def test_a_cancelled_caller_does_not_cancel_the_read_its_peers_wait_for():
    reads = GatedReads()
    fresh = FreshRead(reads)
    leaving, staying = asyncio.create_task(fresh()), asyncio.create_task(fresh())
    in_flight = await reads.started.get()
    leaving.cancel()
    await _let_others_run()
    in_flight.set()
    assert await staying == 0


async def test_closing_answers_the_waiting_callers_with_no_version():
    reads = GatedReads()
    fresh = FreshRead(reads)
    waiting = asyncio.create_task(fresh())
    await reads.started.get()
    await fresh.close()
    assert await waiting is None
