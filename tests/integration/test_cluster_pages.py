"""Render's PageChanged on a Redis Cluster: a batch of the page outbox goes out as one
MULTI/EXEC on the pages stream's master (FastStream's cluster broker would send one XADD per
event, ag2ai/faststream#3044), every event arrives in order, in FastStream's format, and the
master's replica has them by the time the batch counts as sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import RedisCluster

from newsroom.render.adapters.page_publisher import PagePublisher
from newsroom.render.bootstrap import build_broker
from newsroom.render.domain.page_changes import page_changed
from newsroom.shared.events import PageChanged
from newsroom.shared.streams import pages_stream
from support.cluster import LocalRedisCluster

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PAGES = 300


def changes(count: int) -> list[PageChanged]:
    return [
        page_changed(
            f"/stories/{n}",
            "article-received",
            f"article-{n}",
            "1",
            base_url="http://render.test",
            cause_id=f"event-{n}",
            correlation_id=f"delivery-{n}",
            now=NOW,
        )
        for n in range(count)
    ]


def command_calls(cluster: LocalRedisCluster, port: int) -> dict[str, int]:
    with cluster.client(port) as node:
        stats = node.info("commandstats")
    return {name: int(stat["calls"]) for name, stat in stats.items()}


async def test_a_batch_of_page_changes_is_one_transaction_and_all_arrive(
    cluster: LocalRedisCluster, client: RedisCluster
) -> None:
    _, pages_publisher = build_broker(
        cluster.url,
        consumer="render-test",
        max_deliveries=5,
        reclaim_idle_ms=60_000,
        submit=None,  # type: ignore[arg-type]  # nothing is consumed here
        flush_pages=None,  # type: ignore[arg-type]
        cluster=True,
    )
    publish = PagePublisher(pages_publisher, client)  # as render's bootstrap builds it
    master = cluster.master_of(pages_stream())
    before = command_calls(cluster, master)
    sent = changes(PAGES)

    await publish(sent)

    after = command_calls(cluster, master)
    calls = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    assert calls.get("cmdstat_xadd") == PAGES
    # One round trip: MULTI, the XADDs, EXEC, WAIT; not one XADD per round trip.
    assert calls.get("cmdstat_multi") == 1
    assert calls.get("cmdstat_exec") == 1
    assert calls.get("cmdstat_wait") == 1

    entries = await client.xrange(pages_stream())
    received = []
    for _, fields in entries:
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        received.append((headers["message_id"], json.loads(body)["data"]["url"]))
    assert received == [(change.id, change.data.url) for change in sent]
    replica = cluster.shard_of_key(pages_stream()).replicas[0]
    with cluster.client(replica) as node:
        node.execute_command("READONLY")  # the pool's one connection reads the replica
        assert node.xlen(pages_stream()) == PAGES
