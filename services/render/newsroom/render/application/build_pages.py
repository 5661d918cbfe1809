"""The page builder: renders and stores the page of every listed story that has no page of
the current build (after a replay, which stores none, or a deploy that changed how pages look).

Pages are rendered outside any transaction and stored in a short one that writes a page only
if its story is still at the revision it was rendered from: the projector, which stores the
page of every story it saves, may save a story meanwhile, and its page then wins. Until a
story's page is stored, a request builds it (entrypoints.pages), so the builder makes pages
cheaper, never correct."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from newsroom.render.application.partitions import WHOLE_LOG, Partition
from newsroom.render.application.ports import (
    ArticlePages,
    Lease,
    PageBuildStore,
    PageSource,
    RenderedPage,
)

Progress = Callable[[int], None]

# Stories read, rendered and stored at a time: a short write transaction, and a few hundred
# kilobytes of pages in memory.
BATCH = 200


@dataclass
class PageBuildStats:
    stories: int = 0  # this partition's stories found without a page of the build
    stored: int = 0  # pages stored (the others changed meanwhile, or have no page)

    def merge(self, other: PageBuildStats) -> None:
        self.stories += other.stories
        self.stored += other.stored


async def build_pages(
    store: PageBuildStore,
    article_pages: ArticlePages,
    *,
    partition: Partition = WHOLE_LOG,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> PageBuildStats:
    """Store the page of each of `partition`'s listed stories that has none of
    `article_pages.build`; `progress` gets how many stories each batch covered. Between pages
    the event loop runs (a server's requests go on while it builds)."""
    build = article_pages.build
    stats = PageBuildStats()
    after: str | None = None
    while ids := await store.waiting(build, after, batch):
        after = ids[-1]
        owned = [article_id for article_id in ids if partition.owns(article_id)]
        pages: list[tuple[PageSource, RenderedPage]] = []
        for source in await store.sources(owned):
            html = article_pages(source.state)
            if html is not None:
                pages.append((source, article_pages.stored_form(html)))
            await asyncio.sleep(0)
        stats.stories += len(owned)
        stats.stored += await store.store(build, pages) if pages else 0
        if progress is not None:
            progress(len(owned))
    return stats


async def build_pages_leased(
    lease: Lease, store: PageBuildStore, article_pages: ArticlePages
) -> PageBuildStats | None:
    """A background round of the builder, run by one process of a deployment at a time: every
    replica runs it, and without the lease each rendered every missing page (None: another
    process holds the lease and builds them)."""
    async with lease.held() as held:
        if not held:
            return None
        return await build_pages(store, article_pages)
