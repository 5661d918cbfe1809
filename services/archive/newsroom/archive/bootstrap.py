"""The one place that builds the archive service from settings: the event store, the broker
with its consumers, the trimmer, the status figures and the ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import structlog
from faststream.asgi import AsgiFastStream
from faststream.specification import AsyncAPI
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from newsroom.archive.adapters.gauges import publish_status, publish_trim
from newsroom.archive.adapters.outbox_backlog import IngestOutboxBacklog
from newsroom.archive.adapters.redis_streams import RedisStreamFigures, RedisStreams
from newsroom.archive.application.archive_batch import ArchiveBatch
from newsroom.archive.application.archive_event import ArchiveEvent
from newsroom.archive.application.status import CollectStatus, Status
from newsroom.archive.application.trim_streams import StreamTrim, TrimStreams
from newsroom.archive.entrypoints.http import routes
from newsroom.archive.entrypoints.streams import stream_router
from newsroom.shared.eventstore import EventStore
from newsroom.shared.logging import configure_logging
from newsroom.shared.settings import ArchiveSettings
from newsroom.shared.streaming.background import BackgroundLoop, pause
from newsroom.shared.streaming.consumers import (
    consumer_groups,
    create_broker,
    create_redis_client,
)
from newsroom.shared.streaming.groups import consumer_name, ensure_groups
from newsroom.shared.streams import (
    ARCHIVE_GROUP,
    DEAD_LETTERS_STREAM,
    ENRICH_GROUP,
    RENDER_GROUP,
    ConsumerGroup,
    StreamShards,
)

SERVICE = "archive"
log = structlog.get_logger(__name__)


def declared_groups(streams: StreamShards) -> list[ConsumerGroup]:
    """Every consumer group of the system on every shard's event-log streams."""
    return [
        *streams.articles_groups(ENRICH_GROUP),
        *streams.articles_groups(RENDER_GROUP),
        *streams.enriched_groups(RENDER_GROUP),
        *streams.articles_groups(ARCHIVE_GROUP),
        *streams.enriched_groups(ARCHIVE_GROUP),
    ]


def collect_status(
    store: EventStore, redis: Redis, outbox_backlog: IngestOutboxBacklog
) -> CollectStatus:
    return CollectStatus(
        store,
        RedisStreams(redis),
        RedisStreamFigures(redis),
        outbox_backlog,
        dead_letters_stream=DEAD_LETTERS_STREAM,
    )


class ArchiveService:
    """Everything one archive process holds. The schema exists before the broker subscribes."""

    def __init__(self, settings: ArchiveSettings, consumer: str | None = None) -> None:
        self.settings = settings
        self.consumer = consumer or consumer_name(SERVICE)
        self.store = EventStore.open(settings.database_url)
        self.streams = StreamShards(settings.stream_shards)
        self.redis: Redis = create_redis_client(settings.redis_url, cluster=settings.redis_cluster)
        self.outbox_backlog = IngestOutboxBacklog(settings.ingest_database_url)
        self.trim = TrimStreams(
            self.store, RedisStreams(self.redis), retention=settings.stream_retention
        )
        self.status = collect_status(self.store, self.redis, self.outbox_backlog)
        self.broker = create_broker(
            settings.redis_url,
            service=SERVICE,
            max_deliveries=settings.max_deliveries,
            routers=[
                stream_router(
                    consumer=self.consumer,
                    reclaim_idle_ms=settings.reclaim_idle_ms,
                    store=ArchiveEvent(self.store),
                    store_batch=ArchiveBatch(self.store),
                    streams=self.streams,
                )
            ],
            cluster=settings.redis_cluster,
        )
        self._groups = contextlib.AsyncExitStack()
        self._trimmer: BackgroundLoop | None = None

    async def trim_once(self) -> list[StreamTrim]:
        # Every group the system declares exists before a trim, so a service that has not
        # started yet (or has not recreated its group after Redis lost it) holds trimming
        # back at 0 instead of finding its events gone.
        await ensure_groups(self.redis, declared_groups(self.streams))
        trims = await self.trim(self.streams.event_log_streams)
        for trim in trims:
            publish_trim(trim)
        return trims

    async def _trim_until(self, stopping: asyncio.Event) -> None:
        """Trims every interval until `stopping` is set; an outage (Redis, the database) is
        logged, never fatal."""
        while not stopping.is_set():
            try:
                await self.trim_once()
            except (RedisError, SQLAlchemyError, OSError) as exc:
                log.warning("trim_failed", error=repr(exc)[:300])
            await pause(stopping, self.settings.trim_interval_seconds)

    async def collect(self) -> Status:
        return await self.status(self.streams.event_log_streams)

    async def refresh_gauges(self) -> None:
        with contextlib.suppress(RedisError, SQLAlchemyError, OSError):
            publish_status(await self.collect())

    async def redis_answers(self) -> bool:
        try:
            return await asyncio.wait_for(self.broker.ping(timeout=1.0), timeout=2.0)
        except Exception:
            return False

    async def database_answers(self) -> bool:
        try:
            await asyncio.wait_for(
                self.store.runner.read(lambda connection: connection.execute(text("SELECT 1"))),
                timeout=2.0,
            )
        except Exception:
            return False
        return True

    async def on_startup(self) -> None:
        configure_logging(SERVICE, self.settings.log_level, self.settings.log_format)
        await self.store.create_schema()
        await self._groups.enter_async_context(
            consumer_groups(
                self.redis,
                [
                    *self.streams.articles_groups(ARCHIVE_GROUP),
                    *self.streams.enriched_groups(ARCHIVE_GROUP),
                ],
                shards=self.streams.count,
            )
        )
        self._trimmer = BackgroundLoop("stream-trimmer", self._trim_until)
        log.info(
            "archive_starting",
            consumer=self.consumer,
            stream_retention=self.settings.stream_retention,
        )

    async def on_shutdown(self) -> None:
        if self._trimmer is not None:
            await self._trimmer.stop()
        await self._groups.aclose()

    async def after_shutdown(self) -> None:
        # The broker has stopped and in-flight handlers are done: the store can close.
        await self.store.close()
        await self.outbox_backlog.close()
        await self.redis.aclose()
        log.info("archive_stopped", consumer=self.consumer)

    def app(self) -> AsgiFastStream:
        checks = {"redis": self.redis_answers, "database": self.database_answers}
        return AsgiFastStream(
            self.broker,
            asgi_routes=routes(
                checks, self.refresh_gauges, public_base_url=self.settings.public_base_url
            ),
            logger=logging.getLogger("newsroom.archive.app"),
            on_startup=[self.on_startup],
            on_shutdown=[self.on_shutdown],
            after_shutdown=[self.after_shutdown],
            specification=AsyncAPI(
                title="newsroom-archive",
                version="1.0.0",
                description="Every event of the event log stored once; the streams trimmed.",
                schema_version="3.0.0",
            ),
            asyncapi_path="/docs/asyncapi",
        )


def create_app(settings: ArchiveSettings | None = None) -> AsgiFastStream:
    """The ASGI app uvicorn serves (`newsroom-archive serve`)."""
    return ArchiveService(settings or ArchiveSettings()).app()
