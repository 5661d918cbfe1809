"""Loading and saving article projections, with their index rows, the inbox and the pages'
change times (application.ports.ArticleStore)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from newsroom.render.adapters.orm import (
    AppliedEventRow,
    ArticleEntityRow,
    ArticleRow,
    Base,
    PageVersionRow,
    TimelineEntryRow,
)
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import entity_rows, timeline_rows

# SQLite allows 32766 bound parameters per statement; stay well below for every backend.
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _table(model: type[Base]) -> Table:
    """A model's table, for Core INSERTs: many plain rows go in one executemany, without the
    ORM's per-row bulk bookkeeping (a third of a replay's insert time)."""
    return cast(Table, model.__table__)


def decode_state(raw: str) -> ArticleState:
    return ArticleState.model_validate_json(raw)


def encode_state(state: ArticleState) -> str:
    return state.model_dump_json()


class ArticleRepository:
    """One unit of work's view of the read model (synchronous: it runs inside one
    UnitOfWorkRunner step); the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, ArticleRow] = {}
        self._applied: list[dict[str, str]] = []

    def applied(self, event_ids: Sequence[str]) -> set[str]:
        seen: set[str] = set()
        for chunk in _chunks(list(event_ids)):
            result = self.session.scalars(
                select(AppliedEventRow.event_id).where(AppliedEventRow.event_id.in_(chunk))
            )
            seen.update(result)
        return seen

    def load(self, article_ids: Iterable[str]) -> dict[str, ArticleState]:
        wanted = [i for i in dict.fromkeys(article_ids) if i not in self._rows]
        for chunk in _chunks(wanted):
            for row in self.session.scalars(
                select(ArticleRow).where(ArticleRow.article_id.in_(chunk))
            ):
                self._rows[row.article_id] = row
        return {article_id: decode_state(row.state) for article_id, row in self._rows.items()}

    def record_applied(self, event_id: str, article_id: str, event_type: str) -> None:
        self._applied.append(
            {"event_id": event_id, "article_id": article_id, "event_type": event_type}
        )

    def lifted_embargoes(self, now: datetime) -> list[ArticleState]:
        """Listed stories whose embargo time has passed by `now` and was not announced yet."""
        rows = list(
            self.session.scalars(
                select(ArticleRow).where(
                    ArticleRow.listed.is_(True),
                    ArticleRow.embargo_announced.is_(False),
                    ArticleRow.visible_from <= now,
                )
            )
        )
        self._rows.update((row.article_id, row) for row in rows)
        return [decode_state(row.state) for row in rows]

    def mark_embargo_announced(self, article_ids: Iterable[str]) -> None:
        for article_id in article_ids:
            self._rows[article_id].embargo_announced = True

    def touch_pages(self, paths: Iterable[str], now: datetime) -> None:
        """Record that these pages changed at `now` (their Last-Modified). HTTP dates have
        whole seconds, so a change moves a page's time past the previous one's second (a change
        in the same second as the last must still fail an If-Modified-Since) — but never more
        than one second ahead of the clock, however many changes a second brings (RFC 9110: no
        Last-Modified later than Date; the ETag tells those changes apart)."""
        wanted = list(dict.fromkeys(paths))
        if not wanted:
            return
        existing: dict[str, datetime] = {}
        for chunk in _chunks(wanted):
            for path, modified in self.session.execute(
                select(PageVersionRow.path, PageVersionRow.modified).where(
                    PageVersionRow.path.in_(chunk)
                )
            ):
                existing[path] = modified
        second = now.replace(microsecond=0)
        fresh = [{"path": p, "modified": second} for p in wanted if p not in existing]
        if fresh:
            # A replica inserting the same path at once makes the commit fail; the unit of
            # work is retried (ProjectEvents.apply) and then updates the row.
            self.session.execute(insert(_table(PageVersionRow)), fresh)
        for path, previous in existing.items():
            modified = max(second, min(previous, second) + timedelta(seconds=1))
            # Only forwards: a replica that committed a later time meanwhile keeps it.
            self.session.execute(
                update(_table(PageVersionRow))
                .where(PageVersionRow.path == path, PageVersionRow.modified < modified)
                .values(modified=modified)
            )

    def save(self, states: Iterable[ArticleState], now_visible: dict[str, bool]) -> None:
        """Write each state and rebuild its index rows. `now_visible` says, per article,
        whether it is visible at save time (an embargo already past needs no announcement)."""
        states = list(states)
        for state in states:
            article = state.article
            current = state.current
            row = self._rows.get(state.article_id)
            if row is None:
                row = ArticleRow(article_id=state.article_id)
                self.session.add(row)
                self._rows[state.article_id] = row
            row.slug = state.slug
            row.status = state.status.value
            row.listed = state.listed
            row.visible_from = state.visible_from
            row.embargo_announced = now_visible.get(state.article_id, True) or not state.listed
            row.headline = article.headline if article else None
            row.standfirst = article.standfirst if article else None
            row.byline = article.byline if article else None
            row.urgency = article.urgency if article else None
            row.version = current.version if current else None
            row.versioncreated = current.versioncreated if current else None
            row.firstcreated = (
                (article.firstcreated or (state.history[0].versioncreated)) if article else None
            )
            row.last_modified = state.last_event_time
            row.state = encode_state(state)
        self.session.flush()
        ids = [state.article_id for state in states]
        for chunk in _chunks(ids):
            self.session.execute(
                delete(ArticleEntityRow).where(ArticleEntityRow.article_id.in_(chunk))
            )
            self.session.execute(
                delete(TimelineEntryRow).where(TimelineEntryRow.article_id.in_(chunk))
            )
        entity_values = [
            {
                "article_id": state.article_id,
                "entity_id": row.entity_id,
                "name": row.name,
                "type": row.type,
                "mention_count": row.mention_count,
                "salience": row.salience,
                "sentence": row.sentence,
            }
            for state in states
            for row in entity_rows(state)
        ]
        timeline_values = [
            {
                "article_id": state.article_id,
                "position": row.position,
                "value": row.value,
                "type": row.type,
                "granularity": row.granularity,
                "mod": row.mod,
                "text": row.text,
                "sentence": row.sentence,
                "entity_ids": json.dumps(list(row.entity_ids)),
            }
            for state in states
            for row in timeline_rows(state)
        ]
        if self._applied:
            # A concurrent writer that applied the same event makes this insert fail, and the
            # whole unit of work (effect included) is retried and then finds it applied.
            self.session.execute(insert(_table(AppliedEventRow)), self._applied)
            self._applied = []
        if entity_values:
            self.session.execute(insert(_table(ArticleEntityRow)), entity_values)
        if timeline_values:
            self.session.execute(insert(_table(TimelineEntryRow)), timeline_values)
