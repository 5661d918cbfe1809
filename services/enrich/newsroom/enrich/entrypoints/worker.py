"""The enrich worker: a FastStream consumer of the articles stream, served as an ASGI app with
/healthz, /readyz and /metrics.

- The group is created at 0 with MKSTREAM before the broker subscribes (shared
  `ensure_groups`), so articles published before the first start are processed and a restart
  neither loses entries nor busy-loops.
- Each process reads under a unique consumer name, `max_records` at a time, and handles up to
  that many messages concurrently; their articles meet in one `nlp.pipe` batch.
- A reclaim subscriber in the same group (XAUTOCLAIM after `reclaim_idle_ms`) runs the same use
  case, so a dead worker's pending entries are processed by another.
- Poison events go to the dead-letter stream at once, others after `max_deliveries`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import structlog
from faststream import AckPolicy
from faststream.asgi import AsgiFastStream, AsgiResponse, get
from faststream.asgi.types import ASGIApp, Scope
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.prometheus import RedisPrometheusMiddleware
from faststream.specification import AsyncAPI
from prometheus_client import REGISTRY, Counter, make_asgi_app
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from newsroom.enrich import __version__
from newsroom.enrich.adapters.batching import MicroBatcher
from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.application.enrich_article import enrich_article_event
from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult
from newsroom.shared.events import ArticleEnriched, ArticleEvent
from newsroom.shared.logging import configure_logging
from newsroom.shared.settings import EnrichSettings
from newsroom.shared.streaming.dead_letters import dead_letter_middleware
from newsroom.shared.streaming.groups import consumer_name, ensure_groups, prune_stale_consumers
from newsroom.shared.streaming.lag import watch_lag
from newsroom.shared.streaming.log_context import LogContextMiddleware
from newsroom.shared.streams import ENRICH_ARTICLES, STREAM_MAXLEN, enriched_stream

SERVICE = "enrich"
log = structlog.get_logger(__name__)

ARTICLES_ENRICHED = Counter(
    "newsroom_articles_enriched_total", "ArticleEnriched events published", ["model"]
)
_PROMETHEUS: list[RedisPrometheusMiddleware] = []


def _prometheus() -> RedisPrometheusMiddleware:
    # Its metrics live in the process-wide registry: one middleware per process.
    if not _PROMETHEUS:
        _PROMETHEUS.append(RedisPrometheusMiddleware(registry=REGISTRY, app_name="newsroom-enrich"))
    return _PROMETHEUS[0]


def _json(
    status: int, body: dict[str, Any], content_type: str = "application/json"
) -> AsgiResponse:
    return AsgiResponse(
        json.dumps(body).encode(), status_code=status, headers={"content-type": content_type}
    )


class EnrichWorker:
    """Everything one worker process wires together: broker, model, batcher, app."""

    def __init__(self, settings: EnrichSettings, consumer: str | None = None) -> None:
        self.settings = settings
        self.consumer = consumer or consumer_name(SERVICE)
        self.enricher: Enricher | None = None
        self.batcher: MicroBatcher[ArticleTexts, EnrichmentResult] | None = None
        self._lag_task: asyncio.Task[None] | None = None
        self._redis: Redis | None = None
        self.broker = RedisBroker(
            settings.redis_url,
            # A half-open connection must fail (and be retried) rather than hang the worker;
            # well above the blocking read's polling interval (100 ms).
            socket_timeout=10.0,
            socket_connect_timeout=5.0,
            graceful_timeout=20.0,
            # Through the root logger, i.e. the service's JSON logs.
            logger=logging.getLogger("newsroom.enrich.broker"),
            middlewares=[
                _prometheus(),
                LogContextMiddleware,
                dead_letter_middleware(settings.max_deliveries),
            ],
        )
        self.publisher = self.broker.publisher(
            stream=StreamSub(enriched_stream(), maxlen=STREAM_MAXLEN),
            schema=ArticleEnriched,
            title="enriched",
            description="ArticleEnriched: entities and timeline of one article version.",
        )
        group = ENRICH_ARTICLES
        batch = max(1, settings.enrich_batch_size)
        self.broker.subscriber(
            stream=StreamSub(
                group.stream,
                group=group.group,
                consumer=self.consumer,
                max_records=batch,
                polling_interval=500,
            ),
            max_workers=batch,
            ack_policy=AckPolicy.REJECT_ON_ERROR,
            title="articles",
            description="Article versions to enrich (withdrawals are skipped).",
        )(self.handle)
        self.broker.subscriber(
            stream=StreamSub(
                group.stream,
                group=group.group,
                consumer=f"{self.consumer}-reclaim",
                min_idle_time=settings.reclaim_idle_ms,
                max_records=1,
                polling_interval=1000,
            ),
            ack_policy=AckPolicy.REJECT_ON_ERROR,
            title="articles-reclaim",
            description="Entries another worker left pending longer than reclaim_idle_ms.",
        )(self.handle)

    async def handle(self, event: ArticleEvent) -> None:
        """One article event: enrich it and publish the result (with its deterministic id)."""
        enriched = await enrich_article_event(event, self._enrich, self._model())
        if enriched is None:
            return
        await self.publisher.publish(
            enriched.to_message(),
            headers={"message_id": enriched.id},
            correlation_id=enriched.correlationid,
        )
        ARTICLES_ENRICHED.labels(enriched.data.model).inc()
        log.info(
            "article_enriched",
            enriched_id=enriched.id,
            entities=len(enriched.data.entities),
            timeline=len(enriched.data.timeline),
        )

    def _model(self) -> str:
        return self.enricher.model if self.enricher is not None else self.settings.spacy_model

    async def _enrich(self, texts: ArticleTexts) -> EnrichmentResult:
        if self.batcher is None:
            raise RuntimeError("the model is not loaded yet")
        return await self.batcher.submit(texts)

    # -- lifecycle --------------------------------------------------------------------------

    async def on_startup(self) -> None:
        configure_logging(SERVICE, self.settings.log_level, self.settings.log_format)
        # The model first: no message is taken before the worker can process it.
        nlp = await asyncio.to_thread(load_pipeline, self.settings.spacy_model)
        self.enricher = Enricher(nlp, batch_size=self.settings.enrich_batch_size)
        self.batcher = MicroBatcher(self.enricher.enrich_many, self.settings.enrich_batch_size)
        self._redis = Redis.from_url(self.settings.redis_url)
        await self._ensure_groups(self._redis)
        log.info("enrich_starting", consumer=self.consumer, model=self.enricher.model)

    async def _ensure_groups(self, redis: Redis, attempts: int = 60) -> None:
        """Creates the group before subscribing; waits for a Redis that is still starting
        (as under `newsroom up` or compose) for up to `attempts` half-seconds."""
        for attempt in range(1, attempts + 1):
            try:
                await ensure_groups(redis, [ENRICH_ARTICLES])
                if pruned := await prune_stale_consumers(redis, [ENRICH_ARTICLES]):
                    log.info("stale_consumers_pruned", consumers=pruned)
                return
            except (RedisConnectionError, OSError) as exc:
                if attempt == attempts:
                    raise
                log.warning("redis_not_reachable_yet", attempt=attempt, error=str(exc))
                await asyncio.sleep(0.5)

    async def after_startup(self) -> None:
        if self._redis is not None:
            self._lag_task = asyncio.create_task(watch_lag(self._redis, [ENRICH_ARTICLES]))

    async def on_shutdown(self) -> None:
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task

    async def after_shutdown(self) -> None:
        # The broker has stopped and in-flight handlers are done: the batcher can go.
        if self.batcher is not None:
            await self.batcher.close()
        if self._redis is not None:
            await self._redis.aclose()
        log.info("enrich_stopped", consumer=self.consumer)

    # -- HTTP -------------------------------------------------------------------------------

    def routes(self) -> list[tuple[str, ASGIApp]]:
        broker = self.broker

        @get(include_in_schema=False)
        async def healthz(scope: Scope) -> AsgiResponse:
            return _json(200, {"status": "ok"})

        @get(include_in_schema=False)
        async def readyz(scope: Scope) -> AsgiResponse:
            problems = []
            if not await broker.ping(timeout=2.0):
                problems.append("Redis does not answer")
            if self.enricher is None:
                problems.append("the NLP model is not loaded")
            if problems:
                return _json(
                    503,
                    {
                        "type": "urn:newsroom:problem:not-ready",
                        "title": "Not ready",
                        "status": 503,
                        "detail": "; ".join(problems),
                    },
                    content_type="application/problem+json",
                )
            return _json(200, {"status": "ready", "consumer": self.consumer})

        metrics: ASGIApp = make_asgi_app(REGISTRY)
        return [("/healthz", healthz), ("/readyz", readyz), ("/metrics", metrics)]

    def app(self) -> AsgiFastStream:
        return AsgiFastStream(
            self.broker,
            asgi_routes=self.routes(),
            logger=logging.getLogger("newsroom.enrich.app"),
            on_startup=[self.on_startup],
            after_startup=[self.after_startup],
            on_shutdown=[self.on_shutdown],
            after_shutdown=[self.after_shutdown],
            specification=specification(),
            asyncapi_path="/docs/asyncapi",
        )


def specification() -> AsyncAPI:
    return AsyncAPI(
        title="newsroom-enrich",
        version=__version__,
        description="Named entities and timelines for every article version.",
        schema_version="3.0.0",
    )


def create_app(settings: EnrichSettings | None = None) -> AsgiFastStream:
    """The ASGI app uvicorn serves (`newsroom-enrich serve`)."""
    return EnrichWorker(settings or EnrichSettings()).app()


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the worker, independent of the process and environment:
    the consumer name and server are placeholders."""
    settings = EnrichSettings(redis_url="redis://redis:6379/0")
    worker = EnrichWorker(settings, consumer="enrich-{hostname}-{pid}")
    document: dict[str, Any] = worker.app().schema.to_specification().to_jsonable()
    return document
