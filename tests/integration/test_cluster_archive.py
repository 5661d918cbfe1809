"""The archive on a Redis Cluster with 6 shards: every event of every shard's articles and
enriched streams stored once, and each shard's streams trimmed on their own master down to the
retention, behind the archive."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import RedisCluster

from newsroom.archive.bootstrap import ArchiveService
from newsroom.shared.ids import article_event_id, article_id, derived_event_id
from newsroom.shared.outbox import ClusterOutboxPublisher, PendingEvent
from newsroom.shared.settings import ArchiveSettings
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


async def test_every_shard_is_archived_and_trimmed_on_its_own(
    cluster: LocalRedisCluster, tmp_path: Path
) -> None:
    articles = [article_event(n) for n in range(48)]
    events = [(STREAMS.articles_of(a["subject"]), a) for a in articles] + [
        (STREAMS.enriched_of(a["subject"]), enriched_event(a)) for a in articles[:24]
    ]
    client = RedisCluster.from_url(cluster.url)
    try:
        await ClusterOutboxPublisher(client).publish(
            [
                PendingEvent(n, body["id"], stream, body["correlationid"], body)
                for n, (stream, body) in enumerate(events)
            ]
        )
        expected: dict[str, int] = {}
        for stream, _ in events:
            expected[stream] = expected.get(stream, 0) + 1
        assert len(expected) == 12  # every shard's two streams got events

        service = ArchiveService(
            ArchiveSettings(
                redis_url=cluster.url,
                redis_cluster=True,
                stream_shards=6,
                database_url=f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}",
                stream_retention=RETENTION,
                trim_interval_seconds=3600,  # trimmed below, when asked
                log_format="console",
            )
        )
        await service.on_startup()
        await service.broker.start()
        try:
            deadline = time.monotonic() + 60
            while await service.store.counts() != expected:
                assert time.monotonic() < deadline, await service.store.counts()
                await asyncio.sleep(0.1)
            # Acked after commit: nothing pending once every event is stored.
            deadline = time.monotonic() + 30
            while [s for s in expected if (await client.xpending(s, "archive"))["pending"]]:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
            # Enrich and render (their groups declared by the archive) have read everything.
            for stream in expected:
                for group in await client.xinfo_groups(stream):
                    await client.xgroup_setid(stream, group["name"], "$")
            await service.trim_once()
        finally:
            await service.broker.stop()
            await service.on_shutdown()
            await service.after_shutdown()

        for stream, count in expected.items():
            with cluster.client(cluster.master_of(stream)) as master:
                assert master.xlen(stream) == min(count, RETENTION), stream
    finally:
        await client.aclose()
