"""`newsroom-render build-pages`: the page builder (application.build_pages) in worker
processes, each rendering the pages of one partition of the stories (by the same stable hash
as a replay's partitions), for a read model just replayed or after a deploy that changed how
pages look. The render service runs the same builder in the background (bootstrap)."""

from __future__ import annotations

from functools import partial

from newsroom.render.adapters.bulk_load import settle_bulk_load
from newsroom.render.adapters.page_build_store import SqlPageBuildStore
from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork
from newsroom.render.adapters.write_turn import Lock
from newsroom.render.application.build_pages import PageBuildStats, build_pages
from newsroom.render.application.partitions import Partition
from newsroom.render.bootstrap import open_read_model
from newsroom.render.entrypoints.article_html import article_pages_for
from newsroom.render.entrypoints.partition_workers import PartitionWorkers, Progress
from newsroom.shared.settings import RenderSettings

PageBuildWorkers = PartitionWorkers[PageBuildStats]


async def build_partition_pages(
    settings: RenderSettings,
    url: str,
    partition: Partition,
    progress: Progress,
    write_lock: Lock | None = None,
) -> PageBuildStats:
    """Store the missing pages of `partition`'s stories in the read model at `url`."""
    runner = open_read_model(url, write_lock)
    try:
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        return await build_pages(
            store, article_pages_for(settings), partition=partition, progress=progress
        )
    finally:
        await runner.dispose()


async def pages_waiting(settings: RenderSettings, url: str) -> int:
    """How many listed stories in the read model at `url` have no page of this build."""
    runner = open_read_model(url)
    try:
        store = SqlPageBuildStore(ReadModelUnitOfWork(runner))
        return await store.count_waiting(article_pages_for(settings).build)
    finally:
        await runner.dispose()


async def settle_pages(url: str) -> None:
    """The stored pages' table after a build that wrote many (adapters.bulk_load)."""
    runner = open_read_model(url)
    try:
        await settle_bulk_load(runner.engine, "article_pages")
    finally:
        await runner.dispose()


def page_build_workers(settings: RenderSettings, url: str, *, workers: int) -> PageBuildWorkers:
    return PartitionWorkers(
        partial(build_partition_pages, settings, url),
        PageBuildStats,
        database_url=url,
        workers=workers,
        name="build-pages",
    )
