"""Fixtures every test tree shares: real servers, private to the test session.

The machine's Redis (6379) is shared with other work, so tests run their own redis-server on a
free port in a temporary directory; nothing here touches the shared one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from support.servers import RedisServer, free_port

__all__ = ["RedisServer", "free_port"]

REPO_ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A clean Redis (all keys flushed) on the session's private server."""
    client = redis.Redis(port=redis_server.port)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared wire corpus; licences forbid copying it into the repo."""
    path = Path(os.environ.get("NEWSROOM_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))
    if not path.is_dir():
        raise RuntimeError(f"wire corpus not found at {path}; set NEWSROOM_CORPUS")
    return path


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database (SQLAlchemy asyncpg URL) on the machine's server, dropped
    afterwards. POSTGRES_ADMIN_DSN names a server where we may CREATE DATABASE."""
    import asyncio
    import uuid

    import asyncpg

    admin = os.environ.get("POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"newsroom_test_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    yield f"{base}/{name}"
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each backend a service supports: an SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    return str(request.getfixturevalue("postgres_url"))
