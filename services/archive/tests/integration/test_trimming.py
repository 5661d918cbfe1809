"""Trimming on a real redis-server: XTRIM MINID up to the archive, every group's oldest
pending entry and last-delivered id, keeping STREAM_RETENTION entries; never what a group
still needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from archive_test_support import article_event, publish, running_archive, wait_until
from newsroom.archive.bootstrap import ArchiveService
from newsroom.shared.streaming.groups import ensure_groups
from newsroom.shared.streams import ConsumerGroup, articles_stream

pytestmark = pytest.mark.integration

STREAM = articles_stream()


async def archived_everything(service: ArchiveService, count: int) -> None:
    async def done() -> bool:
        summary = await service.redis.xpending(STREAM, "archive")
        return sum((await service.store.counts()).values()) == count and not summary["pending"]

    await wait_until(done, what=f"{count} events archived")


async def read(redis: Redis, group: str, count: int, *, ack: int) -> list[bytes]:
    """`count` entries read by `group` (created at 0), the first `ack` of them acknowledged."""
    await ensure_groups(redis, [ConsumerGroup(STREAM, group)])
    entries = await redis.xreadgroup(group, f"{group}-1", {STREAM: ">"}, count=count)
    ids = [entry_id for entry_id, _ in entries[0][1]] if entries else []
    if ack:
        await redis.xack(STREAM, group, *ids[:ack])
    return ids


def archive_db(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'archive.db'}"


async def test_retention_keeps_the_newest_entries_once_archived_and_read(
    redis_url: str, tmp_path: Path
) -> None:
    ids = await publish(redis_url, STREAM, [article_event(n) for n in range(50)])
    async with running_archive(
        redis_url, archive_db(tmp_path), stream_retention=10, trim_interval_seconds=3600
    ) as service:
        await archived_everything(service, 50)
        await read(service.redis, "render", 50, ack=50)
        await read(service.redis, "enrich", 50, ack=50)

        [trim, _] = await service.trim_once()

        assert trim.trimmed == 40
        kept = await service.redis.xrange(STREAM)
        assert [entry_id.decode() for entry_id, _ in kept] == ids[40:]


async def test_retention_zero_keeps_only_what_is_not_archived_or_still_needed(
    redis_url: str, tmp_path: Path
) -> None:
    await publish(redis_url, STREAM, [article_event(n) for n in range(20)])
    async with running_archive(
        redis_url, archive_db(tmp_path), stream_retention=0, trim_interval_seconds=3600
    ) as service:
        await archived_everything(service, 20)
        await read(service.redis, "render", 20, ack=20)
        await read(service.redis, "enrich", 20, ack=20)
        await service.trim_once()
        assert await service.redis.xlen(STREAM) == 0


async def test_a_lagging_group_holds_trimming_back_and_its_lag_is_reported(
    redis_url: str, tmp_path: Path
) -> None:
    ids = await publish(redis_url, STREAM, [article_event(n) for n in range(30)])
    async with running_archive(
        redis_url, archive_db(tmp_path), stream_retention=0, trim_interval_seconds=3600
    ) as service:
        await archived_everything(service, 30)
        await read(service.redis, "render", 30, ack=30)
        await read(service.redis, "enrich", 12, ack=12)  # 18 entries behind

        [trim, _] = await service.trim_once()

        assert trim.point.limited_by == "group enrich"
        enrich = next(group for group in trim.groups if group.name == "enrich")
        assert enrich.lag == 18
        kept = [entry_id.decode() for entry_id, _ in await service.redis.xrange(STREAM)]
        assert kept == ids[12:]  # every entry enrich has not read yet
        status = await service.collect()
        [articles] = [s for s in status.streams if s.stream == STREAM]
        assert {g.name: g.lag for g in articles.groups}["enrich"] == 18


async def test_a_pending_entry_stays_until_acknowledged(redis_url: str, tmp_path: Path) -> None:
    ids = await publish(redis_url, STREAM, [article_event(n) for n in range(10)])
    async with running_archive(
        redis_url, archive_db(tmp_path), stream_retention=0, trim_interval_seconds=3600
    ) as service:
        await archived_everything(service, 10)
        await read(service.redis, "enrich", 10, ack=10)
        delivered = await read(service.redis, "render", 10, ack=0)
        await service.redis.xack(STREAM, "render", *delivered[:4])  # 5th..10th still pending

        await service.trim_once()

        kept = [entry_id.decode() for entry_id, _ in await service.redis.xrange(STREAM)]
        assert kept == ids[4:]
        # The retry of a pending entry finds it.
        claimed = await service.redis.xclaim(STREAM, "render", "render-2", 0, [delivered[4]])
        assert claimed[0][0] == delivered[4]


async def test_a_declared_group_that_never_read_holds_everything(
    redis_url: str, tmp_path: Path
) -> None:
    """Render has not started yet: its group is declared, so nothing it needs is trimmed."""
    await publish(redis_url, STREAM, [article_event(n) for n in range(10)])
    async with running_archive(
        redis_url, archive_db(tmp_path), stream_retention=0, trim_interval_seconds=3600
    ) as service:
        await archived_everything(service, 10)
        await read(service.redis, "enrich", 10, ack=10)

        [trim, _] = await service.trim_once()

        assert trim.trimmed == 0
        assert trim.point.limited_by == "group render"
        assert await service.redis.xlen(STREAM) == 10
