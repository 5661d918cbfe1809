"""The status figures as text, for `newsroom status` and `newsroom-archive status`."""

from __future__ import annotations

import typer
from redis.exceptions import RedisError

from newsroom.archive.adapters.outbox_backlog import IngestOutboxBacklog
from newsroom.archive.application.status import Status
from newsroom.archive.bootstrap import collect_status
from newsroom.shared.eventstore import EventStore
from newsroom.shared.settings import ArchiveSettings
from newsroom.shared.streaming.consumers import create_redis_client
from newsroom.shared.streams import StreamShards


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    return str(value)


def render_status(status: Status) -> str:
    lines = [f"redis used_memory {_size(status.used_memory_bytes)}"]
    for stream in status.streams:
        mark = str(stream.high_water_mark) if stream.high_water_mark else "-"
        lines.append(
            f"{stream.stream}: length {stream.length}, memory {_size(stream.memory_bytes)}, "
            f"archived {stream.archived} (high-water mark {mark}), "
            f"trimming limited by {stream.trim_limited_by}"
        )
        for group in stream.groups:
            lag = "unknown" if group.lag is None else str(group.lag)
            lines.append(f"  group {group.name}: lag {lag}, pending {group.pending}")
    backlog = "unknown" if status.outbox_backlog is None else str(status.outbox_backlog)
    lines.append(f"outbox backlog {backlog}")
    lines.append(f"dead letters {status.dead_letters}")
    return "\n".join(lines)


async def print_status(settings: ArchiveSettings) -> int:
    store = EventStore.open(settings.database_url)
    redis = create_redis_client(settings.redis_url, cluster=settings.redis_cluster)
    backlog = IngestOutboxBacklog(settings.ingest_database_url)
    try:
        await store.create_schema()
        status = await collect_status(store, redis, backlog)(
            StreamShards(settings.stream_shards).event_log_streams
        )
    except (RedisError, OSError) as exc:
        typer.echo(f"Redis at {settings.redis_url} does not answer: {exc}", err=True)
        return 3
    finally:
        await store.close()
        await backlog.close()
        await redis.aclose()
    typer.echo(render_status(status))
    return 0
