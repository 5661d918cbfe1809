"""Stored article pages read from PostgreSQL over asyncpg itself: a pool of a few connections
of its own, each preparing the statement once (asyncpg's statement cache). Through SQLAlchemy's
session the same one-row read paid the session, the greenlet bridge and the result processing
on every request, several times the round trip itself.

The callers of one round of the event loop share one query (`slug = ANY($1)`): the requests
the shared version read (read_model_version.FreshRead) releases at once all ask for their pages
in the same round, and one round trip answers them all instead of one each (on two cores the
server's work per query competes with render's own). The query is sent after every one of them
asked, so it sees every commit the version they read saw. It also reads the snapshot its rows
were read in: a page not kept yet is kept under it, without a round trip for the version
first (entrypoints.kept).

When the pool cannot be had or a read fails, the caller gets None and the request takes the
full path, which builds the page and fails properly if the database is gone; a new pool is
tried no sooner than RECONNECT_PAUSE after a failure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import structlog

from newsroom.render.domain.read_model import StoredPage

log = structlog.get_logger(__name__)

# pg_current_snapshot() in the statement is the snapshot its rows are read in (the active
# one): the version the pages were read at, as adapters.read_model_version reads it.
# For a client that takes gzip, the pages' gzip forms instead of their html, where stored (a
# CASE reads the html only where there is none; octet_length reads the length kept in the
# value's TOAST pointer, not the value); else the html alone.
_COLUMNS = "slug, article_id, visible_from, modified, etag"
_WHERE = "FROM article_pages WHERE slug = ANY($1::text[]) AND build = $2"
STORED_PAGES = {
    False: f"SELECT {_COLUMNS}, html, pg_current_snapshot()::text, NULL::bytea, NULL {_WHERE}",
    True: f"SELECT {_COLUMNS}, CASE WHEN gzipped IS NULL THEN html END, "
    f"pg_current_snapshot()::text, gzipped, octet_length(html) {_WHERE}",
}
APPLICATION_NAME = "newsroom-render-stored-pages"  # in pg_stat_activity
POOL_SIZE = 4  # concurrent reads (one event loop: more would only queue in the server)
TIMEOUT = 2.0  # seconds to connect, or to read, before the full path answers instead
RECONNECT_PAUSE = 0.5


async def _nothing_to_reset(_connection: Any) -> None:
    """The pool's connections only ever run the one SELECT: no session state to undo. (The
    default reset sends a query of its own each time a connection goes back to the pool: a
    second round trip per page.)"""


# The callers by (slug, build, with the gzip form)
Waiting = dict[tuple[str, str, bool], list["asyncio.Future[StoredPage | None]"]]


class PostgresStoredPages:
    def __init__(self, connect_args: Mapping[str, Any]) -> None:
        self._connect_args = connect_args
        self._pool: Any = None  # asyncpg.Pool
        self._opening: asyncio.Lock | None = None
        self._retry_at = 0.0
        self._failing = False
        self._waiting: Waiting | None = None  # the callers of this round of the loop
        self._reads: set[asyncio.Task[None]] = set()

    async def __call__(self, slug: str, build: str, with_gzip: bool = False) -> StoredPage | None:
        loop = asyncio.get_running_loop()
        if self._waiting is None:
            self._waiting = {}
            loop.call_soon(self._send)
        answer: asyncio.Future[StoredPage | None] = loop.create_future()
        self._waiting.setdefault((slug, build, with_gzip), []).append(answer)
        return await answer

    def _send(self) -> None:
        waiting, self._waiting = self._waiting or {}, None
        read = asyncio.create_task(self._read(waiting))
        self._reads.add(read)
        read.add_done_callback(self._reads.discard)

    async def _read(self, waiting: Waiting) -> None:
        found: dict[tuple[str, str, bool], StoredPage] = {}
        try:
            pool = self._pool or await self._open()
            if pool is not None:
                # One build in a process, as a rule: a query for the clients that take gzip
                # and one for those that do not, at most.
                asked: dict[tuple[str, bool], list[str]] = {}
                for slug, build, with_gzip in waiting:
                    asked.setdefault((build, with_gzip), []).append(slug)
                for (build, with_gzip), slugs in asked.items():
                    statement = STORED_PAGES[with_gzip]
                    for row in await pool.fetch(statement, slugs, build, timeout=TIMEOUT):
                        # after the slug, StoredPage's fields in their order (STORED_PAGES)
                        slug, *fields = row
                        found[slug, build, with_gzip] = StoredPage(*fields)
                if self._failing:
                    log.info("stored_pages_readable")
                    self._failing = False
        except Exception as exc:  # whatever went wrong, the full path answers
            self._failed(exc)
            found = {}
        finally:
            # Answered, or (failed, cancelled on close) None: no caller waits for ever.
            for key, answers in waiting.items():
                for answer in answers:
                    if not answer.done():  # its caller may have gone (cancelled)
                        answer.set_result(found.get(key))

    async def _open(self) -> Any:
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:  # one pool, however many requests ask at once
            if self._pool is None and time.monotonic() >= self._retry_at:
                self._retry_at = time.monotonic() + RECONNECT_PAUSE
                arguments = dict(self._connect_args)
                arguments["server_settings"] = {
                    **arguments.get("server_settings", {}),
                    "application_name": APPLICATION_NAME,
                    # The one statement's plan never changes (the slug index, whatever the
                    # slugs): planned again for each read, a read of six pages cost the server
                    # 347 us of CPU against 288 us (PostgreSQL 15 on this two-core machine).
                    "plan_cache_mode": "force_generic_plan",
                }
                self._pool = await asyncpg.create_pool(
                    **arguments,
                    min_size=1,
                    max_size=POOL_SIZE,
                    timeout=TIMEOUT,
                    reset=_nothing_to_reset,
                )
        return self._pool

    def _failed(self, exc: Exception) -> None:
        if not self._failing:
            log.warning("stored_pages_unreadable", error=repr(exc)[:300])
        self._failing = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()  # no goodbye on connections that may be dead

    async def close(self) -> None:
        for read in list(self._reads):
            read.cancel()
        await asyncio.gather(*self._reads, return_exceptions=True)
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
