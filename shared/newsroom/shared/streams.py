"""Every stream and consumer group in one place.

Names carry a shard suffix from day one (`…:articles:0`) so that sharding by article id
over Redis Cluster later is configuration, not a migration. Each stream has one writer.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "newsroom"
SHARDS = 1


def shard_of(article_id: str, shards: int = SHARDS) -> int:
    """The shard an article's events live in; stable for the life of the article."""
    return int(article_id.replace("-", "")[:8], 16) % shards


def articles_stream(shard: int = 0) -> str:
    """ArticleReceived / ArticleUpdated / ArticleWithdrawn; written only by ingest."""
    return f"{PREFIX}:articles:{shard}"


def enriched_stream(shard: int = 0) -> str:
    """ArticleEnriched; written only by enrich."""
    return f"{PREFIX}:enriched:{shard}"


def pages_stream(shard: int = 0) -> str:
    """PageChanged; written only by render."""
    return f"{PREFIX}:pages:{shard}"


DEAD_LETTERS_STREAM = f"{PREFIX}:dead-letters"

# Streams are the transport, not the archive (ingest's SQL inbox is): trim generously.
STREAM_MAXLEN = 1_000_000


@dataclass(frozen=True)
class ConsumerGroup:
    stream: str
    group: str


ENRICH_ARTICLES = ConsumerGroup(articles_stream(), "enrich")
RENDER_ARTICLES = ConsumerGroup(articles_stream(), "render")
RENDER_ENRICHED = ConsumerGroup(enriched_stream(), "render")

ALL_GROUPS = (ENRICH_ARTICLES, RENDER_ARTICLES, RENDER_ENRICHED)
