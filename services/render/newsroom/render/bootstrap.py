"""The one place that builds render's engines, broker and app from settings, and wires the
use cases to the adapters."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import structlog
from faststream.redis import RedisBroker
from faststream.redis.publisher.usecase import StreamPublisher
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from newsroom.render.adapters.archive_log import ArchiveAndTailLog
from newsroom.render.adapters.metrics import FAILURES, MAINTENANCE_FAILURES, PAGES_BUILT
from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.page_build_store import SqlPageBuildStore
from newsroom.render.adapters.page_outbox import PageOutbox
from newsroom.render.adapters.page_publisher import PagePublisher
from newsroom.render.adapters.queries import ReadModelQueries
from newsroom.render.adapters.read_model_version import read_model_version
from newsroom.render.adapters.redis_lease import PAGE_BUILDER_LEASE, RedisLease
from newsroom.render.adapters.stream_log import RedisStreamLog
from newsroom.render.adapters.unit_of_work import (
    ReadModelUnitOfWork,
    UnitOfWorkRunner,
    sqlite_file_engine,
    sqlite_writer_engine,
)
from newsroom.render.adapters.write_turn import Lock
from newsroom.render.application.announce_embargoes import AnnounceLiftedEmbargoes
from newsroom.render.application.build_pages import build_pages_leased
from newsroom.render.application.group_commit import GroupCommit
from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import ArticlePages, Clock, EventLog
from newsroom.render.application.project_events import ApplyResult, ProjectEvents, utcnow
from newsroom.render.domain.projection import RenderEvent
from newsroom.render.entrypoints.streams import FlushPages, Submit, stream_router
from newsroom.shared.eventstore import EventStore
from newsroom.shared.settings import RenderSettings
from newsroom.shared.sql import create_engine
from newsroom.shared.streaming.background import BackgroundLoop, pause
from newsroom.shared.streaming.consumers import (
    consumer_groups,
    create_broker,
    create_redis_client,
)
from newsroom.shared.streaming.groups import consumer_name
from newsroom.shared.streams import (
    ONE_SHARD,
    RENDER_ARTICLES,
    RENDER_ENRICHED,
    RENDER_GROUP,
    ConsumerGroup,
    StreamShards,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from newsroom.render.entrypoints.site import Site

log = structlog.get_logger(__name__)

SERVICE = "render"
GROUPS = [RENDER_ARTICLES, RENDER_ENRICHED]


def render_groups(streams: StreamShards) -> list[ConsumerGroup]:
    """Render's groups on every shard's articles and enriched streams."""
    return [*streams.articles_groups(RENDER_GROUP), *streams.enriched_groups(RENDER_GROUP)]


def open_read_model(database_url: str, write_lock: Lock | None = None) -> UnitOfWorkRunner:
    """The read model's database: its engine (and, for an SQLite file, the synchronous twin
    its units of work run on). `await runner.dispose()` closes both. `write_lock`: the write
    turn of processes writing one SQLite file together (adapters.write_turn)."""
    engine = create_engine(database_url)
    return UnitOfWorkRunner(
        engine, sqlite_file_engine(engine), sqlite_writer_engine(engine), write_lock
    )


async def migrate_read_model(database_url: str) -> None:
    """Bring the read model's schema at `database_url` to the newest migration."""
    runner = open_read_model(database_url)
    try:
        await migrate(runner.engine)
    finally:
        await runner.dispose()


async def readiness(redis: Redis, database: AsyncEngine) -> dict[str, str]:
    """Whether render can do its job now: Redis answers (the streams it consumes and the pages
    stream it feeds) and the read model's database answers a query, each within 2 s. Check
    name -> "ok" or why not."""
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(redis.ping(), timeout=2)
        checks["redis"] = "ok"
    except (RedisError, OSError, TimeoutError) as exc:
        checks["redis"] = f"unreachable: {type(exc).__name__}"
    try:
        async with database.connect() as connection:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=2)
        checks["database"] = "ok"
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    return checks


class Projection:
    """The write side over one read model: the projection, group commit, embargo
    announcements, and the page outbox they queue PageChanged in."""

    def __init__(
        self,
        runner: UnitOfWorkRunner,
        *,
        public_base_url: str,
        clock: Clock = utcnow,
        emit_pages: bool = True,
        article_pages: ArticlePages | None = None,
    ) -> None:
        self.unit_of_work = ReadModelUnitOfWork(runner)
        self.page_outbox = PageOutbox(self.unit_of_work, clock)
        self.project = ProjectEvents(
            self.unit_of_work,
            self.page_outbox,
            public_base_url=public_base_url,
            clock=clock,
            emit_pages=emit_pages,
            article_pages=article_pages,
        )
        self.group_commit = GroupCommit(self.project.apply)
        self.announce_lifted_embargoes = AnnounceLiftedEmbargoes(
            self.unit_of_work, self.page_outbox, public_base_url=public_base_url, clock=clock
        )


def build_broker(
    redis_url: str,
    *,
    consumer: str,
    max_deliveries: int,
    reclaim_idle_ms: int,
    submit: Submit,
    flush_pages: FlushPages,
    streams: StreamShards = ONE_SHARD,
    cluster: bool = False,
) -> tuple[RedisBroker, StreamPublisher]:
    """The broker (the shared consumer recipe) with render's stream router included, and the
    router's PageChanged publisher."""
    router, pages_publisher = stream_router(
        consumer=consumer,
        reclaim_idle_ms=reclaim_idle_ms,
        submit=submit,
        flush_pages=flush_pages,
        streams=streams,
    )
    broker = create_broker(
        redis_url,
        service=SERVICE,
        max_deliveries=max_deliveries,
        routers=[router],
        cluster=cluster,
    )
    return broker, pages_publisher


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
        self.database = open_read_model(settings.database_url)
        self.sessions = self.database.sessions
        self.read_model = ReadModelQueries(self.database)
        self.read_model_version = read_model_version(self.database.engine, self.read_model.version)
        # Imported here: `migrate` has no use for the templates.
        from newsroom.render.entrypoints.article_html import article_pages_for

        self.article_pages = article_pages_for(settings)
        self.projection = Projection(
            self.database,
            public_base_url=self.public_base_url,
            clock=clock,
            article_pages=self.article_pages,
        )
        self.redis = create_redis_client(settings.redis_url, cluster=settings.redis_cluster)
        self.streams = StreamShards(settings.stream_shards)
        self.consumer = consumer or consumer_name(SERVICE)
        self.broker, pages_publisher = build_broker(
            settings.redis_url,
            consumer=self.consumer,
            max_deliveries=settings.max_deliveries,
            reclaim_idle_ms=settings.reclaim_idle_ms,
            submit=self.projection.group_commit.submit,
            flush_pages=self._flush_queued_pages,
            streams=self.streams,
            cluster=settings.redis_cluster,
        )
        # A batch of PageChanged goes out in one round trip on this client (on a cluster, one
        # MULTI/EXEC on the pages stream's master: see PagePublisher).
        self.publish_pages = PagePublisher(pages_publisher, self.redis)
        self.page_builder_lease = RedisLease(
            self.redis, PAGE_BUILDER_LEASE, ttl_s=settings.page_build_lease_s
        )
        self.maintenance_every = maintenance_every
        self._maintainer: BackgroundLoop | None = None
        self._page_builder: BackgroundLoop | None = None
        self._groups = contextlib.AsyncExitStack()

    async def _flush_queued_pages(self) -> int:
        return await self.projection.page_outbox.flush(self.publish_pages, only_if_queued_here=True)

    def site(self, page_cache_size: int = 1024) -> Site:
        """What the HTTP routes use; `page_cache_size` built documents are kept (0: none)."""
        # The HTTP side is imported where it is built: `replay` and `migrate` start faster.
        from newsroom.render.adapters.page_cache import PageCache
        from newsroom.render.application.read_article import ArticleDocuments
        from newsroom.render.application.read_lists import ListPages
        from newsroom.render.application.read_pages import PageReads
        from newsroom.render.entrypoints.kept import KeptPages
        from newsroom.render.entrypoints.site import Site

        return Site(
            public_base_url=self.public_base_url,
            publisher=self.article_pages.publisher,
            pages=PageReads(self.read_model, self.clock, sitemap_urls=self.settings.sitemap_urls),
            lists=ListPages(self.read_model, PageCache(max(page_cache_size // 4, 0))),
            articles=ArticleDocuments(
                self.read_model,
                PageCache(page_cache_size),
                self.clock,
                page_build=self.article_pages.build,
            ),
            readiness=partial(readiness, self.redis, self.database.engine),
            kept=KeptPages(
                self.read_model_version, self.clock, page_cache_size + page_cache_size // 4
            ),
            article_pages=self.article_pages,
        )

    async def start(self) -> None:
        # Groups at 0 before subscribing (waiting for a Redis still starting): items published
        # before the first start are read, and a restart resumes from where the group stands.
        await self._groups.enter_async_context(
            consumer_groups(self.redis, render_groups(self.streams), shards=self.streams.count)
        )
        # FastStream starts the subscribers before the publishers: an entry handled at once
        # would flush its PageChanged through a publisher not started yet ("Producer is unset
        # yet"), fail and wait for redelivery. So the publishers first (started again after: that
        # only builds their producer again).
        await self.broker.connect()
        for publisher in self.broker.publishers:
            await publisher.start()
        await self.broker.start()
        self._maintainer = BackgroundLoop("render-maintenance", self._maintenance)
        if self.settings.page_build_interval_s > 0:
            self._page_builder = BackgroundLoop("render-page-builder", self._build_pages)
        log.info("render_started", consumer=self.consumer)

    async def stop(self) -> None:
        for loop in (self._maintainer, self._page_builder):
            if loop is not None:
                await loop.stop()
        self._maintainer = self._page_builder = None
        await self._groups.aclose()  # the lag watcher
        await self.broker.stop()
        await self.close()
        log.info("render_stopped")

    async def close(self) -> None:
        """Close the connections (what `stop` does after the broker; alone for a runtime that
        was never started)."""
        await self.redis.aclose()
        await self.read_model_version.close()
        await self.read_model.close()
        await self.database.dispose()

    async def maintain_once(self) -> None:
        """Announce embargoes that lifted by the clock, and send waiting PageChanged."""
        await self.projection.announce_lifted_embargoes()
        await self.projection.page_outbox.flush(self.publish_pages)

    async def _maintenance(self, stopping: asyncio.Event) -> None:
        # Whatever fails, the loop must go on: it alone announces lifted embargoes and sends
        # PageChanged left in the outbox (stop() ends it by its event).
        await _every(stopping, self.maintenance_every, self.maintain_once, "maintenance")

    async def build_missing_pages(self) -> bool:
        """Store the pages of the stories that have none of this process's build (after a
        replay, or a deploy that changed how pages look), sharing the projector's write slot;
        one replica at a time (False: another replica holds the builder's lease)."""
        stats = await build_pages_leased(
            self.page_builder_lease,
            SqlPageBuildStore(self.projection.unit_of_work),
            self.article_pages,
        )
        if stats is None:
            log.debug("article_pages_built_elsewhere")
            return False
        PAGES_BUILT.inc(stats.stored)
        if stats.stories:
            log.info("article_pages_built", stories=stats.stories, stored=stats.stored)
        return True

    async def _build_pages(self, stopping: asyncio.Event) -> None:
        # Requests build the pages meanwhile; a failed round is tried again the next time. A
        # round skipped for another replica's is tried again once that one's lease could have
        # expired: its holder may have died (a restart after a crash finds its own lease).
        interval = self.settings.page_build_interval_s
        retry = min(interval, self.page_builder_lease.ttl_s)

        async def round_() -> float:
            return interval if await self.build_missing_pages() else retry

        await _every(stopping, interval, round_, "page_build")

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


async def _every(
    stopping: asyncio.Event,
    seconds: float,
    work: Callable[[], Awaitable[float | None]],
    stage: str,
) -> None:
    """`work` now and every `seconds` (or as long as a round returns) until `stopping` is set;
    a failed round is counted and logged (as `stage`), and the loop goes on."""
    while not stopping.is_set():
        wait = seconds
        try:
            wait = await work() or seconds
        except Exception as exc:
            FAILURES.labels(stage).inc()
            MAINTENANCE_FAILURES.labels(type(exc).__name__).inc()
            log.error(f"{stage}_failed", error=repr(exc)[:300], exc_info=exc)
        await pause(stopping, wait)


def build_app(
    runtime: RenderRuntime, *, page_cache_size: int = 1024, serve_streams: bool = True
) -> FastAPI:
    """The HTTP app; with `serve_streams` its lifespan runs the whole service (subscribers,
    maintenance), without it only pages are served (the benchmark's page runs)."""
    from newsroom.render.entrypoints import api, assets, middleware, openapi, ops, pages, problems
    from newsroom.render.entrypoints.kept import RenderApp

    app = RenderApp(
        title="Newsroom render",
        version="1.0.0",
        lifespan=runtime.lifespan if serve_streams else None,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.site = runtime.site(page_cache_size)
    problems.install(app, runtime.public_base_url)
    for router in (ops.router, assets.router, pages.router, api.router):
        app.include_router(router)
    app.mount(assets.STATIC_PATH, assets.static_files)
    middleware.install(app)
    openapi.install(app)
    return app


# ---------------------------------------------------------------- commands


@asynccontextmanager
async def replay_sources(
    settings: RenderSettings,
    database_url: str,
    *,
    partition: Partition = WHOLE_LOG,
    open_target: Callable[[str], UnitOfWorkRunner] = open_read_model,
) -> AsyncIterator[tuple[EventLog, UnitOfWorkRunner]]:
    """The event log (of `partition`'s articles) and the read model at `database_url`
    (opened by `open_target`) a replay rebuilds. The log is the event store at
    ARCHIVE_DATABASE_URL and then the streams at REDIS_URL, or (no archive) the streams
    alone."""
    redis = create_redis_client(settings.redis_url, cluster=settings.redis_cluster)
    streams = list(StreamShards(settings.stream_shards).event_log_streams)
    runner = open_target(database_url)
    archive = (
        EventStore.open(settings.archive_database_url) if settings.archive_database_url else None
    )
    try:
        if archive is None:
            yield RedisStreamLog(redis, streams, partition=partition), runner
        else:
            await archive.create_schema()
            yield ArchiveAndTailLog(archive, redis, streams, partition=partition), runner
    finally:
        await redis.aclose()
        await runner.dispose()
        if archive is not None:
            await archive.close()


async def _not_serving(*_: RenderEvent) -> ApplyResult:
    raise RuntimeError("the contract broker describes the streams; it handles nothing")


async def _nothing_to_flush() -> int:
    raise RuntimeError("the contract broker describes the streams; it handles nothing")


def contract_broker(settings: RenderSettings) -> RedisBroker:
    """The broker as the AsyncAPI document describes it: a fixed consumer name and server (the
    document describes the contract, not a process), never connected."""
    broker, _ = build_broker(
        "redis://localhost:6379",
        consumer="render-{process}",
        max_deliveries=settings.max_deliveries,
        reclaim_idle_ms=settings.reclaim_idle_ms,
        submit=_not_serving,
        flush_pages=_nothing_to_flush,
    )
    return broker
