"""The article use case: a visible story's document (its page or its JSON). A page the
projector stored with the story is served as stored (one read, nothing built: see
entrypoints.article_html); otherwise the row is looked up and the page cache asked in one read
step (one hand-off to the database thread, not one per
statement); a document not cached is then built on the caller's thread, the event loop.
Building is pure Python under the GIL: done in the database thread it ran no faster, cost
about a fifth more CPU a page under load (the GIL handed between threads) and held a pooled
connection meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from newsroom.render.application.ports import ArticleKey, Clock, DocumentCache, ReadModel
from newsroom.render.domain.errors import StoryNotFound, StoryWithdrawn
from newsroom.render.domain.projection import ArticleState, ArticleStatus
from newsroom.render.domain.read_model import StoredArticle, StoredPage

# Builds a document of a story (None: it has no current version to show).
Build = Callable[[ArticleState], bytes | None]


def visible_article(stored: StoredArticle | None, now: datetime, what: str) -> StoredArticle:
    """The story if readers may see it now; a withdrawn one is gone (410), and one embargoed,
    held or not yet received is indistinguishable from absent on purpose (404)."""
    if stored is not None and stored.status == ArticleStatus.WITHDRAWN:
        withdrawal = stored.state.withdrawal
        raise StoryWithdrawn(
            "The source withdrew this story; it must not be shown.",
            article_id=stored.article_id,
            ednote=withdrawal.ednote if withdrawal else None,
        )
    if stored is None or not stored.is_visible(now):
        raise StoryNotFound(f"No published story {what}.")
    return stored


class ArticleDocuments:
    """Documents of visible stories, by (article id, kind, row revision) in the cache: the
    revision changes on every save, so an entry is never stale. Embargo and withdrawal are
    checked on the row on every request, before the cache."""

    def __init__(
        self,
        read_model: ReadModel,
        cache: DocumentCache,
        clock: Clock,
        page_build: str | None = None,
    ) -> None:
        """`page_build`: the build of this process's pages (ports.ArticlePages.build), whose
        stored pages it serves (None: it builds every page)."""
        self.read_model = read_model
        self.cache = cache
        self.clock = clock
        self.page_build = page_build

    async def stored_page(self, slug: str, with_gzip: bool = False) -> StoredPage | None:
        """The page stored with the story at `slug` by this process's build (`with_gzip`: its
        gzip form instead of its html, where stored), if readers may see the story now (else
        None: the story's document tells why, or builds its page)."""
        if self.page_build is None:
            return None
        page = await self.read_model.stored_page(slug, self.page_build, with_gzip)
        return page if page is not None and page.is_visible_by(self.clock) else None

    async def document(
        self, key: ArticleKey, kind: str, build: Build
    ) -> tuple[StoredArticle, bytes]:
        now = self.clock()
        what = key.described

        def step(stored: StoredArticle | None) -> tuple[StoredArticle, bytes | None]:
            shown = visible_article(stored, now, what)
            return shown, self.cache.get((shown.article_id, kind, shown.revision))

        shown, body = await self.read_model.with_article(key, step)
        if body is None:
            body = build(shown.state)
            if body is None:
                raise StoryNotFound(f"No story {what}.")
            self.cache.put((shown.article_id, kind, shown.revision), body)
        return shown, body
