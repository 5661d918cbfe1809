"""The local Redis Cluster that cluster tests stand on: its layout is what it says, keys live
where it says, a SIGKILLed master's replica takes over with what WAIT acknowledged, and it leaves
no redis-server behind."""

from __future__ import annotations

import itertools
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.exceptions import MovedError

from support.cluster import BUS_PORT_OFFSET, LocalRedisCluster

pytestmark = pytest.mark.integration

KEY = "newsroom:{s3}:articles"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedisCluster]:
    with LocalRedisCluster(tmp_path_factory.mktemp("cluster")) as cluster:
        yield cluster


def test_three_masters_share_every_slot_and_each_has_a_replica(cluster: LocalRedisCluster) -> None:
    shards = cluster.shards()

    assert len(shards) == 3
    assert all(len(shard.replicas) == 1 for shard in shards)
    members = {port for shard in shards for port in (shard.master, *shard.replicas)}
    assert members == set(cluster.ports)
    slots = sorted(slot_range for shard in shards for slot_range in shard.slots)
    assert slots[0][0] == 0
    assert slots[-1][1] == 16383
    assert all(prev[1] + 1 == nxt[0] for prev, nxt in itertools.pairwise(slots))
    for port in cluster.ports:
        with cluster.client(port) as node:
            info = node.execute_command("CLUSTER", "INFO").decode()
        assert "cluster_state:ok" in info
        assert "cluster_known_nodes:6" in info
        assert "cluster_size:3" in info


def test_a_key_lives_on_the_master_named_for_it_and_on_its_replica(
    cluster: LocalRedisCluster,
) -> None:
    shard = cluster.shard_of_key(KEY)
    with redis.RedisCluster.from_url(cluster.url) as client:
        client.xadd(KEY, {"n": "1"})
        assert client.get_node_from_key(KEY).port == shard.master

    with cluster.client(shard.master) as master:
        assert master.xlen(KEY) == 1
        assert master.execute_command("WAIT", 1, 5000) == 1
    with cluster.client(shard.replicas[0]) as replica:
        replica.execute_command("READONLY")
        assert replica.xlen(KEY) == 1
    other_master = next(s.master for s in cluster.shards() if s.master != shard.master)
    with cluster.client(other_master) as other, pytest.raises(MovedError) as moved:
        other.xlen(KEY)
    assert moved.value.port == shard.master


def test_a_killed_masters_replica_takes_over_with_what_wait_acknowledged(
    cluster: LocalRedisCluster,
) -> None:
    shard = cluster.shard_of_key(KEY)
    with cluster.client(shard.master) as master:
        ids = [master.xadd(KEY, {"n": str(n)}) for n in range(10)]
        assert master.execute_command("WAIT", 1, 5000) == 1

    promoted = cluster.kill_master(shard.master)

    assert promoted in shard.replicas
    assert cluster.master_of(KEY) == promoted
    with cluster.client(promoted) as new_master:
        assert [entry_id for entry_id, _ in new_master.xrange(KEY)][-10:] == ids
    with redis.RedisCluster.from_url(cluster.url) as client:
        assert [entry_id for entry_id, _ in client.xrange(KEY)][-10:] == ids

    cluster.restart(shard.master)

    rejoined = cluster.shard_of_key(KEY)
    assert rejoined.master == promoted
    assert rejoined.replicas == (shard.master,)


def test_options_reach_every_node_and_stop_leaves_none_running_after_a_failing_test(
    tmp_path: Path,
) -> None:
    started = LocalRedisCluster(
        tmp_path, replicas_per_master=0, options=["--cluster-require-full-coverage", "no"]
    )
    processes: list[subprocess.Popen[bytes] | None] = []

    def a_failing_test() -> None:
        with started:
            processes.extend(node.process for node in started.nodes.values())
            assert len(started.shards()) == 3
            for port in started.ports:
                with started.client(port) as node:
                    coverage = node.config_get("cluster-require-full-coverage")
                assert coverage == {"cluster-require-full-coverage": "no"}
            raise RuntimeError("the test failed")

    with pytest.raises(RuntimeError, match="the test failed"):
        a_failing_test()

    assert len(processes) == 3
    assert all(process is not None and process.poll() is not None for process in processes)
    for port in started.ports:
        for listened in (port, port + BUS_PORT_OFFSET):
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", listened), timeout=1).close()
