"""Cluster benchmark (not a test): `uv run python -m bench cluster`.

Ingest → enrich → render throughput of the whole system (`newsroom up`: ingest, two enrich
workers, render, the archive) on this machine, twice: on one redis-server with one shard, and on
a local Redis Cluster of 3 masters and 3 replicas with STREAM_SHARDS=6. Stories are posted
signed, as fast as ingest takes them; a story counts once render serves its page data with its
entities. Reported: stories per second each way and their ratio, and per Redis node its CPU time
over the run, its keys and its memory.

Goals (issue 13): the cluster costs at most 20 % of throughput on one machine (ratio ≥ 0.80),
and no master holds more than 50 % of the keys.

BENCH_STORIES (default 600: shorter runs measure warm-up more than throughput) sets the load. Everything runs in a temporary directory on free
ports; nothing shared is touched."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

from newsroom.cli.local_sources import DEMO_SOURCE, secret_for
from newsroom.cli.redis_cluster_local import start_local_cluster, stop_nodes
from newsroom.ingest.domain.signatures import sign_standard_webhook
from newsroom.shared.ids import article_id

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("NEWSROOM_CORPUS", REPO.parent / "shared" / "corpus"))
STORIES = int(os.environ.get("BENCH_STORIES", "600"))
NEWSROOM = Path(sys.executable).with_name("newsroom")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Node:
    port: int
    pid: int
    role: str = "master"


@dataclass
class Run:
    name: str
    stories_per_second: float
    elapsed: float
    nodes: list[dict[str, Any]]


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(low: int = 10_000, high: int = 22_000, bus: bool = False) -> int:
    """A free port (and its cluster bus port, + 10000, when `bus`)."""
    for _ in range(1000):
        port = random.randrange(low, high)
        if _bindable(port) and (not bus or _bindable(port + 10_000)):
            return port
    raise RuntimeError("no free port")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def story(number: int, template: dict[str, Any]) -> bytes:
    wire = dict(template)
    wire["uri"] = f"urn:newsroom:bench:{number}"
    wire["headline"] = f"Story {number}: {template['headline']}"
    wire.pop("associations", None)
    return json.dumps(wire).encode()


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.2)


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def run_system(name: str, var: Path, redis_url: str, nodes: list[Node], env: dict[str, str]) -> Run:
    ports = {"ingest": free_port(), "render": free_port(), "archive": free_port()}
    enrich = free_port()
    while not _bindable(enrich + 1):
        enrich = free_port()
    urls = {k: f"http://127.0.0.1:{v}" for k, v in ports.items()}
    up = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            str(NEWSROOM),
            "up",
            "--var",
            str(var),
            "--redis-url",
            redis_url,
            "--ingest-port",
            str(ports["ingest"]),
            "--render-port",
            str(ports["render"]),
            "--enrich-port",
            str(enrich),
            "--archive-port",
            str(ports["archive"]),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "LOG_LEVEL": "WARNING", **env},
        start_new_session=True,
    )
    try:
        print(f"[{name}] starting the services …", flush=True)
        for service in ("ingest", "render"):
            wait_for(lambda u=urls[service]: ready(u), 300, f"{service} to be ready")
        wait_for(lambda: ready(f"http://127.0.0.1:{enrich}"), 300, "enrich to be ready")
        wait_for(lambda: ready(f"http://127.0.0.1:{enrich + 1}"), 300, "enrich-2 to be ready")
        template = json.loads((CORPUS / "seed" / "space-race-2.v1.ninjs.json").read_bytes())
        secret = secret_for(var, DEMO_SOURCE)
        assert secret
        ids = [article_id(DEMO_SOURCE, f"urn:newsroom:bench:{n}") for n in range(STORIES)]
        cpu_before = {node.port: cpu_seconds(node.pid) for node in nodes}
        started = time.monotonic()
        with httpx.Client(timeout=30) as client:
            for n in range(STORIES):
                body = story(n, template)
                headers = sign_standard_webhook(
                    secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body
                )
                headers["content-type"] = "application/json"
                response = client.post(
                    f"{urls['ingest']}/v1/sources/{DEMO_SOURCE}/items",
                    content=body,
                    headers=headers,
                )
                assert response.status_code == 202, response.text
            print(f"[{name}] {STORIES} stories accepted; waiting for render …", flush=True)
            waiting = set(ids)
            last_report = time.monotonic()
            while waiting:
                for story_id in list(waiting):
                    response = client.get(f"{urls['render']}/api/articles/{story_id}")
                    if response.status_code == 200 and response.json()["entities"]:
                        waiting.discard(story_id)
                if time.monotonic() - last_report > 10:
                    print(f"[{name}] {STORIES - len(waiting)}/{STORIES} served", flush=True)
                    last_report = time.monotonic()
                if time.monotonic() - started > 900:
                    raise SystemExit(f"[{name}] {len(waiting)} stories never served")
                if waiting:
                    time.sleep(0.2)
        elapsed = time.monotonic() - started
        figures = []
        for node in nodes:
            with redis.Redis(port=node.port) as client_:
                memory = client_.info("memory")["used_memory"]
                keys = client_.dbsize()
            figures.append(
                {
                    "port": node.port,
                    "role": node.role,
                    "cpu_s": cpu_seconds(node.pid) - cpu_before[node.port],
                    "keys": keys,
                    "memory_mb": memory / 1e6,
                }
            )
        return Run(name, STORIES / elapsed, elapsed, figures)
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()


def single_redis(directory: Path) -> Run:
    port = free_port()
    directory.mkdir(parents=True)
    server = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _answers(port), 15, "redis-server")
        return run_system(
            "one Redis, 1 shard",
            directory / "var",
            f"redis://127.0.0.1:{port}/0",
            [Node(port, server.pid)],
            {},
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with redis.Redis(port=port, socket_timeout=0.5) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


def cluster(directory: Path) -> Run:
    ports: list[int] = []
    while len(ports) < 6:
        port = free_port(bus=True)
        if port not in ports and port + 10_000 not in ports:
            ports.append(port)
    processes = start_local_cluster(directory, ports)
    try:
        nodes = []
        for port, process in zip(ports, processes, strict=True):
            with redis.Redis(port=port) as client:
                role = client.info("replication")["role"]
            nodes.append(Node(port, process.pid, "master" if role == "master" else "replica"))
        return run_system(
            "Redis Cluster 3+3, 6 shards",
            directory / "var",
            f"redis://127.0.0.1:{ports[0]}",
            nodes,
            {"REDIS_CLUSTER": "true", "STREAM_SHARDS": "6"},
        )
    finally:
        stop_nodes(processes)


def report(run: Run) -> None:
    print(f"\n{run.name}: {run.stories_per_second:.2f} stories/s ({run.elapsed:.1f} s)")
    print(f"  {'node':>6} {'role':>8} {'cpu s':>7} {'keys':>6} {'memory MB':>10}")
    for node in run.nodes:
        print(
            f"  {node['port']:>6} {node['role']:>8} {node['cpu_s']:>7.2f} {node['keys']:>6} "
            f"{node['memory_mb']:>10.2f}"
        )


def main() -> int:
    print(f"{STORIES} stories through ingest → enrich → render, twice", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        single = single_redis(Path(tmp) / "single")
        report(single)
        clustered = cluster(Path(tmp) / "cluster")
        report(clustered)
    ratio = clustered.stories_per_second / single.stories_per_second
    masters = [node for node in clustered.nodes if node["role"] == "master"]
    keys = sum(node["keys"] for node in masters)
    biggest = max(node["keys"] for node in masters) / keys if keys else 0.0
    print(
        f"\ncluster / single throughput: {ratio:.2f} (goal ≥ 0.80: "
        f"{'met' if ratio >= 0.8 else 'NOT met'})"
    )
    print(
        f"largest master's share of the keys: {biggest:.0%} (goal ≤ 50 %: "
        f"{'met' if biggest <= 0.5 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
