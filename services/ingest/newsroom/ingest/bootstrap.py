"""The one place that builds ingest from settings: the unit-of-work runner, the broker and the
Redis client, the outbox relay, the use case and the HTTP app."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import structlog
from fastapi import FastAPI
from faststream import FastStream
from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI
from redis.asyncio import Redis, RedisCluster
from sqlalchemy import text

from newsroom.ingest.adapters.database import OUTBOX, RELAY_LOCK_KEY
from newsroom.ingest.adapters.inbox import SqlInbox
from newsroom.ingest.adapters.metrics import OUTBOX_BACKLOG, REDIS_REACHABLE, RELAY_METRICS
from newsroom.ingest.application.ports import WireParser
from newsroom.ingest.application.receive_delivery import ReceiveDelivery
from newsroom.ingest.domain.signatures import standard_webhooks_key
from newsroom.ingest.entrypoints import openapi, streams
from newsroom.ingest.entrypoints.bodies import BodyBudget
from newsroom.ingest.entrypoints.http import (
    INTERNAL_ERROR_DETAIL,
    PROBLEM_DESCRIPTIONS,
    DependencyStatus,
    RequestContextMiddleware,
    observe_problem,
    router,
)
from newsroom.ingest.entrypoints.redis_loss import republishing_after_redis_loss
from newsroom.shared.outbox import (
    ClusterOutboxPublisher,
    OutboxPublisher,
    OutboxRelay,
    RedisOutboxPublisher,
)
from newsroom.shared.problems.fastapi import COMMON_DESCRIPTIONS, install_problem_handlers
from newsroom.shared.settings import IngestSettings, SignatureScheme
from newsroom.shared.sql import UnitOfWorkRunner
from newsroom.shared.streaming.background import BackgroundLoop, pause
from newsroom.shared.streaming.consumers import create_broker, create_redis_client
from newsroom.shared.streaming.shard_count import ShardCountCheckedPublisher
from newsroom.shared.streams import STREAM_MAXLEN, StreamShards

log = structlog.get_logger(__name__)

SERVICE = "ingest"
# Webhook ids are remembered this long (replays are answered "duplicate" with reason webhook-id;
# later ones still by version), and forgotten by a background task every interval.
DELIVERY_RETENTION = timedelta(days=7)
DELIVERY_PRUNE_INTERVAL = timedelta(hours=1)


def default_parser() -> WireParser:
    from newsroom.ingest.domain.formats import parse_wire_items

    return parse_wire_items


def check_source_secrets(settings: IngestSettings) -> None:
    """Fail at start, not at the first delivery, when a Standard Webhooks secret is not
    `whsec_<base64>`."""
    for name, source in settings.newsroom_sources.items():
        if source.scheme is SignatureScheme.STANDARD_WEBHOOKS:
            for secret in source.secrets:
                try:
                    standard_webhooks_key(secret)
                except ValueError as exc:
                    raise ValueError(f"source {name!r}: {exc}") from exc


def outbox_publisher(
    settings: IngestSettings, broker: RedisBroker, redis_client: Redis
) -> OutboxPublisher:
    """On one Redis, FastStream onto a MULTI/EXEC pipeline; on a cluster, one MULTI/EXEC and
    WAIT per shard on its master (`ClusterOutboxPublisher`)."""
    publisher: OutboxPublisher
    if settings.redis_cluster:
        publisher = ClusterOutboxPublisher(
            cast(RedisCluster, redis_client),
            maxlen=STREAM_MAXLEN,
            min_replicas=settings.redis_min_replicas,
        )
    else:
        publisher = RedisOutboxPublisher(broker, redis_client, maxlen=STREAM_MAXLEN)
    return ShardCountCheckedPublisher(publisher, redis_client, settings.stream_shards)


def create_app(
    settings: IngestSettings,
    *,
    parser: WireParser | None = None,
    publisher: OutboxPublisher | None = None,
    clock: Callable[[], float] = time.time,
    relay_poll_interval: float = 1.0,
    relay_max_backoff: float = 5.0,
) -> FastAPI:
    """The ingest HTTP app. `parser` defaults to the real wire-format parser; `publisher`
    defaults to FastStream's RedisBroker at REDIS_URL (tests inject fakes for both). The
    database schema must exist (`newsroom-ingest migrate`; `serve` runs it first)."""
    check_source_secrets(settings)
    # synchronous=FULL: a 202 promises the delivery survives a power loss.
    runner = UnitOfWorkRunner(settings.database_url, synchronous="FULL", name="inbox")
    broker: RedisBroker | None = None
    redis_client: Redis | None = None
    if publisher is None:
        broker = create_broker(
            settings.redis_url,
            service=SERVICE,
            routers=[streams.build_router()],
            cluster=settings.redis_cluster,
        )
        redis_client = create_redis_client(settings.redis_url, cluster=settings.redis_cluster)
        publisher = outbox_publisher(settings, broker, redis_client)
    relay = OutboxRelay(
        OUTBOX,
        runner,
        publisher,
        RELAY_METRICS,
        lock_key=RELAY_LOCK_KEY,
        poll_interval=relay_poll_interval,
        max_backoff=relay_max_backoff,
    )
    inbox = SqlInbox(runner)
    service = ReceiveDelivery(
        sources=settings.newsroom_sources,
        signature_tolerance_seconds=settings.signature_tolerance_seconds,
        parser=parser or default_parser(),
        inbox=inbox,
        on_recorded=relay.notify,
        clock=clock,
        streams=StreamShards(settings.stream_shards),
    )

    async def database_ready() -> bool:
        await runner.read(lambda connection: connection.execute(text("SELECT 1")))
        return True

    async def redis_reachable() -> bool:
        if broker is None:
            return True  # an injected publisher (tests) has no Redis to ask
        try:
            return await asyncio.wait_for(broker.ping(timeout=1.0), timeout=2.0)
        except Exception:
            return False

    async def outbox_backlog() -> int | None:
        try:
            return await asyncio.wait_for(relay.backlog(), timeout=2.0)
        except Exception:
            return None

    async def dependency_status() -> DependencyStatus:
        """Probe Redis and count the outbox; keep their gauges current."""
        reachable, backlog = await asyncio.gather(redis_reachable(), outbox_backlog())
        REDIS_REACHABLE.set(1 if reachable else 0)
        if backlog is not None:
            OUTBOX_BACKLOG.set(backlog)
        return DependencyStatus(redis_reachable=reachable, outbox_backlog=backlog)

    async def forget_old_deliveries(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await pause(stopping, DELIVERY_PRUNE_INTERVAL.total_seconds())
            if stopping.is_set():
                return
            try:
                cutoff = datetime.fromtimestamp(clock(), UTC) - DELIVERY_RETENTION
                await inbox.forget_deliveries(cutoff)
            except Exception as exc:  # housekeeping must never take the service down
                log.warning("forget_deliveries_failed", error=repr(exc)[:300])

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if broker is not None:
            # Connecting does not need Redis up: the relay retries until it answers.
            await broker.connect()
        relay.start()
        housekeeping = BackgroundLoop("forget-deliveries", forget_old_deliveries)
        # With the event store known, what Redis loses is re-published (entrypoints.redis_loss).
        recovery: contextlib.AbstractAsyncContextManager[object] = contextlib.nullcontext()
        if settings.archive_database_url and redis_client is not None:
            recovery = republishing_after_redis_loss(
                settings.archive_database_url,
                runner,
                relay.notify,
                redis_client,
                streams=StreamShards(settings.stream_shards),
            )
        try:
            async with recovery:
                yield
        finally:
            await housekeeping.stop()
            await relay.stop()
            if broker is not None:
                await broker.stop()
            if redis_client is not None:
                await redis_client.aclose()
            await runner.dispose()

    app = FastAPI(
        title="Newsroom ingest",
        version="1.0.0",
        description="Signed wire webhooks in; ArticleReceived/Updated/Withdrawn out.",
        lifespan=lifespan,
    )
    app.state.ingest = service
    app.state.max_body_bytes = settings.max_body_bytes
    app.state.body_budget = BodyBudget(settings.max_body_bytes_in_flight)
    app.state.body_read_timeout_seconds = settings.body_read_timeout_seconds
    app.state.render_base_url = settings.render_base_url
    app.state.known_sources = frozenset(settings.newsroom_sources)
    # Only the database gates readiness: without Redis, deliveries wait in the outbox.
    app.state.readiness_checks = {"database": database_ready}
    app.state.dependency_probe = dependency_status
    app.include_router(router)
    install_problem_handlers(
        app,
        public_base_url=settings.public_base_url,
        descriptions=PROBLEM_DESCRIPTIONS,
        internal_error_detail=INTERNAL_ERROR_DETAIL,
        observe=observe_problem,
    )
    openapi.install(app, {**COMMON_DESCRIPTIONS, **PROBLEM_DESCRIPTIONS})
    app.add_middleware(RequestContextMiddleware)
    return app


def asyncapi_document() -> str:
    """AsyncAPI 3.0 JSON of the events ingest publishes. Built against the default Redis URL,
    not the environment's, so the document kept in the repo does not depend on who generates it."""
    default_url = str(IngestSettings.model_fields["redis_url"].default)
    app = FastStream(
        create_broker(default_url, service=SERVICE, routers=[streams.build_router()]),
        specification=AsyncAPI(
            title="newsroom-ingest",
            version="1.0.0",
            description="Events Newsroom's ingest service appends to Redis streams.",
            schema_version="3.0.0",
        ),
    )
    document = json.loads(app.schema.to_specification().to_json())
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
