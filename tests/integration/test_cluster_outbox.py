"""The outbox relay's cluster publisher on a real Redis Cluster: each shard's batch in its
stream in order, in FastStream's format, on the shard's replica by the time it returns (WAIT);
a batch no replica confirmed is not counted as sent; after a failover it publishes to the
promoted replica."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import RedisCluster

from newsroom.shared.outbox import ClusterOutboxPublisher, NotReplicated, PendingEvent
from newsroom.shared.streams import StreamShards
from support.cluster import LocalRedisCluster

pytestmark = pytest.mark.integration

STREAMS = StreamShards(6)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedisCluster]:
    with LocalRedisCluster(tmp_path_factory.mktemp("cluster"), node_timeout_ms=1000) as cluster:
        yield cluster


def events(first: int, count: int) -> list[PendingEvent]:
    return [
        PendingEvent(n, f"event-{n}", STREAMS.articles(n % 6), f"corr-{n}", {"n": n})
        for n in range(first, first + count)
    ]


async def test_each_shard_gets_its_events_in_order_and_its_replica_has_them(
    cluster: LocalRedisCluster, client: RedisCluster
) -> None:
    await ClusterOutboxPublisher(client).publish(events(0, 30))

    for shard in STREAMS.shards:
        stream = STREAMS.articles(shard)
        owner = cluster.shard_of_key(stream)
        # WAIT 1 returned: the replica has the batch already.
        with cluster.client(owner.replicas[0]) as replica:
            replica.execute_command("READONLY")  # the pool's one connection reads the replica
            entries = replica.xrange(stream)
        bodies = []
        for _, fields in entries:
            body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
            bodies.append(json.loads(body)["n"])
            assert headers["message_id"] == f"event-{bodies[-1]}"
            assert headers["correlation_id"] == f"corr-{bodies[-1]}"
        assert bodies == [n for n in range(30) if n % 6 == shard]


async def test_a_batch_without_enough_replicas_is_not_counted_as_sent(
    client: RedisCluster,
) -> None:
    publisher = ClusterOutboxPublisher(client, min_replicas=2, wait_timeout_ms=100)
    with pytest.raises(NotReplicated, match="1 of 2 replicas"):
        await publisher.publish(events(100, 1))


async def test_after_a_failover_the_promoted_replica_takes_the_batches(
    cluster: LocalRedisCluster, client: RedisCluster, tmp_path: Path
) -> None:
    stream = STREAMS.articles(0)
    publisher = ClusterOutboxPublisher(client)
    await publisher.publish(events(200, 6))
    promoted = cluster.kill_master(cluster.master_of(stream))

    for _attempt in range(5):  # the relay retries a failed round
        try:
            await publisher.publish(events(300, 6))
            break
        except Exception:
            continue
    with cluster.client(promoted) as master:
        last = master.xrevrange(stream, count=1)[0][1]
    assert json.loads(BinaryMessageFormatV1.parse(last[b"__data__"])[0])["n"] == 300
