"""A burst of requests for a page not kept yet builds it once (entrypoints.kept): the requests
arriving while it is built, under the same read-model version, wait for that build and answer
what it kept. A new version builds again; a page the full path does not keep is answered by
the full path for every request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from newsroom.render.entrypoints.caching import Representation
from newsroom.render.entrypoints.kept import Keep, KeptPages, ServeKeptPages, keep_page

BURST = 16  # wrk's connections in the benchmark


class SettableVersion:
    def __init__(self) -> None:
        self.now = 1

    async def __call__(self) -> int:
        return self.now

    async def close(self) -> None:
        return None


def full_path(
    builds: list[str], *, status: int = 200
) -> Callable[[Any, Any, Any], Awaitable[None]]:
    """The app behind the kept pages: slow to build, keeps what it answers with 200."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        builds.append(scope["path"])
        number = len(builds)
        await asyncio.sleep(0.05)  # its queries: the burst arrives meanwhile
        body = f"{scope['path']} built #{number}".encode()
        if status == 200:
            keep_page(scope, Representation(body, "text/html", None), Keep())
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/html")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def serving(app: Any, version: SettableVersion) -> httpx.AsyncClient:
    kept = KeptPages(version, lambda: datetime.now(UTC), 16)
    front = ServeKeptPages(app, kept, minimum_compressed=10_000)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://render")


async def burst(client: httpx.AsyncClient, path: str) -> list[tuple[int, str]]:
    answers = await asyncio.gather(*(client.get(path) for _ in range(BURST)))
    return [(answer.status_code, answer.text) for answer in answers]


async def test_a_burst_for_a_page_not_kept_builds_it_once_and_everyone_gets_it() -> None:
    builds: list[str] = []
    async with serving(full_path(builds), SettableVersion()) as client:
        answers = await burst(client, "/feed.atom")
        assert builds == ["/feed.atom"]
        assert answers == [(200, "/feed.atom built #1")] * BURST
        # kept from then on
        assert (await client.get("/feed.atom")).text == "/feed.atom built #1"
        assert builds == ["/feed.atom"]


async def test_each_url_and_each_version_is_built_on_its_own() -> None:
    builds: list[str] = []
    version = SettableVersion()
    async with serving(full_path(builds), version) as client:
        front, feed = await asyncio.gather(burst(client, "/"), burst(client, "/feed.atom"))
        assert sorted(builds) == ["/", "/feed.atom"]
        assert len({text for _, text in front}) == 1
        assert len({text for _, text in feed}) == 1
        # A commit moved the version: the page is built again, once, and served new.
        version.now = 2
        again = await burst(client, "/")
        assert builds.count("/") == 2
        assert len({text for _, text in again}) == 1
        assert again[0][1] != front[0][1]


async def test_a_page_the_full_path_does_not_keep_is_answered_to_every_request() -> None:
    builds: list[str] = []
    async with serving(full_path(builds, status=404), SettableVersion()) as client:
        answers = await burst(client, "/entities/person/nobody")
        assert [status for status, _ in answers] == [404] * BURST
        # nothing kept: the next request goes down the full path again
        assert (await client.get("/entities/person/nobody")).status_code == 404
        assert len(builds) >= 2


async def test_the_waiters_are_answered_once_the_page_is_kept_not_once_its_reader_read_it() -> None:
    builds: list[str] = []
    started, client_reading = asyncio.Event(), asyncio.Event()

    async def slow_client(scope: Any, receive: Any, send: Any) -> None:
        builds.append(scope["path"])
        started.set()
        await asyncio.sleep(0.05)
        keep_page(scope, Representation(b"the sitemap", "application/xml", None), Keep())
        await client_reading.wait()  # the first reader's socket is full: its send waits
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the sitemap"})

    async with serving(slow_client, SettableVersion()) as client:
        first = asyncio.create_task(client.get("/sitemap.xml"))
        await started.wait()
        others = await asyncio.wait_for(burst(client, "/sitemap.xml"), timeout=5)
        assert others == [(200, "the sitemap")] * BURST
        assert not first.done()
        client_reading.set()
        assert (await first).text == "the sitemap"
        assert builds == ["/sitemap.xml"]
