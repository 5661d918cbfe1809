"""A story's page not kept (entrypoints.kept): read as stored, it is answered and kept under
the read model's version it was read at, without the version being read first (on PostgreSQL
a round trip of its own); a story with no stored page, or one that cannot be read, takes the
usual path: the version read, then the page built and kept under it."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from newsroom.render.entrypoints.caching import Representation, etag_of, gzip_form
from newsroom.render.entrypoints.kept import Keep, KeptPages, ServeKeptPages

Answer = tuple[Representation, Keep]


class CountedVersion:
    def __init__(self, now: int) -> None:
        self.now = now
        self.reads = 0

    async def __call__(self) -> int:
        self.reads += 1
        return self.now

    async def close(self) -> None:
        return None


class Site:
    """The article reads behind the kept pages: stored pages by slug, and the built ones."""

    def __init__(self, stored: dict[str, Answer], stored_gzip: dict[str, Answer] | None = None):
        """`stored_gzip`: the stored pages as read with their gzip forms."""
        self.stored = stored
        self.stored_gzip = stored_gzip or stored
        self.stored_reads: list[str] = []
        self.with_gzip: list[bool] = []  # whether each read asked for the gzip form
        self.built: list[str] = []
        self.failures = 0  # stored reads to fail, from the next one

    async def stored_article(self, slug: str, with_gzip: bool) -> Answer | None:
        self.stored_reads.append(slug)
        self.with_gzip.append(with_gzip)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the connection was lost")
        return (self.stored_gzip if with_gzip else self.stored).get(slug)

    async def article(self, slug: str, not_stored: bool, with_gzip: bool) -> Answer:
        """As the route: the stored page (unless just read and not there), else built."""
        if not not_stored and (stored := await self.stored_article(slug, with_gzip)) is not None:
            return stored
        self.built.append(slug)
        return Representation(f"built {slug}".encode(), "text/html", None), Keep("article")


async def _no_full_path(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("an article is answered ahead of the framework")


def serving(site: Site, version: CountedVersion) -> httpx.AsyncClient:
    kept = KeptPages(version, lambda: datetime.now(UTC), 16)
    front = ServeKeptPages(
        _no_full_path,
        kept,
        minimum_compressed=10_000,
        article=site.article,
        stored_article=site.stored_article,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://render")


def _stored(body: bytes, read_at: int) -> Answer:
    return Representation(body, "text/html", None), Keep("article", read_at=read_at)


async def test_a_stored_page_not_kept_is_kept_under_the_version_it_was_read_at() -> None:
    version = CountedVersion(now=5)
    site = Site({"a": _stored(b"stored a", read_at=5)})
    async with serving(site, version) as client:
        first = await client.get("/articles/a")
        assert (first.status_code, first.content) == (200, b"stored a")
        assert version.reads == 0, "no version read before the page"
        again = await client.get("/articles/a")
        assert again.content == b"stored a"
        assert (version.reads, site.stored_reads) == (1, ["a"]), "answered as kept"

        version.now = 6  # a commit: the kept page is read again
        assert (await client.get("/articles/a")).content == b"stored a"
        assert site.stored_reads == ["a", "a"]
        assert site.built == []


async def test_a_page_read_at_an_older_version_than_now_is_not_answered_as_kept() -> None:
    version = CountedVersion(now=6)
    site = Site({"a": _stored(b"stored a", read_at=5)})  # read before a commit
    async with serving(site, version) as client:
        await client.get("/articles/a")
        await client.get("/articles/a")
        assert site.stored_reads == ["a", "a"]


async def test_a_story_without_a_stored_page_is_built_and_kept_under_the_version_read_first() -> (
    None
):
    version = CountedVersion(now=5)
    site = Site({})
    async with serving(site, version) as client:
        first = await client.get("/articles/b")
        assert first.content == b"built b"
        assert (version.reads, site.built) == (1, ["b"])
        assert site.stored_reads == ["b"], "the stored page read once, not again to build it"
        assert (await client.get("/articles/b")).content == b"built b"
        assert (version.reads, site.built) == (2, ["b"]), "answered as kept"


async def test_a_stored_page_that_cannot_be_read_takes_the_usual_path() -> None:
    version = CountedVersion(now=5)
    site = Site({"a": _stored(b"stored a", read_at=5)})
    site.failures = 1
    async with serving(site, version) as client:
        assert (await client.get("/articles/a")).content == b"stored a"
        assert (version.reads, site.stored_reads) == (1, ["a", "a"])


async def test_a_client_that_takes_gzip_is_sent_the_gzip_form_stored_with_the_page() -> None:
    """Compressing a page not in memory on each read cost more than the rest of the request:
    the form stored with the page is sent as it was read (compressed here at another level
    than render's, so that a form made on the way would not match it). It is read without
    the html, which the page kept gives a client that does not take gzip from that form."""
    body = b"<p>The council met on Tuesday and voted the plan through.</p>" * 40
    stored_form = gzip.compress(body, compresslevel=1, mtime=0)
    assert stored_form != gzip_form(body)
    with_form = Representation(
        None, "text/html", None, etag=etag_of(body), gzipped=stored_form, size=len(body)
    )
    site = Site(
        {"a": _stored(body, read_at=5), "b": _stored(body, read_at=5)},
        stored_gzip={"a": (with_form, Keep("article", read_at=5))},
    )
    async with serving(site, CountedVersion(now=5)) as client:
        async with client.stream("GET", "/articles/a", headers={"accept-encoding": "gzip"}) as sent:
            assert sent.headers["content-encoding"] == "gzip"
            assert b"".join([chunk async for chunk in sent.aiter_raw()]) == stored_form
        kept = await client.get("/articles/a", headers={"accept-encoding": "identity"})
        assert kept.content == body, "the kept page answers either client"
        assert (site.stored_reads, site.with_gzip) == (["a"], [True])

        identity = await client.get("/articles/b", headers={"accept-encoding": "identity"})
        assert identity.content == body
        assert (site.stored_reads, site.with_gzip) == (["a", "b"], [True, False])


def test_a_page_read_as_its_gzip_form_weighs_and_answers_as_its_html_would() -> None:
    """A page read without its html (for a client that takes gzip) answers a client that does
    not with the html, headers and all, as the page read whole does; and needs its gzip form,
    ETag and size to be made at all."""
    body = b"<p>Flooding closed the ring road for a second day.</p>" * 30
    whole = Representation(body, "text/html", None, gzipped=gzip_form(body))
    from_gzip = Representation(
        None, "text/html", None, etag=whole.etag, gzipped=gzip_form(body), size=len(body)
    )
    assert from_gzip.size == whole.size == len(body)
    for accept_encoding in ("gzip", "identity", None):
        assert from_gzip.wire(None, None, accept_encoding, 500) == whole.wire(
            None, None, accept_encoding, 500
        )
    for missing in ("etag", "gzipped", "size"):
        arguments: dict[str, Any] = {"etag": whole.etag, "gzipped": gzip_form(body), "size": 1}
        with pytest.raises(ValueError, match="without its body"):
            Representation(None, "text/html", None, **{**arguments, missing: None})
