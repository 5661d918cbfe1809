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

# The articles and enriched streams are the event log every read model is rebuilt from
# (`newsroom replay` reads them from id 0), so they are never trimmed. Trimming would also drop
# entries a lagging group has not read yet: Redis 7 trims regardless of consumer groups.
# At wire volumes (thousands of stories a day, ~10 KB each) this is megabytes a day.
STREAM_MAXLEN: int | None = None
# Pages and dead letters are notifications, not history: bounded.
PAGES_MAXLEN = 100_000
DEAD_LETTERS_MAXLEN = 100_000


@dataclass(frozen=True)
class ConsumerGroup:
    stream: str
    group: str


ENRICH_ARTICLES = ConsumerGroup(articles_stream(), "enrich")
RENDER_ARTICLES = ConsumerGroup(articles_stream(), "render")
RENDER_ENRICHED = ConsumerGroup(enriched_stream(), "render")

ALL_GROUPS = (ENRICH_ARTICLES, RENDER_ARTICLES, RENDER_ENRICHED)
