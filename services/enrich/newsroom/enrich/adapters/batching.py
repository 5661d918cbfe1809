"""Gathers articles handled concurrently into one `nlp.pipe` batch.

The subscriber hands up to `max_records` messages to concurrent handler calls; each submits
its article here and waits. The model runs in a worker thread so the event loop keeps
answering health checks and reading the stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class MicroBatcher(Generic[In, Out]):
    def __init__(
        self,
        process: Callable[[Sequence[In]], Sequence[Out]],
        max_batch: int,
        max_wait_seconds: float = 0.02,
    ) -> None:
        self._process = process
        self._max_batch = max_batch
        self._max_wait = max_wait_seconds
        self._queue: asyncio.Queue[tuple[In, asyncio.Future[Out]]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: In) -> Out:
        if self._queue is None or self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(self._queue), name="enrich-batcher")
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # Whoever still waits gets an answer: its message stays pending for another worker.
        while self._queue is not None and not self._queue.empty():
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(RuntimeError("enrich is shutting down"))

    async def _collect(
        self,
        queue: asyncio.Queue[tuple[In, asyncio.Future[Out]]],
        batch: list[tuple[In, asyncio.Future[Out]]],
    ) -> None:
        """Fills `batch` in place, so whatever was taken off the queue is answerable if this
        is cancelled halfway."""
        batch.append(await queue.get())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait
        while len(batch) < self._max_batch:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(queue.get(), remaining))
            except TimeoutError:
                break

    async def _run(self, queue: asyncio.Queue[tuple[In, asyncio.Future[Out]]]) -> None:
        while True:
            batch: list[tuple[In, asyncio.Future[Out]]] = []
            try:
                await self._collect(queue, batch)
                await self._settle(batch)
            except BaseException as exc:
                # A fault here, or shutdown, must answer the waiting handlers, never strand them.
                failure = (
                    exc if isinstance(exc, Exception) else RuntimeError("enrich is shutting down")
                )
                for _, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                if not isinstance(exc, Exception):
                    raise

    async def _settle(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        """Resolves every future of the batch with its result or its own error."""
        try:
            results = await asyncio.to_thread(self._process, [item for item, _ in batch])
        except Exception:
            # One bad article must not fail its batch-mates: retry them one by one so the
            # error reaches only the message that caused it.
            for item, future in batch:
                try:
                    result = (await asyncio.to_thread(self._process, [item]))[0]
                except Exception as exc:
                    if not future.done():
                        future.set_exception(exc)
                else:
                    if not future.done():
                        future.set_result(result)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
