"""The cluster tests' fixtures: a real local Redis Cluster (3 masters, a replica each) and a
cluster client of it. A module may override `cluster` with a module-scoped one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from redis.asyncio import RedisCluster

from support.cluster import LocalRedisCluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalRedisCluster]:
    with LocalRedisCluster(tmp_path / "cluster", node_timeout_ms=1000) as cluster:
        yield cluster


@pytest_asyncio.fixture
async def client(cluster: LocalRedisCluster) -> AsyncIterator[RedisCluster]:
    client = RedisCluster.from_url(cluster.url)
    yield client
    await client.aclose()
