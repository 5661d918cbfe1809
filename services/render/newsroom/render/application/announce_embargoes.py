"""The embargo use case: a story whose embargo time has passed appears by itself (no event),
and caches must learn of it: its pages are announced once, as PageChanged."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from newsroom.render.application.ports import (
    Clock,
    PageOutbox,
    ProjectionTransaction,
    UnitOfWork,
)
from newsroom.render.domain.page_changes import PageChangeLog


class AnnounceLiftedEmbargoes:
    def __init__(
        self,
        unit_of_work: UnitOfWork,
        page_outbox: PageOutbox,
        *,
        public_base_url: str,
        clock: Clock,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.page_outbox = page_outbox
        self.base_url = public_base_url.rstrip("/")
        self.clock = clock

    async def __call__(self) -> int:
        """Queue PageChanged for stories whose embargo time has passed since they were
        saved; how many stories."""
        now = self.clock()
        async with self.unit_of_work.writing():
            announced = await self.unit_of_work.write(
                partial(announce_lifted_embargoes, now=now, base_url=self.base_url)
            )
            if announced:
                self.page_outbox.note_queued()
            return announced


def announce_lifted_embargoes(
    transaction: ProjectionTransaction, now: datetime, base_url: str
) -> int:
    """The unit of work, synchronous."""
    articles = transaction.articles
    lifted = articles.lifted_embargoes(now)
    pages = PageChangeLog(base_url)
    for state in lifted:
        pages.after_embargo_lifted(state, now)
    articles.mark_embargo_announced(state.article_id for state in lifted)
    transaction.page_outbox.enqueue(pages.events)
    articles.touch_pages(pages.paths, now)
    return len(lifted)
