"""Enrich's streams: the articles it consumes in the `enrich` group (a main and a reclaim
subscriber per shard, shared recipe) and the enriched stream it publishes, of the article's
shard, on one FastStream router.

Each message is one article event: the use case (`application/enrich_article.py`) enriches it
(up to `batch_size` concurrent messages meet in one `nlp.pipe` batch) and the ArticleEnriched,
with its deterministic id, goes to the declared `enriched` publisher. A withdrawal publishes
nothing. A failure leaves the entry pending: retried, then dead-lettered (poison at once)."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from faststream.redis import RedisRouter, StreamSub

from newsroom.enrich.adapters.metrics import ARTICLES_ENRICHED
from newsroom.enrich.application.enrich_article import EnrichFn, enrich_article_event
from newsroom.shared.events import ArticleEnriched, ArticleEvent
from newsroom.shared.streaming.consumers import subscribe_with_reclaim
from newsroom.shared.streams import ENRICH_GROUP, ONE_SHARD, STREAM_MAXLEN, StreamShards

log = structlog.get_logger(__name__)

# A blocking read waits this long for new entries; the reclaim subscriber looks less often.
POLLING_INTERVAL_MS = 500
RECLAIM_POLLING_INTERVAL_MS = 1000


def build_router(
    enrich: EnrichFn,
    model: Callable[[], str],
    *,
    consumer: str,
    batch_size: int,
    reclaim_idle_ms: int,
    streams: StreamShards = ONE_SHARD,
) -> RedisRouter:
    """The router of one worker process: `enrich` runs the NLP, `model` names the model the
    results carry, `consumer` is this process's unique consumer name.

    An article's ArticleEnriched goes to the enriched stream of its shard, on the same slot
    (so the same master) as the articles stream it came from. The input is acked after the
    output was appended, so a replica that has the ack has the output before it (replication
    keeps a master's order): a failover that loses the output loses the ack too, and the
    article event is delivered again. No WAIT is needed here."""
    router = RedisRouter()
    enriched_by_shard = [
        router.publisher(
            stream=StreamSub(streams.enriched(shard), maxlen=STREAM_MAXLEN),
            schema=ArticleEnriched,
            title=streams.subscription_title("enriched", shard),
            description="ArticleEnriched: entities and timeline of one article version.",
        )
        for shard in streams.shards
    ]

    async def on_article(event: ArticleEvent) -> None:
        """One article event: enrich it and publish the result (with its deterministic id)."""
        result = await enrich_article_event(event, enrich, model())
        if result is None:
            return
        await enriched_by_shard[streams.of(result.data.article_id)].publish(
            result.to_message(),
            headers={"message_id": result.id},
            correlation_id=result.correlationid,
        )
        ARTICLES_ENRICHED.labels(result.data.model).inc()
        log.info(
            "article_enriched",
            enriched_id=result.id,
            entities=len(result.data.entities),
            timeline=len(result.data.timeline),
        )

    for shard, group in enumerate(streams.articles_groups(ENRICH_GROUP)):
        subscribe_with_reclaim(
            router,
            on_article,
            group,
            consumer=consumer,
            max_records=max(1, batch_size),
            polling_interval_ms=POLLING_INTERVAL_MS,
            reclaim_idle_ms=reclaim_idle_ms,
            reclaim_polling_interval_ms=RECLAIM_POLLING_INTERVAL_MS,
            title=streams.subscription_title("articles", shard),
            description="Article versions to enrich (withdrawals are skipped).",
        )
    return router
