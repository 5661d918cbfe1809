"""`newsroom up`: the whole system on one machine, every log in one terminal."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from honcho.manager import Manager
from honcho.printer import Message

from newsroom.cli import redis_cluster_local as cluster
from newsroom.cli.local_sources import DEMO_SOURCE, ensure_demo_source, sources_file
from newsroom.cli.redis_cluster_local import start_local_cluster, stop_nodes
from newsroom.cli.redis_local import answers, start_local_redis
from newsroom.cli.supervisor import SupervisingManager


@dataclass(frozen=True)
class Ports:
    ingest: int = 8001
    render: int = 8002
    enrich: int = 8003  # the second enrich worker takes the next port
    archive: int = 8005


# Two enrich workers in one consumer group: the NLP uses both cores, as compose's replicas do.
ENRICH_WORKERS = 2


def service_environments(var_dir: Path, redis_url: str, ports: Ports) -> dict[str, dict[str, str]]:
    """The environment of each process, by process name (the same variables compose sets)."""
    var = var_dir.resolve()
    common = {"REDIS_URL": redis_url, "HTTP_HOST": "127.0.0.1"}
    render_url = f"http://127.0.0.1:{ports.render}"
    # The event store: the archive writes it, ingest re-publishes from it what Redis loses,
    # render's replay reads it.
    archive_db = f"sqlite+aiosqlite:///{var}/archive.db"
    return {
        "ingest": {
            **common,
            "HTTP_PORT": str(ports.ingest),
            "DATABASE_URL": f"sqlite+aiosqlite:///{var}/ingest.db",
            "NEWSROOM_SOURCES_FILE": str(sources_file(var)),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports.ingest}",
            "RENDER_BASE_URL": render_url,
            "ARCHIVE_DATABASE_URL": archive_db,
        },
        **{
            "enrich" if n == 0 else f"enrich-{n + 1}": {
                **common,
                "HTTP_PORT": str(ports.enrich + n),
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports.enrich + n}",
            }
            for n in range(ENRICH_WORKERS)
        },
        "render": {
            **common,
            "HTTP_PORT": str(ports.render),
            "DATABASE_URL": f"sqlite+aiosqlite:///{var}/render.db",
            "PUBLIC_BASE_URL": render_url,
            "ARCHIVE_DATABASE_URL": archive_db,
        },
        "archive": {
            **common,
            "HTTP_PORT": str(ports.archive),
            "DATABASE_URL": archive_db,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports.archive}",
            "INGEST_DATABASE_URL": f"sqlite+aiosqlite:///{var}/ingest.db",
        },
    }


def _service_command(name: str) -> str:
    # The console script installed next to this interpreter, so `up` works without an
    # activated virtualenv.
    script = Path(sys.executable).with_name(f"newsroom-{name}")
    return f"{shlex.quote(str(script))} serve"


def _announce_when_ready(manager: Manager, urls: dict[str, str], stop: threading.Event) -> None:
    pending = dict(urls)
    while pending and not stop.is_set():
        for name, url in list(pending.items()):
            try:
                if httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                    # Through honcho's own queue, so the line is printed in order with the rest.
                    manager.events.put(
                        Message("line", f"{name} ready at {url}\n", datetime.now(), "system", None)
                    )
                    del pending[name]
            except httpx.HTTPError:
                pass
        stop.wait(0.5)


def run_system(var_dir: Path, redis_url: str, ports: Ports, *, redis_cluster: bool = False) -> int:
    """With `redis_cluster`, on a local Redis Cluster (started if need be) with the event log
    in STREAM_SHARDS (default 6) shards."""
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = ensure_demo_source(var_dir)
    own_redis: subprocess.Popen[bytes] | None = None
    cluster_nodes: list[subprocess.Popen[bytes]] = []
    cluster_env: dict[str, str] = {}
    if redis_cluster:
        print(f"Redis Cluster: 3 masters + 3 replicas at {cluster.URL} … :7005", flush=True)
        cluster_nodes = start_local_cluster(var_dir)
        redis_url = cluster.URL
        cluster_env = {
            "REDIS_CLUSTER": "true",
            "STREAM_SHARDS": os.environ.get("STREAM_SHARDS", "6"),
        }
    elif not answers(redis_url):
        print(f"No Redis at {redis_url}: starting one (data in {var_dir / 'redis'})", flush=True)
        own_redis = start_local_redis(redis_url, var_dir)

    print(
        f"Newsroom starting\n"
        f"  ingest  http://127.0.0.1:{ports.ingest}  (POST /v1/sources/{DEMO_SOURCE}/items)\n"
        f"  render  http://127.0.0.1:{ports.render}\n"
        f"  enrich  http://127.0.0.1:{ports.enrich} and :{ports.enrich + 1}  (two workers; health, metrics)\n"
        f"  archive http://127.0.0.1:{ports.archive}  (the event store; health, metrics)\n"
        f"  source  {DEMO_SOURCE}  secret {secret}\n"
        f"Send the seed story:  newsroom send ../shared/corpus/seed/space-race-2.v1.ninjs.json\n"
        f"A service that dies is restarted (with backoff). Ctrl-C stops everything.",
        flush=True,
    )
    manager = SupervisingManager()
    environments = service_environments(var_dir, redis_url, ports)
    for name, env in environments.items():
        service = name.split("-")[0]
        manager.add_process(
            name, _service_command(service), env={**os.environ, **env, **cluster_env}
        )
    stop = threading.Event()
    urls = {name: f"http://127.0.0.1:{env['HTTP_PORT']}" for name, env in environments.items()}
    watcher = threading.Thread(target=_announce_when_ready, args=(manager, urls, stop), daemon=True)
    watcher.start()
    try:
        manager.loop()
    finally:
        stop.set()
        stop_nodes(cluster_nodes)
        if own_redis is not None:
            own_redis.terminate()
            try:
                own_redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                own_redis.kill()
    return int(manager.returncode or 0)
