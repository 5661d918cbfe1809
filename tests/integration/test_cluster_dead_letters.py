"""`newsroom dead-letters` with the streams in 6 shards, on a Redis Cluster and on one Redis:
events parked from two shards' streams are listed with the stream each came from, inspected
whole, and requeued onto their own shard's stream (on that shard's master) for the group that
parked them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from faststream.redis.parser.binary import BinaryMessageFormatV1

from newsroom.shared.ids import article_id
from newsroom.shared.streaming.consumers import create_redis_client
from newsroom.shared.streaming.dead_letters import RETRY_FOR_GROUP, park
from newsroom.shared.streams import DEAD_LETTERS_STREAM, StreamShards
from support.cluster import LocalRedisCluster

pytestmark = pytest.mark.integration

NEWSROOM = str(Path(sys.executable).with_name("newsroom"))
STREAMS = StreamShards(6)


def event_in_shard(shard: int) -> dict[str, Any]:
    """An article event whose article lives in `shard`."""
    number = next(
        n
        for n in range(10_000)
        if STREAMS.of(article_id("test", f"urn:newsroom:test:{n}")) == shard
    )
    subject = article_id("test", f"urn:newsroom:test:{number}")
    return {"id": f"event-{number}", "type": "newsroom.article.received.v1", "subject": subject}


class Where:
    """A Redis with the streams in 6 shards: its URL, whether it is a cluster, and a plain
    connection to the node that holds a key."""

    def __init__(self, url: str, cluster: LocalRedisCluster | None) -> None:
        self.url = url
        self.cluster = cluster

    def node_of(self, key: str) -> redis.Redis:
        if self.cluster is None:
            return redis.Redis.from_url(self.url)
        return self.cluster.client(self.cluster.master_of(key))

    def newsroom(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "REDIS_CLUSTER": "true" if self.cluster else "false"}
        return subprocess.run(
            [NEWSROOM, "dead-letters", "--redis-url", self.url, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )


@pytest.fixture(params=["cluster", "single-node"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Where]:
    if request.param == "single-node":
        yield Where(request.getfixturevalue("redis_url"), None)
        return
    with LocalRedisCluster(tmp_path / "cluster", node_timeout_ms=1000) as cluster:
        yield Where(cluster.url, cluster)


async def park_from(where: Where, shard: int, event: dict[str, Any]) -> None:
    """As render's dead-letter middleware parks an event it cannot process."""
    try:
        event["data"]["headline"]  # a handler's bug: the event has no data
    except KeyError as failure:
        error = failure
    client = create_redis_client(where.url, cluster=where.cluster is not None)
    try:
        await park(
            client,
            stream=STREAMS.articles(shard),
            group="render",
            entry_id=f"{shard + 1}-0",
            body=json.dumps(event).encode(),
            error=error,
            deliveries=5,
        )
    finally:
        await client.aclose()


def test_letters_of_two_shards_are_listed_inspected_and_requeued_onto_their_shards(
    where: Where,
) -> None:
    first, second = event_in_shard(1), event_in_shard(4)
    asyncio.run(park_from(where, 1, first))
    asyncio.run(park_from(where, 4, second))

    listed = where.newsroom()
    assert listed.returncode == 0, listed.stderr
    for shard, event in ((1, first), (4, second)):
        assert f"{STREAMS.articles(shard)}/render" in listed.stdout
        assert f"event {event['id']} newsroom.article.received.v1" in listed.stdout
    assert listed.stdout.count("KeyError: 'data'") == 2

    newest = listed.stdout.split()[0]
    shown = where.newsroom("--show", newest)
    assert shown.returncode == 0, shown.stderr
    assert f"  stream: {STREAMS.articles(4)}" in shown.stdout
    assert '"id": "event-' in shown.stdout
    assert 'event["data"]["headline"]' in shown.stdout  # the line that failed, from the traceback

    requeued = where.newsroom("--requeue-all")
    assert requeued.returncode == 0, requeued.stderr
    assert requeued.stdout.count("requeued ") == 2
    for shard, event in ((1, first), (4, second)):
        stream = STREAMS.articles(shard)
        with where.node_of(stream) as node:  # on the shard's own master
            [(_, fields)] = node.xrange(stream)
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        assert json.loads(body) == event
        assert headers["message_id"] == event["id"]
        assert headers[RETRY_FOR_GROUP] == "render"  # the other groups ack it unseen
    with where.node_of(DEAD_LETTERS_STREAM) as node:
        assert node.xlen(DEAD_LETTERS_STREAM) == 0
    assert "no dead letters" in where.newsroom().stdout
