"""The archive on a Redis Cluster with 6 shards: every event of every shard's articles and
enriched streams stored once, and each shard's streams trimmed on their own master down to the
retention, behind the archive; groups lost on one master (FLUSHALL) or with their stream (DEL)
recreated in-process, shard by shard, and consuming carries on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import RedisCluster

from archive_test_support import running_archive
from newsroom.archive.bootstrap import ArchiveService
from newsroom.shared.ids import article_event_id, article_id, derived_event_id
from newsroom.shared.outbox import ClusterOutboxPublisher, PendingEvent
from newsroom.shared.streams import StreamShards
from support.cluster import LocalRedisCluster

pytestmark = pytest.mark.integration

STREAMS = StreamShards(6)
RETENTION = 2


def article_event(number: int) -> dict[str, Any]:
    uri = f"urn:newsroom:test:{number}"
    return {
        "specversion": "1.0",
        "id": article_event_id("test", uri, "1"),
        "source": "urn:newsroom:ingest",
        "type": "newsroom.article.received.v1",
        "subject": article_id("test", uri),
        "time": "2021-09-20T09:00:00Z",
        "datacontenttype": "application/json",
        "correlationid": f"delivery-{number}",
        "causationid": None,
        "data": {"number": number},
    }


def enriched_event(article: dict[str, Any]) -> dict[str, Any]:
    return {
        **article,
        "id": derived_event_id("enriched", article["id"]),
        "source": "urn:newsroom:enrich",
        "type": "newsroom.article.enriched.v1",
        "causationid": article["id"],
        "data": {"entities": []},
    }


def archive_on(
    cluster: LocalRedisCluster, tmp_path: Path, **settings: Any
) -> contextlib.AbstractAsyncContextManager[ArchiveService]:
    """The archive service on the cluster with 6 shards, started as its app starts it (the
    trimmer every hour: trimmed when a test asks)."""
    return running_archive(
        cluster.url,
        f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}",
        redis_cluster=True,
        stream_shards=6,
        trim_interval_seconds=3600,
        **settings,
    )


async def publish(client: RedisCluster, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """As ingest's relay publishes on a cluster."""
    await ClusterOutboxPublisher(client).publish(
        [
            PendingEvent(n, body["id"], stream, body["correlationid"], body)
            for n, (stream, body) in enumerate(events)
        ]
    )


async def wait_for(check: Callable[[], Awaitable[bool]], what: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.1)


async def test_every_shard_is_archived_and_trimmed_on_its_own(
    cluster: LocalRedisCluster, tmp_path: Path
) -> None:
    articles = [article_event(n) for n in range(48)]
    events = [(STREAMS.articles_of(a["subject"]), a) for a in articles] + [
        (STREAMS.enriched_of(a["subject"]), enriched_event(a)) for a in articles[:24]
    ]
    client = RedisCluster.from_url(cluster.url)
    try:
        await publish(client, events)
        expected: dict[str, int] = {}
        for stream, _ in events:
            expected[stream] = expected.get(stream, 0) + 1
        assert len(expected) == 12  # every shard's two streams got events

        async with archive_on(cluster, tmp_path, stream_retention=RETENTION) as service:

            async def all_stored() -> bool:
                return await service.store.counts() == expected

            async def none_pending() -> bool:
                pending = [await client.xpending(s, "archive") for s in expected]
                return not any(p["pending"] for p in pending)

            await wait_for(all_stored, "every event stored")
            # Acked after commit: nothing pending once every event is stored.
            await wait_for(none_pending, "every entry acknowledged", within=30)
            # Enrich and render (their groups declared by the archive) have read everything.
            for stream in expected:
                for group in await client.xinfo_groups(stream):
                    await client.xgroup_setid(stream, group["name"], "$")
            await service.trim_once()

        for stream, count in expected.items():
            with cluster.client(cluster.master_of(stream)) as master:
                assert master.xlen(stream) == min(count, RETENTION), stream
    finally:
        await client.aclose()


def recreated(stream: str) -> float:
    """How often this process recreated the archive's group of `stream` (group_recovery)."""
    labels = {"stream": stream, "group": "archive"}
    return REGISTRY.get_sample_value("newsroom_consumer_groups_recreated_total", labels) or 0.0


async def test_groups_lost_on_a_master_or_with_their_stream_are_recreated_per_shard(
    cluster: LocalRedisCluster, tmp_path: Path
) -> None:
    """One master FLUSHALLed (every stream of its shards gone, its groups with them) and one
    other shard's articles stream deleted, under the running archive: each lost group is
    recreated without a restart, and what every shard gets afterwards is archived."""
    before = [article_event(n) for n in range(24)]
    after = [article_event(n) for n in range(100, 124)]
    client = RedisCluster.from_url(cluster.url)
    try:
        async with archive_on(cluster, tmp_path) as service:

            def stored(count: int) -> Callable[[], Awaitable[bool]]:
                async def check() -> bool:
                    return sum((await service.store.counts()).values()) == count

                return check

            await publish(client, [(STREAMS.articles_of(a["subject"]), a) for a in before])
            await wait_for(stored(len(before)), "the first events archived")

            flushed = cluster.master_of(STREAMS.articles(0))
            lost = [s for s in STREAMS.event_log_streams if cluster.master_of(s) == flushed]
            deleted = next(
                STREAMS.articles(shard)
                for shard in STREAMS.shards
                if cluster.master_of(STREAMS.articles(shard)) != flushed
            )
            recreated_before = {s: recreated(s) for s in [*lost, deleted]}
            with cluster.client(flushed) as master:
                master.flushall()
            await client.delete(deleted)

            await publish(client, [(STREAMS.articles_of(a["subject"]), a) for a in after])
            await publish(
                client, [(STREAMS.enriched_of(a["subject"]), enriched_event(a)) for a in after]
            )
            await wait_for(
                stored(len(before) + 2 * len(after)), "every shard's events after the loss"
            )
            assert {STREAMS.of(a["subject"]) for a in after} == set(STREAMS.shards)
            for stream in [*lost, deleted]:
                groups = {group["name"] for group in await client.xinfo_groups(stream)}
                assert b"archive" in groups, stream
                # By the consumer that lost it, in this process (nothing else recreates it
                # here: the trimmer, which declares every group, runs hourly in this test).
                assert recreated(stream) > recreated_before[stream], stream
    finally:
        await client.aclose()
