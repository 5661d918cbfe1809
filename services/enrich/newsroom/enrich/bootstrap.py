"""The one place that builds enrich from settings: the worker process (model, batcher,
broker with its router, Redis client, ASGI app), its AsyncAPI document, and the model for
offline runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from functools import cache
from typing import Any

import structlog
from faststream.asgi import AsgiFastStream
from faststream.specification import AsyncAPI
from redis.asyncio import Redis

from newsroom.enrich import __version__
from newsroom.enrich.adapters.batching import MicroBatcher
from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult
from newsroom.enrich.entrypoints.http import routes
from newsroom.enrich.entrypoints.streams import build_router
from newsroom.shared.logging import configure_logging
from newsroom.shared.settings import EnrichSettings
from newsroom.shared.streaming.consumers import (
    consumer_groups,
    create_broker,
    create_redis_client,
)
from newsroom.shared.streaming.groups import consumer_name
from newsroom.shared.streams import ENRICH_GROUP, StreamShards

SERVICE = "enrich"
log = structlog.get_logger(__name__)


class EnrichWorker:
    """Everything one worker process holds. The model loads before the broker subscribes,
    so no message is taken before the worker can process it."""

    def __init__(self, settings: EnrichSettings, consumer: str | None = None) -> None:
        self.settings = settings
        self.consumer = consumer or consumer_name(SERVICE)
        self.streams = StreamShards(settings.stream_shards)
        self.enricher: Enricher | None = None
        self.batcher: MicroBatcher[ArticleTexts, EnrichmentResult] | None = None
        self._redis: Redis | None = None
        self._groups = contextlib.AsyncExitStack()
        router = build_router(
            self._enrich,
            self._model,
            consumer=self.consumer,
            batch_size=settings.enrich_batch_size,
            reclaim_idle_ms=settings.reclaim_idle_ms,
            streams=self.streams,
        )
        self.broker = create_broker(
            settings.redis_url,
            service=SERVICE,
            max_deliveries=settings.max_deliveries,
            routers=[router],
            cluster=settings.redis_cluster,
        )

    @property
    def model_loaded(self) -> bool:
        return self.enricher is not None

    async def redis_answers(self) -> bool:
        return await self.broker.ping(timeout=2.0)

    def _model(self) -> str:
        return self.enricher.model if self.enricher is not None else self.settings.spacy_model

    async def _enrich(self, texts: ArticleTexts) -> EnrichmentResult:
        if self.batcher is None:
            raise RuntimeError("the model is not loaded yet")
        return await self.batcher.submit(texts)

    async def on_startup(self) -> None:
        configure_logging(SERVICE, self.settings.log_level, self.settings.log_format)
        nlp = await asyncio.to_thread(load_pipeline, self.settings.spacy_model)
        self.enricher = Enricher(nlp, batch_size=self.settings.enrich_batch_size)
        self.batcher = MicroBatcher(self.enricher.enrich_many, self.settings.enrich_batch_size)
        self._redis = create_redis_client(
            self.settings.redis_url, cluster=self.settings.redis_cluster
        )
        await self._groups.enter_async_context(
            consumer_groups(
                self._redis,
                self.streams.articles_groups(ENRICH_GROUP),
                shards=self.streams.count,
            )
        )
        log.info("enrich_starting", consumer=self.consumer, model=self.enricher.model)

    async def on_shutdown(self) -> None:
        await self._groups.aclose()  # the lag watcher

    async def after_shutdown(self) -> None:
        # The broker has stopped and in-flight handlers are done: the batcher can go.
        if self.batcher is not None:
            await self.batcher.close()
        if self._redis is not None:
            await self._redis.aclose()
        log.info("enrich_stopped", consumer=self.consumer)

    def app(self) -> AsgiFastStream:
        return AsgiFastStream(
            self.broker,
            asgi_routes=routes(self, public_base_url=self.settings.public_base_url),
            logger=logging.getLogger("newsroom.enrich.app"),
            on_startup=[self.on_startup],
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


def batch_processes() -> int:
    """Processes for batch runs: both cores (measured on the eval set x5, 300 documents:
    9.9 s with one process, 6.2 s with two, identical output)."""
    return max(1, min(2, os.cpu_count() or 1))


@cache
def offline_enricher(model: str | None = None, n_process: int = 1) -> Enricher:
    """The model for runs without Redis, loaded once per process."""
    settings = EnrichSettings()
    return Enricher(
        load_pipeline(model or settings.spacy_model),
        batch_size=settings.enrich_batch_size,
        n_process=n_process,
    )
