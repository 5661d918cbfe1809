"""Group commit: events handed in while a transaction runs are applied together in the next
one, while every caller (a stream handler) keeps its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog

from newsroom.render.application.project_events import ApplyResult
from newsroom.render.domain.projection import RenderEvent

log = structlog.get_logger(__name__)

Apply = Callable[[Sequence[RenderEvent]], Awaitable[ApplyResult]]


class GroupCommit:
    def __init__(self, apply: Apply) -> None:
        self.apply = apply
        # Events handed in while a transaction runs wait here and are then applied together,
        # one transaction for all of them.
        self._waiting: list[tuple[RenderEvent, asyncio.Future[ApplyResult]]] = []
        self._group_lock = asyncio.Lock()

    async def submit(self, event: RenderEvent) -> ApplyResult:
        """Apply one event, in one transaction with the events other handlers submit
        meanwhile, and answer this event's share of the result.

        Each caller still gets its own outcome: when the group's transaction fails, its events
        are applied one by one, so only the failing event's caller sees the error (and only
        its message is retried or dead-lettered). The projection is order-independent and the
        inbox makes it idempotent, so grouping changes nothing but the number of commits."""
        done: asyncio.Future[ApplyResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, done))
        async with self._group_lock:
            if not done.done():
                group, self._waiting = self._waiting, []
                await self._apply_group(group)
        return await done

    async def _apply_group(
        self, group: list[tuple[RenderEvent, asyncio.Future[ApplyResult]]]
    ) -> None:
        try:
            try:
                result = await self.apply([event for event, _ in group])
            except Exception as exc:
                if len(group) == 1:
                    _settle(group[0][1], error=exc)
                    return
                log.warning("group_commit_split", events=len(group), error=repr(exc)[:300])
                for event, done in group:
                    try:
                        _settle(done, await self.apply([event]))
                    except Exception as single_exc:  # handed to its own caller
                        _settle(done, error=single_exc)
                return
            for event, done in group:
                _settle(done, result.of(event))
        finally:
            # Cancelled meanwhile (shutdown): the waiting callers must not wait forever; their
            # messages stay unacknowledged and are delivered again.
            for _, done in group:
                done.cancel()  # no effect on the settled ones


def _settle(
    done: asyncio.Future[ApplyResult],
    result: ApplyResult | None = None,
    *,
    error: Exception | None = None,
) -> None:
    if done.done():
        return  # its caller was cancelled
    if error is not None:
        done.set_exception(error)
    else:
        assert result is not None
        done.set_result(result)
