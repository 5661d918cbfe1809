"""A list page is built once per recorded change (revision) of its footprint path."""

from __future__ import annotations

from typing import Any

from newsroom.render.adapters.page_cache import PageCache
from newsroom.render.application.ports import BuiltPage
from newsroom.render.application.read_lists import ListPages


class Versions:
    """The read model as far as the list cache reads it: page change times."""

    def __init__(self) -> None:
        self.revisions: dict[str, int] = {}

    async def page_revision(self, path: str) -> int | None:
        return self.revisions.get(path)


async def test_a_list_page_is_kept_until_its_footprint_changes() -> None:
    versions = Versions()
    lists = ListPages(versions, PageCache(8))  # type: ignore[arg-type]
    builds: list[str] = []

    def builder(body: str) -> Any:
        async def build() -> BuiltPage:
            builds.append(body)
            return BuiltPage(body.encode(), None, {})

        return build

    # never recorded (a replayed model): kept until the first change
    assert (await lists.page("/", "/?per_page=5", builder("a"))).body == b"a"
    assert (await lists.page("/", "/?per_page=5", builder("b"))).body == b"a"
    versions.revisions["/"] = 1
    assert (await lists.page("/", "/?per_page=5", builder("c"))).body == b"c"
    assert (await lists.page("/", "/?per_page=5", builder("d"))).body == b"c"  # kept
    assert (await lists.page("/", "/", builder("e"))).body == b"e"  # another URL
    versions.revisions["/"] = 2  # the projector changed the page (in the same second)
    assert (await lists.page("/", "/?per_page=5", builder("f"))).body == b"f"
    assert builds == ["a", "c", "e", "f"]


def test_a_page_cache_with_a_byte_budget_drops_its_oldest_pages_to_stay_within_it() -> None:
    cache: PageCache[str, bytes] = PageCache(100, max_bytes=1000, weigh=len)
    for name in "abcd":
        cache.put(name, b"x" * 300)
    # a, b, c fill 900 bytes; d pushes out a, the least recently used
    assert cache.get("a") is None
    assert [cache.get(name) is not None for name in "bcd"] == [True, True, True]
    assert cache.bytes == 900
    cache.put("huge", b"x" * 1001)  # larger than the whole budget: not kept, nothing dropped
    assert cache.get("huge") is None
    assert cache.get("b") is not None
    cache.put("b", b"x" * 100)  # replaced: its old weight is given back
    assert cache.bytes == 700
