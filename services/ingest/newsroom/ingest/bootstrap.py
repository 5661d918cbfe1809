"""The one place that wires settings, database, broker, relay and the HTTP app."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import structlog
from fastapi import FastAPI
from faststream.redis import RedisBroker
from redis.asyncio import Redis
from sqlalchemy import text

from newsroom.ingest.adapters.database import Database
from newsroom.ingest.adapters.inbox import InboxStore, Outbox
from newsroom.ingest.adapters.metrics import OUTBOX_BACKLOG, REDIS_REACHABLE
from newsroom.ingest.adapters.publisher import (
    EventPublisher,
    RedisEventPublisher,
    create_broker,
    create_redis_client,
)
from newsroom.ingest.adapters.relay import OutboxRelay
from newsroom.ingest.application import IngestService, WireParser
from newsroom.ingest.domain.signatures import standard_webhooks_key
from newsroom.ingest.entrypoints.http import DependencyStatus, RequestContextMiddleware, router
from newsroom.ingest.entrypoints.problems import install_problem_handlers
from newsroom.shared.settings import IngestSettings, SignatureScheme

log = structlog.get_logger(__name__)

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


def create_app(
    settings: IngestSettings,
    *,
    parser: WireParser | None = None,
    publisher: EventPublisher | None = None,
    clock: Callable[[], float] = time.time,
    relay_poll_interval: float = 1.0,
    relay_max_backoff: float = 5.0,
) -> FastAPI:
    """The ingest HTTP app. `parser` defaults to the real wire-format parser; `publisher`
    defaults to FastStream's RedisBroker at REDIS_URL (tests inject fakes for both). The
    database schema must exist (`newsroom-ingest migrate`; `serve` runs it first)."""
    check_source_secrets(settings)
    database = Database(settings.database_url)
    broker: RedisBroker | None = None
    redis_client: Redis | None = None
    if publisher is None:
        broker = create_broker(settings.redis_url)
        redis_client = create_redis_client(settings.redis_url)
        publisher = RedisEventPublisher(broker, redis_client)
    outbox = Outbox(database)
    relay = OutboxRelay(
        outbox, publisher, poll_interval=relay_poll_interval, max_backoff=relay_max_backoff
    )
    inbox = InboxStore(database)
    service = IngestService(
        settings,
        parser=parser or default_parser(),
        inbox=inbox,
        on_recorded=relay.notify,
        clock=clock,
    )

    async def database_ready() -> bool:
        await database.read(lambda connection: connection.execute(text("SELECT 1")))
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
            return await asyncio.wait_for(outbox.backlog(), timeout=2.0)
        except Exception:
            return None

    async def dependency_status() -> DependencyStatus:
        """Probe Redis and count the outbox; keep their gauges current."""
        reachable, backlog = await asyncio.gather(redis_reachable(), outbox_backlog())
        REDIS_REACHABLE.set(1 if reachable else 0)
        if backlog is not None:
            OUTBOX_BACKLOG.set(backlog)
        return DependencyStatus(redis_reachable=reachable, outbox_backlog=backlog)

    async def forget_old_deliveries() -> None:
        while True:
            await asyncio.sleep(DELIVERY_PRUNE_INTERVAL.total_seconds())
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
        housekeeping = asyncio.create_task(forget_old_deliveries(), name="forget-deliveries")
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await relay.stop()
            if broker is not None:
                await broker.stop()
            if redis_client is not None:
                await redis_client.aclose()
            await database.dispose()

    app = FastAPI(
        title="Newsroom ingest",
        version="1.0.0",
        description="Signed wire webhooks in; ArticleReceived/Updated/Withdrawn out.",
        lifespan=lifespan,
    )
    app.state.ingest = service
    app.state.relay = relay
    app.state.database = database
    app.state.public_base_url = settings.public_base_url
    app.state.known_sources = frozenset(settings.newsroom_sources)
    # Only the database gates readiness: without Redis, deliveries wait in the outbox.
    app.state.readiness_checks = {"database": database_ready}
    app.state.dependency_probe = dependency_status
    app.include_router(router)
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    return app
