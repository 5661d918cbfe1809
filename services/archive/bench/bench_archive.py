"""Archive benchmark (not a test): `uv run python services/archive/bench/bench_archive.py`
(`uv run python -m bench archive`).

Reports, on this machine in one run, each on a private redis-server and SQLite files in a
temporary directory (nothing shared is touched):
  * archive throughput: events/s the archive service (its consumers, SQLite writer, acks)
    stores, beside raw XADD of the same payloads (pipelined batches of 100) in the same run;
  * Redis used_memory after N/10 and N events appended while the archive runs with
    STREAM_RETENTION=10000 (trimming every second), beside the same events never trimmed;
  * replay of the N events from the archive plus the stream's tail into a fresh read model,
    in seconds (`newsroom-render replay` run as a process, as an operator runs it: the same
    bulk load and worker processes), and the log read alone (archive + tail, decoded);
  * the log read alone (the EventLog port's batches(), decoded RenderEvents, nothing applied)
    from an archive of BENCH_ARCHIVE_READ_EVENTS (default N) on SQLite and on PostgreSQL
    (BENCH_ARCHIVE_READ_BACKENDS, default "sqlite,postgresql"; PostgreSQL in a database of its
    own created on BENCH_POSTGRES_ADMIN_DSN's server, default the local one, and dropped);
and prints the goals: memory flat within 10 % from N/10 to N, the archive keeps up with
ingest's maximum rate (two events per accepted item: the article and its enrichment), replay
at >= 10k events/s (and the log read alone >= 20k, so that reading is not the bottleneck).
Every long phase shows a progress bar.

N is BENCH_ARCHIVE_EVENTS (default 100000: `make bench` stays within minutes); `--million`
runs N = 1,000,000, the issue's figure (`uv run python -m bench archive --million`: most of an
hour on the shared 2-core machine). `--read-only` runs only the log-read-alone phase.
BENCH_ARCHIVE_THROUGHPUT_EVENTS (default 20000) sizes the throughput phase."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from subprocess import PIPE
from typing import Any, NamedTuple

from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Connection

from newsroom.archive.bootstrap import ArchiveService, declared_groups
from newsroom.render.adapters.archive_log import ArchiveAndTailLog
from newsroom.shared.article import Article
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleEnrichedData,
    ArticleReceived,
    ArticleReceivedData,
    EnrichedEntity,
    EntityMention,
)
from newsroom.shared.eventstore import EVENTS as ARCHIVED_EVENTS
from newsroom.shared.eventstore import EventStore
from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id
from newsroom.shared.settings import ArchiveSettings
from newsroom.shared.streaming.groups import ensure_groups
from newsroom.shared.streams import (
    ARCHIVE_ARTICLES,
    ARCHIVE_ENRICHED,
    articles_stream,
    enriched_stream,
)

EVENTS = (
    1_000_000 if "--million" in sys.argv else int(os.environ.get("BENCH_ARCHIVE_EVENTS", "100000"))
)
THROUGHPUT_EVENTS = int(os.environ.get("BENCH_ARCHIVE_THROUGHPUT_EVENTS", "20000"))
RETENTION = 10_000
# ingest's best measured rate (services/ingest/README.md): 407 accepted items/s, each one
# article event and, after enrich, one enrichment.
INGEST_MAX_ITEMS_PER_SECOND = 407
BATCH = 100
OnBatch = Callable[[int], Awaitable[None]]
# What `newsroom replay` asks the log for at a time (its --batch default).
REPLAY_BATCH = 500
# Reading the log alone: an archive of READ_EVENTS on each backend (PostgreSQL: a database of
# its own on BENCH_POSTGRES_ADMIN_DSN's server, dropped afterwards).
READ_EVENTS = int(os.environ.get("BENCH_ARCHIVE_READ_EVENTS", str(EVENTS)))
READ_BACKENDS = os.environ.get("BENCH_ARCHIVE_READ_BACKENDS", "sqlite,postgresql").split(",")
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed")
        directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(directory),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"

    async def wait(self) -> None:
        redis = Redis.from_url(self.url)
        for _ in range(100):
            try:
                await redis.ping()
                break
            except (OSError, RedisConnectionError):
                await asyncio.sleep(0.1)
        await redis.aclose()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


Payload = tuple[str, dict[str, Any]]  # stream, body


def events(count: int) -> Iterator[Payload]:
    """`count` events, half article versions and half their enrichments, as ingest and enrich
    write them (a short story: the payload is ~1.5 KB). Made as they are consumed: a million
    bodies held at once would be gigabytes of dicts."""
    when = datetime(2021, 9, 20, 9, 0, tzinfo=UTC)
    body = "Roscosmos said the crew would fly from Baikonur. " * 12
    for number in range(count // 2):
        uri = f"urn:newsroom:bench:{number}"
        ident = article_id("bench", uri)
        headline = f"Story {number}: the first film in orbit"
        received = ArticleReceived.create(
            id=article_event_id("bench", uri, "1"),
            source="urn:newsroom:ingest",
            subject=ident,
            correlationid=f"delivery-{number}",
            data=ArticleReceivedData(
                article_id=ident,
                slug=article_slug(headline, ident),
                article=Article(
                    source="bench",
                    uri=uri,
                    version="1",
                    versioncreated=when,
                    firstcreated=when,
                    headline=headline,
                    body_text=body,
                ),
            ),
        )
        enriched = ArticleEnriched.create(
            id=derived_event_id("enriched", received.id),
            source="urn:newsroom:enrich",
            subject=ident,
            correlationid=received.correlationid,
            causationid=received.id,
            data=ArticleEnrichedData(
                article_id=ident,
                version="1",
                versioncreated=when,
                model="bench",
                entities=[
                    EnrichedEntity(
                        id="organisation/roscosmos",
                        name="Roscosmos",
                        type="organisation",
                        mentions=[EntityMention(field="body", text="Roscosmos", start=0, end=9)],
                        mention_count=1,
                        salience=1.0,
                    )
                ],
                timeline=[],
            ),
        )
        yield articles_stream(), received.to_message()
        yield enriched_stream(), enriched.to_message()


def chunks(payloads: Iterable[Payload], size: int) -> Iterator[list[Payload]]:
    chunk: list[Payload] = []
    for payload in payloads:
        chunk.append(payload)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class PhaseProgress(Progress):
    """A progress bar on a terminal; elsewhere (output to a file, CI) the count every 15 s."""

    def __init__(self, label: str) -> None:
        super().__init__(
            TextColumn(f"  {label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        )
        self.label = label
        self.said_at = time.monotonic()

    def update(self, task_id: TaskID, *args: Any, **kwargs: Any) -> None:
        super().update(task_id, *args, **kwargs)
        self.say_count(task_id)

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self.say_count(task_id)

    def say_count(self, task_id: TaskID) -> None:
        if self.console.is_terminal or time.monotonic() - self.said_at < 15:
            return
        self.said_at = time.monotonic()
        task = next(task for task in self.tasks if task.id == task_id)
        say(f"  {self.label}: {task.completed:,.0f} of {task.total or 0:,.0f}")


def progress_bar(label: str) -> PhaseProgress:
    return PhaseProgress(label)


async def xadd(
    redis_url: str, payloads: Iterable[Payload], *, on_batch: OnBatch | None = None
) -> float:
    """Appends the payloads through FastStream in MULTI/EXEC batches, as ingest's relay does;
    the seconds it took (making the payloads included: a small share beside the XADDs).
    `on_batch` is told how many are appended after each batch."""
    broker = RedisBroker(redis_url)
    await broker.connect()
    client = Redis.from_url(redis_url)
    started = time.perf_counter()
    done = 0
    for batch in chunks(payloads, BATCH):
        async with client.pipeline(transaction=True) as pipeline:
            for stream, body in batch:
                await broker.publish(
                    body, stream=stream, headers={"message_id": body["id"]}, pipeline=pipeline
                )
            await pipeline.execute()
        done += len(batch)
        if on_batch is not None:
            await on_batch(done)
    elapsed = time.perf_counter() - started
    await client.aclose()
    await broker.stop()
    return elapsed


async def archived_all(service: ArchiveService, count: int) -> None:
    while True:
        caught_up = True
        for group in (ARCHIVE_ARTICLES, ARCHIVE_ENRICHED):
            for info in await service.redis.xinfo_groups(group.stream):
                if info["name"] == b"archive" and (info["lag"] or info["pending"]):
                    caught_up = False
        if caught_up and sum((await service.store.counts()).values()) >= count:
            return
        await asyncio.sleep(0.05)


async def other_groups_caught_up(service: ArchiveService) -> None:
    """Stands in for enrich and render keeping up: only the archive runs here, and a trim
    never goes past a declared group's position (it would hold trimming back at 0)."""
    await ensure_groups(service.redis, declared_groups(service.streams))
    for group in declared_groups(service.streams):
        if group.group != "archive":
            await service.redis.xgroup_setid(group.stream, group.group, "$")


def archive_settings(
    redis_url: str, database: Path, retention: int, trim_every: float
) -> ArchiveSettings:
    return ArchiveSettings(
        redis_url=redis_url,
        database_url=f"sqlite+aiosqlite:///{database}",
        stream_retention=retention,
        trim_interval_seconds=trim_every,
        log_level="WARNING",
    )


async def start(service: ArchiveService) -> None:
    await service.on_startup()
    await service.broker.start()


async def stop(service: ArchiveService) -> None:
    await service.broker.stop()
    await service.on_shutdown()
    await service.after_shutdown()


async def throughput(folder: Path) -> tuple[float, float]:
    payloads = list(events(THROUGHPUT_EVENTS))
    size = sum(len(str(body)) for _, body in payloads) / len(payloads)
    say(f"archive throughput: {len(payloads)} events (~{size / 1024:.1f} KB each)")
    raw = PrivateRedis(folder / "raw")
    await raw.wait()
    seconds = await xadd(raw.url, payloads)
    raw.stop()
    xadd_rate = len(payloads) / seconds
    say(f"  raw XADD (FastStream, MULTI/EXEC of {BATCH}): {xadd_rate:,.0f} events/s")

    redis = PrivateRedis(folder / "archived")
    await redis.wait()
    await xadd(redis.url, payloads)  # the backlog the archive then drains
    service = ArchiveService(archive_settings(redis.url, folder / "throughput.db", RETENTION, 3600))
    started = time.perf_counter()
    await start(service)
    await archived_all(service, len(payloads))
    archive_rate = len(payloads) / (time.perf_counter() - started)
    await stop(service)
    redis.stop()
    say(
        f"  archive (consume, store on SQLite, ack):  {archive_rate:,.0f} events/s "
        f"(ratio to raw XADD {archive_rate / xadd_rate:.3f})"
    )
    return archive_rate, xadd_rate


async def used_memory(redis_url: str) -> int:
    client = Redis.from_url(redis_url)
    value = int((await client.info("memory"))["used_memory"])
    await client.aclose()
    return value


async def memory(
    folder: Path, count: int
) -> tuple[dict[int, int], dict[int, int], Path, PrivateRedis]:
    # The first figure once the streams are full (STREAM_RETENTION per stream, two streams).
    first = min(max(count // 10, 4 * RETENTION), count // 2)
    checkpoints = [first - first % BATCH, count]
    say(f"redis memory: {count:,} events, measured after {checkpoints[0]:,} and {checkpoints[1]:,}")

    unbounded = PrivateRedis(folder / "unbounded")
    await unbounded.wait()
    never_trimmed: dict[int, int] = {}
    with progress_bar("append, never trimmed") as progress:
        task = progress.add_task("append", total=count)

        async def measure_unbounded(done: int) -> None:
            progress.update(task, completed=done)
            if done in checkpoints:
                never_trimmed[done] = await used_memory(unbounded.url)

        await xadd(unbounded.url, events(count), on_batch=measure_unbounded)
    unbounded.stop()
    for done, value in never_trimmed.items():
        say(f"  never trimmed (measured), after {done:>9,}: used_memory {value / 2**20:8.1f} MiB")

    trimmed_redis = PrivateRedis(folder / "trimmed")
    await trimmed_redis.wait()
    database = folder / "archive.db"
    service = ArchiveService(archive_settings(trimmed_redis.url, database, RETENTION, 1.0))
    await start(service)
    trimmed: dict[int, int] = {}
    with progress_bar("append + archive + trim") as progress:
        task = progress.add_task("append", total=count)

        async def measure_trimmed(done: int) -> None:
            progress.update(task, completed=done)
            if done in checkpoints:
                # What the archive and the trimmer do at this rate: wait for them to catch up.
                await archived_all(service, done)
                await other_groups_caught_up(service)
                await service.trim_once()
                trimmed[done] = await used_memory(trimmed_redis.url)

        started = time.perf_counter()
        await xadd(trimmed_redis.url, events(count), on_batch=measure_trimmed)
        elapsed = time.perf_counter() - started
    await stop(service)
    for done, value in trimmed.items():
        say(
            f"  STREAM_RETENTION={RETENTION}, after {done:>9,}: used_memory {value / 2**20:8.1f} MiB"
        )
    say(f"  (appended, archived and trimmed at {count / elapsed:,.0f} events/s)")
    return trimmed, never_trimmed, database, trimmed_redis


class ReplaySummary(NamedTuple):
    applied: int
    duplicates: int


async def replay_from_archive(
    folder: Path, database: Path, redis_url: str, count: int
) -> tuple[float, float]:
    store = EventStore.open(f"sqlite+aiosqlite:///{database}")
    redis = Redis.from_url(redis_url)
    log = ArchiveAndTailLog(store, redis)
    tail = sum([int(await redis.xlen(s)) for s in (articles_stream(), enriched_stream())])
    say(f"replay: {count:,} events, {tail:,} entries still in the streams' tails")
    total = await log.total_entries()

    read = 0
    with progress_bar("read the log (archive + tail), decoded") as progress:
        task = progress.add_task("read", total=total)
        started = time.perf_counter()
        async for batch in log.batches(REPLAY_BATCH):
            read += len(batch.events)
            progress.advance(task, batch.entries)
        read_rate = read / (time.perf_counter() - started)
    say(
        f"  the log alone (archive on SQLite + tail, decoded): {read:,} events in "
        f"{read / read_rate:.1f} s, {read_rate:,.0f} events/s"
    )

    await store.close()
    await redis.aclose()
    # The replay as an operator runs it: `newsroom-render replay`, a process of its own
    # (bulk load, worker processes), timed from start to exit.
    say("  replay into a fresh read model: newsroom-render replay (timed)")
    environment = {
        **os.environ,
        "ARCHIVE_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "REDIS_URL": redis_url,
        # not the target (the command refuses to replay into the live read model)
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'not-live.db'}",
    }
    target = f"sqlite+aiosqlite:///{folder / 'replayed.db'}"
    command = [sys.executable, "-m", "newsroom.render.entrypoints.cli", "replay"]
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, "--database-url", target, env=environment, stdout=PIPE, stderr=PIPE
    )
    out, err = await process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"replay exited {process.returncode}: {err.decode()[-2000:]}")
    summary = re.search(r"(\d+) applied, (\d+) duplicates", out.decode())
    assert summary is not None, out.decode()
    stats = ReplaySummary(int(summary[1]), int(summary[2]))
    rate = stats.applied / seconds
    say(
        f"  replay into a fresh read model: {stats.applied:,} events applied in {seconds:.1f} s, "
        f"{rate:,.0f} events/s ({stats.duplicates} duplicates)"
    )
    return rate, read_rate


def insert_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    connection.execute(ARCHIVED_EVENTS.insert(), rows)


async def fill_archive(store: EventStore, count: int) -> None:
    """The archive as the archive service leaves it (every event a row, in log order), written
    straight in large INSERTs: the archive's own path is measured above, this is set-up."""
    await store.create_schema()
    now = datetime.now(UTC)
    with progress_bar("fill the archive") as progress:
        task = progress.add_task("fill", total=count)
        number = 0
        for chunk in chunks(events(count), 5000):
            rows = []
            for stream, body in chunk:
                number += 1
                rows.append(
                    {
                        "event_id": body["id"],
                        "stream": stream,
                        "entry_ms": 1_600_000_000_000 + number,
                        "entry_seq": 0,
                        "event_type": body["type"],
                        "subject": body["subject"],
                        "causation_id": body.get("causationid"),
                        "correlation_id": body["correlationid"],
                        "body": json.dumps(body),
                        "archived_at": now,
                    }
                )
            await store.runner.write(partial(insert_rows, rows=rows))
            progress.advance(task, len(chunk))


@asynccontextmanager
async def bench_database(backend: str, folder: Path) -> AsyncIterator[str]:
    """An empty database of its own: an SQLite file in `folder`, or a PostgreSQL database
    created on BENCH_POSTGRES_ADMIN_DSN's server and dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'read-alone.db'}"
        return
    import asyncpg  # type: ignore[import-untyped]

    admin = os.environ.get("BENCH_POSTGRES_ADMIN_DSN", POSTGRES_ADMIN_DSN)
    name = f"bench_archive_{os.getpid()}"
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
        server = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        yield f"{server}/{name}"
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def read_alone(folder: Path, backend: str, count: int) -> float:
    """The EventLog port's batches() over an archive of `count` events (the streams empty):
    decoded RenderEvents per second, nothing applied."""
    redis = PrivateRedis(folder / f"read-{backend}")
    await redis.wait()
    client = Redis.from_url(redis.url)
    try:
        async with bench_database(backend, folder) as url:
            store = EventStore.open(url)
            say(f"read the log alone, {backend}: an archive of {count:,} events, the streams empty")
            await fill_archive(store, count)
            log = ArchiveAndTailLog(store, client)
            read = 0
            with progress_bar(f"read ({backend}), decoded") as progress:
                task = progress.add_task("read", total=count)
                started = time.perf_counter()
                cpu_started = time.process_time()
                async for batch in log.batches(REPLAY_BATCH):
                    read += len(batch.events)
                    progress.advance(task, batch.entries)
                seconds = time.perf_counter() - started
                cpu_seconds = time.process_time() - cpu_started
            await store.close()
    finally:
        await client.aclose()
        redis.stop()
    rate = read / seconds
    # CPU seconds of this process (all its threads): what the machine's other load does not
    # change, beside the wall-clock figure it does (the database server's work is not in it).
    say(
        f"  {read:,} events decoded in {seconds:.1f} s: {rate:,.0f} events/s "
        f"({read / cpu_seconds:,.0f} per CPU second of the reader)"
    )
    return rate


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


async def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    read_alone_rates: dict[str, float] = {}
    try:
        if "--read-only" not in sys.argv:
            archive_rate, _ = await throughput(folder)
            trimmed, never_trimmed, database, redis = await memory(folder, EVENTS)
            try:
                replay_rate, read_rate = await replay_from_archive(
                    folder, database, redis.url, EVENTS
                )
            finally:
                redis.stop()
        for backend in READ_BACKENDS:
            read_alone_rates[backend] = await read_alone(folder, backend, READ_EVENTS)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    say("goals:")
    alone = ", ".join(f"{backend} {rate:,.0f}" for backend, rate in read_alone_rates.items())
    if "--read-only" in sys.argv:
        say(
            f"  the log read alone >= 20,000 events/s (not replay's bottleneck): {alone} events/s "
            f"-> {met(min(read_alone_rates.values()) >= 20_000)}"
        )
        return 0
    low, high = sorted(trimmed)
    growth = trimmed[high] / trimmed[low] - 1
    unbounded_growth = never_trimmed[high] / never_trimmed[low] - 1
    needed = 2 * INGEST_MAX_ITEMS_PER_SECOND
    say(
        f"  memory flat within 10 % from {low:,} to {high:,} events: {growth:+.1%} "
        f"(never trimmed: {unbounded_growth:+.1%}) -> {met(abs(growth) <= 0.10)}"
    )
    say(
        f"  archive keeps up with ingest's maximum ({INGEST_MAX_ITEMS_PER_SECOND} items/s = "
        f"{needed} events/s): {archive_rate:,.0f} events/s, {archive_rate / needed:.1f}x "
        f"-> {met(archive_rate >= needed)}"
    )
    say(
        f"  replay >= 10,000 events/s: {replay_rate:,.0f} events/s into the read model "
        f"-> {met(replay_rate >= 10_000)}; the log read alone: archive + tail {read_rate:,.0f}, "
        f"archive only {alone} events/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
