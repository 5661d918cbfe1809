"""Every stream and consumer group in one place.

The event log is sharded by article (`STREAM_SHARDS`, default 1): an article's events always
go to the streams of shard `shard_of(article_id)`, so their order holds through every
consumer, while the shards spread over the masters of a Redis Cluster. With one shard the
names are the single-node ones (`newsroom:articles:0`); with N they are hash-tagged
(`newsroom:{s3.3}:articles`) so that one shard's streams share a slot (a shard's batch is one
MULTI/EXEC on one node) and the tags are chosen so that the shards spread evenly over the
slots (`shard_tag`). Each stream has one writer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot

PREFIX = "newsroom"
SHARDS = 1
# Where the shard count the streams were written with is recorded (`ShardCountMismatch`).
SHARD_COUNT_KEY = f"{PREFIX}:stream-shards"


def shard_of(article_id: str, shards: int = SHARDS) -> int:
    """The shard an article's events live in; stable for the life of the article (as long as
    the shard count is: changing it is refused, see `ShardCountMismatch`)."""
    return int(article_id.replace("-", "")[:8], 16) % shards


@cache
def shard_tag(shard: int, shards: int) -> str:
    """The hash tag of `shard` among `shards`: `s{shard}.{k}` with the smallest k whose slot
    lies in the middle half of the shard-th of `shards` equal slot ranges. A cluster whose
    masters hold equal slot ranges (what `redis-cli --cluster create` hands out) then holds
    shards/masters shards each when the masters divide the shards, and the margins keep a tag
    off a boundary that a master count not dividing `shards` would draw."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} out of range for {shards} shards")
    width = REDIS_CLUSTER_HASH_SLOTS / shards
    low, high = shard * width + width / 4, (shard + 1) * width - width / 4
    for k in itertools.count():
        tag = f"s{shard}.{k}"
        if low <= key_slot(tag.encode()) < high:
            return tag
    raise AssertionError("unreachable")  # pragma: no cover


def _stream(kind: str, shard: int, shards: int) -> str:
    if shards == 1:
        return f"{PREFIX}:{kind}:{shard}"
    return f"{PREFIX}:{{{shard_tag(shard, shards)}}}:{kind}"


def articles_stream(shard: int = 0, shards: int = SHARDS) -> str:
    """ArticleReceived / ArticleUpdated / ArticleWithdrawn; written only by ingest."""
    return _stream("articles", shard, shards)


def enriched_stream(shard: int = 0, shards: int = SHARDS) -> str:
    """ArticleEnriched; written only by enrich."""
    return _stream("enriched", shard, shards)


def pages_stream(shard: int = 0) -> str:
    """PageChanged; written only by render. One stream whatever the shard count: it is a
    notification for caches, not part of the event log, and has no order to keep."""
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


ENRICH_GROUP = "enrich"
RENDER_GROUP = "render"
ARCHIVE_GROUP = "archive"

# The groups on the single shard's streams (STREAM_SHARDS=1); `StreamShards` has them all.
ENRICH_ARTICLES = ConsumerGroup(articles_stream(), ENRICH_GROUP)
RENDER_ARTICLES = ConsumerGroup(articles_stream(), RENDER_GROUP)
RENDER_ENRICHED = ConsumerGroup(enriched_stream(), RENDER_GROUP)

ARCHIVE_ARTICLES = ConsumerGroup(articles_stream(), ARCHIVE_GROUP)
ARCHIVE_ENRICHED = ConsumerGroup(enriched_stream(), ARCHIVE_GROUP)

ALL_GROUPS = (ENRICH_ARTICLES, RENDER_ARTICLES, RENDER_ENRICHED, ARCHIVE_ARTICLES, ARCHIVE_ENRICHED)
# The streams every read model is rebuilt from: archived, trimmed, replayed.
EVENT_LOG_STREAMS = (articles_stream(), enriched_stream())


@dataclass(frozen=True)
class StreamShards:
    """The event log's streams and groups for a shard count (`STREAM_SHARDS`)."""

    count: int = SHARDS

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("STREAM_SHARDS must be at least 1")

    @property
    def shards(self) -> range:
        return range(self.count)

    def of(self, article_id: str) -> int:
        return shard_of(article_id, self.count)

    def articles(self, shard: int) -> str:
        return articles_stream(shard, self.count)

    def enriched(self, shard: int) -> str:
        return enriched_stream(shard, self.count)

    def articles_of(self, article_id: str) -> str:
        return self.articles(self.of(article_id))

    def enriched_of(self, article_id: str) -> str:
        return self.enriched(self.of(article_id))

    @property
    def event_log_streams(self) -> tuple[str, ...]:
        """Every articles stream, then every enriched stream."""
        return (
            *(self.articles(shard) for shard in self.shards),
            *(self.enriched(shard) for shard in self.shards),
        )

    def articles_groups(self, group: str) -> tuple[ConsumerGroup, ...]:
        """`group` on every articles stream, shard by shard."""
        return tuple(ConsumerGroup(self.articles(shard), group) for shard in self.shards)

    def enriched_groups(self, group: str) -> tuple[ConsumerGroup, ...]:
        return tuple(ConsumerGroup(self.enriched(shard), group) for shard in self.shards)

    def subscription_title(self, name: str, shard: int) -> str:
        """A subscriber's AsyncAPI title: `name` alone with one shard (the documents stay
        what they were), `name.{shard}` with several."""
        return name if self.count == 1 else f"{name}.{shard}"


class ShardCountMismatch(RuntimeError):
    """The streams were written with another shard count: articles would change shard and
    lose their order. Refused; see the README ("Sharding the streams") for changing it."""


def check_shard_count_reply(recorded: bytes | str | None, count: int) -> None:
    """Raises ShardCountMismatch unless `recorded` (SHARD_COUNT_KEY's value, set with NX to
    `count`) is `count`."""
    if recorded is None:
        return
    value = int(recorded.decode() if isinstance(recorded, bytes) else recorded)
    if value != count:
        raise ShardCountMismatch(
            f"STREAM_SHARDS={count}, but the streams in this Redis were written with "
            f"STREAM_SHARDS={value}: an article would change shard and its events their "
            f"order. Start with STREAM_SHARDS={value}, or drain and reset the streams "
            '(README, "Sharding the streams").'
        )


# The default: one shard, the single-node names.
ONE_SHARD = StreamShards()
