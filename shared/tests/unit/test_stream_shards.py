"""Sharded stream names: an article's events always in one shard, one shard's streams in one
slot, the shards spread evenly over the masters, the single-shard names unchanged."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot

from newsroom.shared.ids import article_id
from newsroom.shared.streams import (
    ONE_SHARD,
    ShardCountMismatch,
    StreamShards,
    check_shard_count_reply,
    shard_of,
    shard_tag,
)


def test_one_shard_keeps_the_single_node_names() -> None:
    assert ONE_SHARD.articles(0) == "newsroom:articles:0"
    assert ONE_SHARD.enriched(0) == "newsroom:enriched:0"
    assert ONE_SHARD.event_log_streams == ("newsroom:articles:0", "newsroom:enriched:0")
    assert ONE_SHARD.articles_of(str(uuid.uuid4())) == "newsroom:articles:0"
    assert ONE_SHARD.subscription_title("articles", 0) == "articles"


def test_a_shards_streams_share_a_slot_and_shards_do_not() -> None:
    streams = StreamShards(6)
    slots = []
    for shard in streams.shards:
        articles, enriched = streams.articles(shard), streams.enriched(shard)
        assert articles == f"newsroom:{{{shard_tag(shard, 6)}}}:articles"
        assert key_slot(articles.encode()) == key_slot(enriched.encode())
        slots.append(key_slot(articles.encode()))
    assert len(set(slots)) == 6


@pytest.mark.parametrize("shards", [2, 3, 6, 12, 16])
def test_each_shard_lands_in_the_middle_of_its_own_slot_range(shards: int) -> None:
    width = REDIS_CLUSTER_HASH_SLOTS / shards
    for shard in range(shards):
        slot = key_slot(StreamShards(shards).articles(shard).encode())
        assert shard * width + width / 4 <= slot < (shard + 1) * width - width / 4


def test_six_shards_over_three_equal_masters_put_two_on_each() -> None:
    # The slot ranges `redis-cli --cluster create` hands three masters.
    masters = [(0, 5460), (5461, 10922), (10923, 16383)]
    streams = StreamShards(6)
    per_master = Counter(
        next(i for i, (low, high) in enumerate(masters) if low <= slot <= high)
        for slot in (key_slot(streams.articles(s).encode()) for s in streams.shards)
    )
    assert per_master == {0: 2, 1: 2, 2: 2}


def test_the_tag_choice_is_deterministic() -> None:
    assert [shard_tag(s, 6) for s in range(6)] == [
        "s0.18",
        "s1.23",
        "s2.22",
        "s3.3",
        "s4.27",
        "s5.21",
    ]


def test_an_article_always_maps_to_one_shard_and_articles_spread() -> None:
    streams = StreamShards(6)
    ids = [article_id("demo", f"urn:test:{n}") for n in range(600)]
    assert all(streams.of(i) == shard_of(i, 6) == streams.of(i) for i in ids)
    assert all(streams.articles_of(i) == streams.articles(shard_of(i, 6)) for i in ids)
    counts = Counter(streams.of(i) for i in ids)
    assert set(counts) == set(range(6))
    assert max(counts.values()) < 2 * min(counts.values())


def test_groups_cover_every_shard_stream() -> None:
    streams = StreamShards(3)
    groups = streams.articles_groups("enrich") + streams.enriched_groups("render")
    assert [g.stream for g in groups] == list(streams.event_log_streams)
    assert {g.group for g in groups[:3]} == {"enrich"}


def test_another_recorded_shard_count_is_refused() -> None:
    check_shard_count_reply(None, 6)
    check_shard_count_reply(b"6", 6)
    with pytest.raises(ShardCountMismatch, match=r"STREAM_SHARDS=6.*STREAM_SHARDS=1"):
        check_shard_count_reply(b"1", 6)


def test_a_shard_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        StreamShards(0)
