"""Helpers of the archive tests: events shaped as ingest and enrich write them, published
through FastStream as they publish, and an archive service run in this process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from faststream.redis import RedisBroker

from newsroom.archive.bootstrap import ArchiveService
from newsroom.shared.ids import article_event_id, article_id, derived_event_id
from newsroom.shared.settings import ArchiveSettings
from newsroom.shared.streams import articles_stream, enriched_stream


def article_event(number: int, version: str = "1") -> dict[str, Any]:
    """The envelope attributes the archive reads (the data is kept as it is, unread)."""
    uri = f"urn:newsroom:test:{number}"
    return {
        "specversion": "1.0",
        "id": article_event_id("test", uri, version),
        "source": "urn:newsroom:ingest",
        "type": "newsroom.article.received.v1",
        "subject": article_id("test", uri),
        "time": "2021-09-20T09:00:00Z",
        "datacontenttype": "application/json",
        "correlationid": f"delivery-{number}",
        "causationid": None,
        "data": {"number": number, "version": version},
    }


def enriched_event(article: dict[str, Any]) -> dict[str, Any]:
    return {
        **article,
        "id": derived_event_id("enriched", article["id"]),
        "source": "urn:newsroom:enrich",
        "type": "newsroom.article.enriched.v1",
        "causationid": article["id"],
        "data": {"entities": []},
    }


async def publish(redis_url: str, stream: str, bodies: Sequence[dict[str, Any]]) -> list[str]:
    """XADDs through FastStream as ingest's relay does; the entry ids."""
    broker = RedisBroker(redis_url)
    await broker.connect()
    ids = []
    try:
        for body in bodies:
            entry = await broker.publish(
                body, stream=stream, headers={"message_id": str(body["id"])}
            )
            ids.append(entry.decode() if isinstance(entry, bytes) else str(entry))
    finally:
        await broker.stop()
    return ids


async def wait_until(check: Callable[[], Any], *, what: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running_archive(
    redis_url: str, database_url: str, **settings: Any
) -> AsyncIterator[ArchiveService]:
    """The archive service's consumers and trimmer, started as its app starts them."""
    service = ArchiveService(
        ArchiveSettings(
            redis_url=redis_url,
            database_url=database_url,
            log_format="console",
            **settings,
        )
    )
    await service.on_startup()
    await service.broker.start()
    try:
        yield service
    finally:
        await service.broker.stop()
        await service.on_shutdown()
        await service.after_shutdown()


def body_json(body: dict[str, Any]) -> str:
    return json.dumps(body)


STREAMS = (articles_stream(), enriched_stream())
