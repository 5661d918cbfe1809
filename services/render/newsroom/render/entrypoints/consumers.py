"""Stream subscribers: the articles and enriched streams in render's groups, each with a
reclaim subscriber for a dead replica's pending entries; PageChanged goes to the pages stream."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import structlog
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.prometheus import RedisPrometheusMiddleware
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from newsroom.render.domain.projection import RenderEvent
from newsroom.render.metrics import FAILURES, PAGE_CHANGES
from newsroom.render.service import Projector
from newsroom.shared.events import ArticleEvent, EnrichedEvent, PageChanged
from newsroom.shared.streaming.dead_letters import dead_letter_middleware
from newsroom.shared.streaming.log_context import LogContextMiddleware
from newsroom.shared.streams import PAGES_MAXLEN, RENDER_ARTICLES, RENDER_ENRICHED, pages_stream

log = structlog.get_logger(__name__)

MAX_RECORDS = 50
POLLING_INTERVAL_MS = 100
# Messages handled at once per subscriber: their events reach the projector together and are
# committed in one transaction (Projector.submit), while each message keeps its own ack,
# retry and dead letter. Order does not matter to the projection.
CONCURRENT_HANDLERS = 50


class PagePublisher:
    """Sends PageChanged to the pages stream (an AsyncAPI-documented publisher), in order.
    Given a Redis client, a batch goes out as one pipeline (one round trip instead of one
    per event; not a MULTI: a failure midway leaves the rest in the outbox, sent again)."""

    def __init__(self, broker: RedisBroker, redis: Redis | None = None) -> None:
        self._redis = redis
        self._publisher = broker.publisher(
            # Notifications, not history: bounded (the event log streams are never trimmed).
            stream=StreamSub(pages_stream(), maxlen=PAGES_MAXLEN),
            schema=PageChanged,
            title="render.pages",
            description="PageChanged: a page's content changed; caches purge exactly that URL.",
        )

    async def __call__(self, events: Sequence[PageChanged]) -> None:
        if self._redis is None:
            for event in events:
                await self._publish(event, None)
        else:
            async with self._redis.pipeline(transaction=False) as pipe:
                for event in events:
                    await self._publish(event, pipe)
                await pipe.execute()
        PAGE_CHANGES.inc(len(events))

    async def _publish(self, event: PageChanged, pipe: Pipeline | None) -> None:
        await self._publisher.publish(
            event.to_message(),
            headers={"message_id": event.id},
            correlation_id=event.correlationid,
            pipeline=pipe,
        )


def build_broker(
    *,
    redis_url: str,
    projector: Projector,
    consumer: str,
    max_deliveries: int,
    reclaim_idle_ms: int,
    graceful_timeout: float = 20.0,
    redis: Redis | None = None,
) -> tuple[RedisBroker, PagePublisher]:
    broker = RedisBroker(
        redis_url,
        graceful_timeout=graceful_timeout,
        # Through stdlib logging, so configure_logging's JSON handler renders it; per-message
        # "Received/Processed" lines are debug: the projector logs what matters.
        logger=logging.getLogger("newsroom.render.broker"),
        log_level=logging.DEBUG,
        middlewares=[
            LogContextMiddleware,
            dead_letter_middleware(max_deliveries),
            RedisPrometheusMiddleware(registry=REGISTRY, app_name="render"),
        ],
    )
    publish_pages = PagePublisher(broker, redis)

    async def handle(event: RenderEvent) -> None:
        result = await projector.submit(event)
        if not result.page_changes:
            return  # leftovers of an earlier failure are sent by the periodic flusher
        try:
            # The first handler of a group sends the whole group's PageChanged; the others
            # find nothing queued and skip the database.
            await projector.flush_outbox(publish_pages, only_if_queued_here=True)
        except (RedisError, OSError) as exc:
            # The change is committed and the PageChanged waits in the outbox; the periodic
            # flusher sends it once Redis answers. The event itself is done: ack it.
            FAILURES.labels("publish-pages").inc()
            log.warning("page_changes_deferred", error=repr(exc)[:300])

    def stream_sub(stream: str, group: str, reclaim: bool) -> StreamSub:
        return StreamSub(
            stream,
            group=group,
            consumer=f"{consumer}-reclaim" if reclaim else consumer,
            max_records=1 if reclaim else MAX_RECORDS,
            polling_interval=POLLING_INTERVAL_MS,
            # The reclaim subscriber only XAUTOCLAIMs entries a dead replica left pending.
            min_idle_time=reclaim_idle_ms if reclaim else None,
        )

    # The shared contracts: ArticleEvent upcasts older versions before its discriminator.
    async def on_article(event: ArticleEvent) -> None:
        await handle(event)

    async def on_enriched(event: EnrichedEvent) -> None:
        await handle(event)

    for reclaim in (False, True):
        suffix = ".reclaim" if reclaim else ""
        # The reclaim subscribers take one entry at a time (XAUTOCLAIM count=1): no concurrency.
        workers = 1 if reclaim else CONCURRENT_HANDLERS
        broker.subscriber(
            stream=stream_sub(RENDER_ARTICLES.stream, RENDER_ARTICLES.group, reclaim),
            max_workers=workers,
            title=f"render.articles{suffix}",
            description="Article versions and withdrawals to project"
            + (" (entries a dead replica left pending)" if reclaim else "."),
        )(on_article)
        broker.subscriber(
            stream=stream_sub(RENDER_ENRICHED.stream, RENDER_ENRICHED.group, reclaim),
            max_workers=workers,
            title=f"render.enriched{suffix}",
            description="Entities and timelines of article versions"
            + (" (entries a dead replica left pending)" if reclaim else "."),
        )(on_enriched)

    return broker, publish_pages
