"""The stream handlers: the articles and enriched streams of every shard in render's groups,
each with a reclaim subscriber for a dead replica's pending entries (the shared consumer recipe), and the
declared publisher of PageChanged to the pages stream."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from faststream.redis import RedisRouter, StreamSub
from faststream.redis.publisher.usecase import StreamPublisher
from redis.exceptions import RedisError

from newsroom.render.adapters.metrics import FAILURES
from newsroom.render.application.project_events import ApplyResult
from newsroom.render.domain.projection import RenderEvent
from newsroom.shared.events import ArticleEvent, EnrichedEvent, PageChanged
from newsroom.shared.streaming.consumers import subscribe_with_reclaim
from newsroom.shared.streams import (
    ONE_SHARD,
    PAGES_MAXLEN,
    RENDER_GROUP,
    ConsumerGroup,
    StreamShards,
    pages_stream,
)

log = structlog.get_logger(__name__)

# Entries per read, all handled at once (the shared recipe runs `max_records` handlers): their
# events reach the projection together and are committed in one transaction
# (GroupCommit.submit), while each message keeps its own ack, retry and dead letter. Order does
# not matter to the projection.
MAX_RECORDS = 50
POLLING_INTERVAL_MS = 100

Submit = Callable[[RenderEvent], Awaitable[ApplyResult]]  # GroupCommit.submit
FlushPages = Callable[[], Awaitable[int]]  # send what this process queued in the page outbox


def stream_router(
    *,
    consumer: str,
    reclaim_idle_ms: int,
    submit: Submit,
    flush_pages: FlushPages,
    streams: StreamShards = ONE_SHARD,
) -> tuple[RedisRouter, StreamPublisher]:
    """The subscribers (consumer names derived from `consumer`), one per shard stream, and the
    pages publisher. An article's events all come through one shard's subscribers."""
    router = RedisRouter()
    pages = router.publisher(
        # Notifications, not history: bounded (the event log streams are never trimmed).
        stream=StreamSub(pages_stream(), maxlen=PAGES_MAXLEN),
        schema=PageChanged,
        title="render.pages",
        description="PageChanged: a page's content changed; caches purge exactly that URL.",
    )

    async def handle(event: RenderEvent) -> None:
        result = await submit(event)
        # The event's ids come with every line from the log-context middleware.
        log.info(
            "event_projected" if result.applied else "event_already_projected",
            page_changes=len(result.page_changes),
        )
        if not result.page_changes:
            return  # leftovers of an earlier failure are sent by the periodic flusher
        try:
            # The first handler of a group sends the whole group's PageChanged; the others
            # find nothing queued and skip the database.
            await flush_pages()
        except (RedisError, OSError) as exc:
            # The change is committed and the PageChanged waits in the outbox; the periodic
            # flusher sends it once Redis answers. The event itself is done: ack it.
            FAILURES.labels("publish-pages").inc()
            log.warning("page_changes_deferred", error=repr(exc)[:300])

    # The shared contracts: ArticleEvent upcasts older versions before its discriminator.
    async def on_article(event: ArticleEvent) -> None:
        await handle(event)

    async def on_enriched(event: EnrichedEvent) -> None:
        await handle(event)

    groups: list[tuple[ConsumerGroup, Callable[..., Awaitable[None]], str, str]] = []
    for shard in streams.shards:
        groups += [
            (
                ConsumerGroup(streams.articles(shard), RENDER_GROUP),
                on_article,
                streams.subscription_title("articles", shard),
                "Article versions and withdrawals to project.",
            ),
            (
                ConsumerGroup(streams.enriched(shard), RENDER_GROUP),
                on_enriched,
                streams.subscription_title("enriched", shard),
                "Entities and timelines of article versions.",
            ),
        ]
    for group, handler, name, description in groups:
        subscribe_with_reclaim(
            router,
            handler,
            group,
            consumer=consumer,
            max_records=MAX_RECORDS,
            polling_interval_ms=POLLING_INTERVAL_MS,
            reclaim_idle_ms=reclaim_idle_ms,
            title=f"render.{name}",
            description=description,
        )
    return router, pages
