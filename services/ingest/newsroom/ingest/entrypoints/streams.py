"""What ingest appends to Redis: a FastStream router declaring the articles publisher (ingest
consumes no stream). The outbox relay writes the entries; this declaration is the contract,
published as AsyncAPI (`newsroom-ingest asyncapi`). One router per broker: FastStream moves a
router included in a second broker out of the first."""

from __future__ import annotations

from faststream.redis import RedisRouter, StreamSub

from newsroom.shared.events import ArticleEvent
from newsroom.shared.streams import STREAM_MAXLEN, articles_stream


def build_router() -> RedisRouter:
    router = RedisRouter()
    router.publisher(
        stream=StreamSub(articles_stream(), maxlen=STREAM_MAXLEN),
        schema=ArticleEvent,
        title="articles",
        description=(
            "ArticleReceived (first version seen), ArticleUpdated (a later version, maybe a "
            "correction) and ArticleWithdrawn (a kill), CloudEvents 1.0 envelopes whole in the "
            "entry body. A version re-sent under the same number with other content is published "
            "too (ArticleUpdated, or ArticleWithdrawn when it is now canceled), so two events may "
            "carry one article version. Written only by ingest; sharded by article id "
            "(`…:articles:<shard>`)."
        ),
    )
    return router
