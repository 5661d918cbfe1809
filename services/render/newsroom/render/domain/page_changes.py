"""PageChanged events: which pages an event or an embargo lifting changed (domain.pages), as the
events caches read from the pages stream, with ids derived from their cause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsroom.render.domain.pages import (
    Footprint,
    PageChange,
    change_reason,
    changed_pages,
    footprint,
)
from newsroom.render.domain.projection import ArticleState, RenderEvent
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleReceived,
    ArticleUpdated,
    ArticleWithdrawn,
    PageChanged,
    PageChangedData,
)
from newsroom.shared.ids import derived_event_id

SOURCE = "/newsroom/render"

# The reason a PageChanged gives when the event changed a page without publishing, hiding or
# withdrawing the story.
_EVENT_KINDS = {
    ArticleReceived.TYPE: "article-received",
    ArticleUpdated.TYPE: "article-updated",
    ArticleWithdrawn.TYPE: "article-withdrawn",
    ArticleEnriched.TYPE: "article-enriched",
}


def event_kind(event: RenderEvent) -> str:
    return _EVENT_KINDS[event.type]


@dataclass
class PageChangeLog:
    """The PageChanged of one transaction, and the paths whose Last-Modified moves."""

    base_url: str
    events: list[PageChanged] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # Each article's footprint after its latest event here: the next event's "before".
    _footprints: dict[str, Footprint] = field(default_factory=dict)

    def after_event(
        self, before: ArticleState | None, after: ArticleState, event: RenderEvent, now: datetime
    ) -> None:
        """Record the pages `event` changed, taking `before` to `after`."""
        reason = change_reason(before, after, now, event_kind(event))
        was = self._footprints.get(after.article_id) or footprint(before, now)
        self._footprints[after.article_id] = now_shown = footprint(after, now)
        changes = changed_pages(was, now_shown, reason, after.article_id)
        version = (
            event.data.version
            if isinstance(event, ArticleEnriched)
            else (after.current.version if after.current else None)
        )
        self._record(changes, after.article_id, version, event.id, event.correlationid, now)

    def after_embargo_lifted(self, state: ArticleState, now: datetime) -> None:
        """Record the pages a story's embargo opened when it lifted by the clock (no event)."""
        lifted_at = state.visible_from or now
        just_before = lifted_at - timedelta(microseconds=1)
        changes = changed_pages(
            footprint(state, just_before),
            footprint(state, now),
            "embargo-lifted",
            state.article_id,
        )
        version = state.current.version if state.current else None
        cause = f"embargo-lifted:{state.article_id}:{version}:{lifted_at.isoformat()}"
        self._record(changes, state.article_id, version, cause, cause, now)

    def _record(
        self,
        changes: list[PageChange],
        article_id: str,
        version: str | None,
        cause_id: str,
        correlation_id: str,
        now: datetime,
    ) -> None:
        self.paths += [change.path for change in changes]
        self.events += [
            page_changed(
                change.path,
                change.reason,
                article_id,
                version,
                base_url=self.base_url,
                cause_id=cause_id,
                correlation_id=correlation_id,
                now=now,
            )
            for change in changes
        ]


def page_changed(
    path: str,
    reason: str,
    article_id: str,
    version: str | None,
    *,
    base_url: str,
    cause_id: str,
    correlation_id: str,
    now: datetime,
) -> PageChanged:
    """The PageChanged of the page at `path` (its absolute URL under `base_url`)."""
    return PageChanged.create(
        # Deterministic: a retried or replayed cause yields the same PageChanged id.
        id=derived_event_id(f"page-changed:{path}", cause_id),
        source=SOURCE,
        subject=article_id,
        time=now,
        correlationid=correlation_id,
        causationid=cause_id,
        data=PageChangedData(
            url=base_url + path,
            reason=reason,
            article_id=article_id,
            article_version=version,
        ),
    )
