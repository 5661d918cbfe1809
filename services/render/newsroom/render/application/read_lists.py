"""List pages (front page, timeline, entity pages, feed, sitemaps, list API) kept once built,
like article pages, and invalidated by the same footprint: the projector counts a page's
changes (page_versions.revision) in the transaction that changes it, before its PageChanged
goes out, so a page is kept under (its URL, that count). Once a PageChanged is published the
count has moved, and the next request builds the page afresh: nothing is served stale after
its PageChanged. Costs one primary-key read on a hit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from newsroom.render.application.ports import BuiltPage, ListCache, ReadModel


class ListPages:
    def __init__(self, read_model: ReadModel, cache: ListCache) -> None:
        self.read_model = read_model
        self.cache = cache

    async def page(
        self, footprint: str, url: str, build: Callable[[], Awaitable[BuiltPage]]
    ) -> BuiltPage:
        """The page at `url` (path and query), whose content changes with the page at
        `footprint` (the path PageChanged names): kept, or built by `build`."""
        # Never recorded: unchanged since the model was built (a replay records no page
        # versions); its first change records revision 1.
        version = await self.read_model.page_revision(footprint) or 0
        key = (url, version)
        if (kept := self.cache.get(key)) is not None:
            return kept
        built = await build()
        self.cache.put(key, built)
        return built
