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

# The articles and enriched streams are the event log. They are not capped on append (MAXLEN
# would drop entries a lagging group has not read yet: Redis 7 trims regardless of consumer
# groups); the archive service stores every event in SQL and trims them (XTRIM MINID) behind
# the archive and every group, keeping STREAM_RETENTION entries.
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

ARCHIVE_ARTICLES = ConsumerGroup(articles_stream(), "archive")
ARCHIVE_ENRICHED = ConsumerGroup(enriched_stream(), "archive")

ALL_GROUPS = (ENRICH_ARTICLES, RENDER_ARTICLES, RENDER_ENRICHED, ARCHIVE_ARTICLES, ARCHIVE_ENRICHED)
# The streams every read model is rebuilt from: archived, trimmed, replayed.
EVENT_LOG_STREAMS = (articles_stream(), enriched_stream())
