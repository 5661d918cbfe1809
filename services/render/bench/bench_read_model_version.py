"""What reading the read model's version costs a request on PostgreSQL (not a test):
`uv run python services/render/bench/bench_read_model_version.py [--reads=N] [--callers=C]`.

Reads adapters.read_model_version on a private database of the machine's server (created and
dropped here; POSTGRES_ADMIN_DSN names the server) and prints, per request, wall and process
CPU microseconds: one caller at a time (a full round trip each), then C callers at once in
rounds (as under wrk's 16 connections: one read shared by the callers waiting for it); the
SQLite file's `PRAGMA data_version` for comparison; and a constant version: the harness's own
cost (a task per caller), to subtract. The server's own CPU is not in the figures."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from newsroom.render.adapters.queries import ReadModelQueries
from newsroom.render.adapters.read_model_version import (
    ReadModelVersion,
    SqliteFileVersion,
    read_model_version,
)
from newsroom.render.bootstrap import migrate_read_model, open_read_model

ADMIN_DSN = os.environ.get("POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


async def per_request(
    version: ReadModelVersion, reads: int, callers: int
) -> tuple[float, float, int]:
    """(wall µs, CPU µs) per request, and the requests made, with `callers` requests at once
    in each round."""
    rounds = max(reads // callers, 1)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        await asyncio.gather(*(version() for _ in range(callers)))
    requests = rounds * callers
    return (
        (time.perf_counter() - wall) / requests * 1e6,
        (time.process_time() - cpu) / requests * 1e6,
        requests,
    )


async def show(name: str, version: ReadModelVersion, reads: int, callers: int) -> None:
    assert await version() is not None, "the version cannot be read"
    for at_once in (1, callers):
        wall, cpu, requests = await per_request(version, reads, at_once)
        print(
            f"{name:<10} {at_once:>3} at once: {wall:8.1f} µs wall, {cpu:6.1f} µs CPU "
            f"per request ({requests:,} requests)"
        )


async def measure(name: str, database_url: str, reads: int, callers: int) -> None:
    await migrate_read_model(database_url)
    runner = open_read_model(database_url)
    queries = ReadModelQueries(runner)
    version = read_model_version(runner.engine, queries.version)
    try:
        await show(name, version, reads, callers)
    finally:
        await version.close()
        await queries.close()
        await runner.dispose()


async def on_postgresql(run: Callable[[str], Awaitable[None]]) -> None:
    name = f"newsroom_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        await run(f"{base}/{name}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=20_000)
    parser.add_argument("--callers", type=int, default=16)
    options = parser.parse_args()
    print(f"load average {os.getloadavg()}")
    await on_postgresql(lambda url: measure("postgresql", url, options.reads, options.callers))
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'render.db'}"
        await measure("sqlite", url, options.reads, options.callers)
    await show("constant", SqliteFileVersion(lambda: 0), options.reads, options.callers)


if __name__ == "__main__":
    asyncio.run(main())
