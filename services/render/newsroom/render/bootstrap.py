"""The one place that wires settings, database, broker, projector and the HTTP app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import structlog
from fastapi import FastAPI
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from newsroom.render.adapters.database import create_engine, session_factory
from newsroom.render.adapters.queries import ReadModelQueries
from newsroom.render.entrypoints.consumers import build_broker
from newsroom.render.entrypoints.http import create_app
from newsroom.render.metrics import FAILURES, MAINTENANCE_FAILURES
from newsroom.render.service import Projector, utcnow
from newsroom.shared.settings import RenderSettings
from newsroom.shared.streaming.groups import consumer_name, ensure_groups, prune_stale_consumers
from newsroom.shared.streaming.lag import watch_lag
from newsroom.shared.streams import RENDER_ARTICLES, RENDER_ENRICHED

log = structlog.get_logger(__name__)

SERVICE = "render"
GROUPS = [RENDER_ARTICLES, RENDER_ENRICHED]


class RenderRuntime:
    """Everything a running render process holds."""

    def __init__(
        self,
        settings: RenderSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        consumer: str | None = None,
        maintenance_every: float = 2.0,
    ) -> None:
        self.settings = settings
        self.public_base_url = settings.public_base_url.rstrip("/")
        self.clock = clock
        self.engine = create_engine(settings.database_url)
        self.sessions = session_factory(self.engine)
        self.queries = ReadModelQueries(self.sessions)
        self.projector = Projector(self.sessions, public_base_url=self.public_base_url, clock=clock)
        self.redis = Redis.from_url(settings.redis_url)
        self.consumer = consumer or consumer_name(SERVICE)
        self.broker, self.publish_pages = build_broker(
            redis_url=settings.redis_url,
            projector=self.projector,
            consumer=self.consumer,
            max_deliveries=settings.max_deliveries,
            reclaim_idle_ms=settings.reclaim_idle_ms,
            redis=self.redis,
        )
        self.maintenance_every = maintenance_every
        self._tasks: list[asyncio.Task[None]] = []

    def now(self) -> datetime:
        return self.clock()

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.redis.ping(), timeout=2)
            checks["redis"] = "ok"
        except (RedisError, OSError, TimeoutError) as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        try:
            async with self.engine.connect() as connection:
                await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=2)
            checks["database"] = "ok"
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks

    async def start(self) -> None:
        # Groups at 0 before subscribing: items published before the first start are read,
        # and a restart resumes from where the group stands (see streaming/groups.py).
        await ensure_groups(self.redis, GROUPS)
        if pruned := await prune_stale_consumers(self.redis, GROUPS):
            log.info("stale_consumers_pruned", consumers=pruned)
        await self.broker.start()
        self._tasks = [
            asyncio.create_task(watch_lag(self.redis, GROUPS), name="render-lag"),
            asyncio.create_task(self._maintenance(), name="render-maintenance"),
        ]
        log.info("render_started", consumer=self.consumer)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.broker.stop()
        await self.redis.aclose()
        self.projector.runner.dispose()
        self.queries.runner.dispose()
        await self.engine.dispose()
        log.info("render_stopped")

    async def maintain_once(self) -> None:
        """Announce embargoes that lifted by the clock, and send waiting PageChanged."""
        await self.projector.announce_lifted_embargoes()
        await self.projector.flush_outbox(self.publish_pages)

    async def _maintenance(self) -> None:
        while True:
            try:
                await self.maintain_once()
            except Exception as exc:
                # Whatever fails, the loop must go on: it alone announces lifted embargoes
                # and sends PageChanged left in the outbox. (CancelledError is not an
                # Exception: stop() still ends it.)
                FAILURES.labels("maintenance").inc()
                MAINTENANCE_FAILURES.labels(type(exc).__name__).inc()
                log.error("maintenance_failed", error=repr(exc)[:300], exc_info=exc)
            await asyncio.sleep(self.maintenance_every)

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


def build_app(runtime: RenderRuntime) -> FastAPI:
    return create_app(runtime, lifespan=runtime.lifespan)
