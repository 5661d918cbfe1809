"""Ingest throughput: signed items accepted per second over real HTTP, durable inbox included,
beside redis-benchmark's XADD rate for the same payload size, on the same machine, same run.

    uv run python services/ingest/bench/bench_ingest.py [--seconds 10] [--concurrency 16]

Starts its own redis-server and `newsroom-ingest serve` (SQLite inbox in a temporary
directory, unless --database-url), posts distinct signed ninjs items from concurrent httpx
clients, waits until the relay has appended every accepted item to the stream, then runs
redis-benchmark XADD with a field of the same size as an ingest stream entry.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from newsroom.ingest.domain.signatures import sign_standard_webhook
from newsroom.shared.streams import articles_stream

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("NEWSROOM_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))
SEED = CORPUS / "seed" / "space-race-2.v1.ninjs.json"
SECRET = "whsec_YmVuY2htYXJrIHNlY3JldCBvZiB0aGUgYmVuY2ggc291cmNl"  # noqa: S105 (throwaway)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: object, what: str, within: float = 30.0) -> None:
    assert callable(check)
    deadline = time.monotonic() + within
    while True:
        try:
            if check():
                return
        except (OSError, redis.RedisError, httpx.TransportError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up")
        time.sleep(0.1)


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); the split starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    accepted: int = 0
    refused: int = 0
    elapsed: float = 0.0


async def post_items(
    base_url: str,
    template: dict[str, object],
    seconds: float,
    concurrency: int,
    *,
    shared_client: bool = False,
) -> Run:
    """`concurrency` senders, each on its own keep-alive connection. By default each sender has
    its own httpx client: httpx's pool walks all its connections on every request, which on a
    shared 16-connection pool cost the load generator more CPU per request than the server
    spent, on the same cores. `shared_client` restores the one-pool client of the first
    measurements."""
    run = Run()
    started = time.perf_counter()
    deadline = started + seconds

    def new_client(connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            item = {**template, "uri": f"urn:newsroom:bench:{uuid.uuid4().hex}"}
            body = json.dumps(item).encode()
            headers = sign_standard_webhook(
                SECRET, f"msg_{uuid.uuid4().hex}", int(time.time()), body
            )
            headers["content-type"] = "application/json"
            response = await client.post("/v1/sources/bench/items", content=body, headers=headers)
            if response.status_code == 202:
                run.accepted += 1
            else:
                run.refused += 1

    async def progress() -> None:
        last = 0
        while True:
            await asyncio.sleep(1.0)
            elapsed = time.perf_counter() - started
            print(
                f"  {elapsed:5.1f} s  accepted {run.accepted:7d}  "
                f"({run.accepted - last:5d}/s now, {run.accepted / elapsed:7.1f}/s overall)",
                flush=True,
            )
            last = run.accepted

    async def own_client_loop() -> None:
        async with new_client(1) as client:
            await client_loop(client)

    reporter = asyncio.create_task(progress())
    try:
        if shared_client:
            async with new_client(concurrency) as client:
                await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        else:
            await asyncio.gather(*(own_client_loop() for _ in range(concurrency)))
    finally:
        reporter.cancel()
    run.elapsed = time.perf_counter() - started
    return run


def redis_benchmark_xadd(port: int, payload_size: int, requests: int, clients: int) -> float:
    binary = shutil.which("redis-benchmark")
    if binary is None:
        raise RuntimeError("redis-benchmark is not installed (apt-get install redis-tools)")
    payload = "x" * payload_size
    output = subprocess.run(  # noqa: S603
        [
            binary,
            "-p",
            str(port),
            "-n",
            str(requests),
            "-c",
            str(clients),
            "--csv",
            "XADD",
            "bench:xadd",
            "MAXLEN",
            "~",
            "1000000",
            "*",
            "__data__",
            payload,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [row for row in csv.reader(io.StringIO(output)) if row and row[0] != "test"]
    return float(rows[-1][1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="how long clients post")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--database-url", default=None, help="inbox DATABASE_URL (default SQLite)")
    parser.add_argument(
        "--shared-client",
        action="store_true",
        help="all senders on one httpx client (the first measurements' costlier load generator)",
    )
    parser.add_argument("--xadd-requests", type=int, default=100_000)
    parser.add_argument("--xadd-clients", type=int, default=50)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    redis_port, http_port = free_port(), free_port()
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise RuntimeError("redis-server is not installed")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            subprocess.Popen(  # noqa: S603
                [
                    redis_binary,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(workdir),
                    "--appendonly",
                    "yes",
                    "--save",
                    "",
                    "--logfile",
                    str(workdir / "redis.log"),
                ],
            )
        )
        redis_client = redis.Redis(port=redis_port)
        wait_until(redis_client.ping, "redis-server")
        env = {
            **os.environ,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{workdir / 'ingest.db'}",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(http_port),
            "NEWSROOM_SOURCES": json.dumps({"bench": {"secrets": [SECRET]}}),
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "newsroom.ingest.entrypoints.cli", "serve"],
            env=env,
            stdout=(workdir / "ingest.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        processes.append(server)
        base_url = f"http://127.0.0.1:{http_port}"
        wait_until(lambda: httpx.get(f"{base_url}/readyz").status_code == 200, "ingest")

        template = json.loads(SEED.read_bytes())
        print(
            f"ingest: {args.concurrency} concurrent clients for {args.seconds:.0f} s, "
            f"signed ninjs items of {len(json.dumps(template))} bytes, "
            f"{'one shared httpx client' if args.shared_client else 'one httpx client each'}, "
            f"inbox {env['DATABASE_URL'].split(':')[0]}",
            flush=True,
        )
        load_before = os.getloadavg()[0]
        cpu_before = process_cpu_seconds(server.pid)
        run = asyncio.run(
            post_items(
                base_url,
                template,
                args.seconds,
                args.concurrency,
                shared_client=args.shared_client,
            )
        )
        cpu_after = process_cpu_seconds(server.pid)
        load_after = os.getloadavg()[0]
        stream = articles_stream()
        relay_started = time.perf_counter()
        wait_until(lambda: redis_client.xlen(stream) >= run.accepted, "relay catch-up", within=300)
        relay_lag = time.perf_counter() - relay_started
        first_entries: list[tuple[bytes, dict[bytes, bytes]]] = redis_client.xrange(  # type: ignore[assignment]
            stream, count=1
        )
        entry_size = len(first_entries[0][1][b"__data__"])

        print(
            f"redis-benchmark: XADD with a {entry_size}-byte field, "
            f"{args.xadd_requests} requests, {args.xadd_clients} clients",
            flush=True,
        )
        xadd_rate = redis_benchmark_xadd(
            redis_port, entry_size, args.xadd_requests, args.xadd_clients
        )

        ingest_rate = run.accepted / run.elapsed
        print()
        print(
            f"ingest accepted      {ingest_rate:10.1f} items/s  "
            f"({run.accepted} in {run.elapsed:.1f} s, {run.refused} refused; "
            f"relay drained the outbox {relay_lag:.1f} s after the last 202)"
        )
        print(f"redis-benchmark XADD {xadd_rate:10.1f} ops/s")
        print(f"ratio ingest / XADD  {ingest_rate / xadd_rate:10.4f}")
        if cpu_before is not None and cpu_after is not None and run.accepted:
            # Less sensitive to what else runs on the machine than the rate: the clients (this
            # process) and the server share its cores.
            cpu = cpu_after - cpu_before
            print(
                f"ingest server CPU    {1000 * cpu / run.accepted:10.2f} ms per accepted item "
                f"({cpu:.1f} s CPU while posting; {os.cpu_count()} cores, load average "
                f"{load_before:.2f} before, {load_after:.2f} after)"
            )
        return 0 if run.refused == 0 else 1
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
