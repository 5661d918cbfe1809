"""Use the Redis at REDIS_URL if one answers; otherwise start a local one with its data under ./var."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import redis


def answers(url: str, timeout: float = 1.0) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError):
        return False
    finally:
        client.close()


def durable_options(data: Path) -> list[str]:
    """The options of every Redis `newsroom up` starts: data under `data`, AOF fsynced every
    second and no RDB snapshots, and no eviction (a stream entry must never be evicted)."""
    return [
        "--dir",
        str(data),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
        "--logfile",
        str(data / "redis.log"),
    ]


def start_local_redis(url: str, var_dir: Path) -> subprocess.Popen[bytes]:
    """A redis-server with AOF persistence (streams are the pipeline's transport: keep them)."""
    parsed = urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(
            f"No Redis answers at {url}, and it is not a local address to start one on."
        )
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "No Redis answers and redis-server is not installed (apt-get install redis-server)."
        )
    data = var_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [
            binary,
            "--port",
            str(parsed.port or 6379),
            "--bind",
            "127.0.0.1",
            *durable_options(data),
        ],
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if answers(url, timeout=0.2):
            return process
        if process.poll() is not None:
            raise SystemExit(f"redis-server exited; see {data / 'redis.log'}")
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"redis-server did not answer at {url} within 15 s")
