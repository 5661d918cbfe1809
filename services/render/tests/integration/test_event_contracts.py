"""Render reads the streams through the shared contracts: an older version of an article
event is upcast (newsroom.shared.events.UPCASTERS) before it is told apart from the others."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from faststream.redis import RedisBroker

from newsroom.shared.events.upcasting import UPCASTERS
from newsroom.shared.streams import articles_stream

pytestmark = pytest.mark.integration

OLD_TYPE = "newsroom.article.received.v0"


def _from_v0(body: dict[str, Any]) -> dict[str, Any]:
    """A v0 body called its article `story`."""
    data = dict(body["data"])
    data["article"] = data.pop("story")
    return {**body, "type": "newsroom.article.received.v1", "data": data}


async def test_an_old_event_version_is_upcast_and_projected(
    render_service, redis_url, seed, monkeypatch, eventually
):
    monkeypatch.setitem(UPCASTERS, OLD_TYPE, _from_v0)
    v1 = seed.v1()
    body = v1.to_message()
    body["type"] = OLD_TYPE
    body["data"]["story"] = body["data"].pop("article")
    broker = RedisBroker(redis_url)
    await broker.connect()
    try:
        await broker.publish(body, stream=articles_stream(), headers={"message_id": v1.id})
    finally:
        await broker.stop()

    async with httpx.AsyncClient(base_url=render_service.base_url) as client:

        async def shown() -> httpx.Response | None:
            response = await client.get(f"/api/articles/{seed.article_id}")
            return response if response.status_code == 200 else None

        document = (await eventually(shown)).json()
    assert document["headline"] == seed.v1_article.headline
