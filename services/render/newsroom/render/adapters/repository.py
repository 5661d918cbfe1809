"""Loading and saving article projections, with their index rows, the inbox and the pages'
change times (application.ports.ArticleStore)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from newsroom.render.adapters.orm import (
    AppliedEventRow,
    ArticleEntityRow,
    ArticleRow,
    Base,
    EntityRow,
    PageVersionRow,
    SitemapMonthRow,
    TimelineEntryRow,
)
from newsroom.render.domain.periods import period_start
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.text import language_tag
from newsroom.render.domain.views import entity_rows, timeline_rows

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class MonthCounts:
    """Changes to the sitemap's months: visible stories added or removed, and the newest
    change time each month saw."""

    deltas: dict[str, int] = field(default_factory=dict)
    lastmod: dict[str, datetime] = field(default_factory=dict)

    def add(self, firstcreated: datetime | None, changed: datetime | None, delta: int) -> None:
        if firstcreated is None:
            return
        month = f"{firstcreated.astimezone(UTC):%Y-%m}"
        self.deltas[month] = self.deltas.get(month, 0) + delta
        if changed is not None:
            self.lastmod[month] = max(changed, self.lastmod.get(month, changed))


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
        counted: list[str] = []
        for article_id in article_ids:
            row = self._rows[article_id]
            if row.listed and not row.embargo_announced:
                counted.append(article_id)
            row.embargo_announced = True
        # The stories now visible count for the entities they name.
        deltas: dict[str, int] = {}
        for entity_id, _ in self._mentions(counted):
            deltas[entity_id] = deltas.get(entity_id, 0) + 1
        self._count_entities(deltas, {})
        months = MonthCounts()
        for article_id in counted:
            row = self._rows[article_id]
            months.add(row.firstcreated, row.versioncreated, 1)
        self._count_months(months)

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
        fresh = [
            {"path": p, "modified": second, "revision": 1} for p in wanted if p not in existing
        ]
        if fresh:
            # A replica inserting the same path at once makes the commit fail; the unit of
            # work is retried (ProjectEvents.apply) and then updates the row.
            self.session.execute(insert(_table(PageVersionRow)), fresh)
        table = _table(PageVersionRow)
        for path, previous in existing.items():
            modified = max(second, min(previous, second) + timedelta(seconds=1))
            self.session.execute(
                update(table)
                .where(table.c.path == path)
                .values(
                    # Only forwards: a replica that committed a later time meanwhile keeps it.
                    modified=case((table.c.modified < modified, modified), else_=table.c.modified),
                    revision=table.c.revision + 1,
                )
            )

    def save(self, states: Iterable[ArticleState], now_visible: dict[str, bool]) -> None:
        """Write each state and rebuild its index rows. `now_visible` says, per article,
        whether it is visible at save time (an embargo already past needs no announcement)."""
        states = list(states)
        ids = [state.article_id for state in states]
        # What the stories counted for before (entities.articles: visible stories naming each).
        deltas: dict[str, int] = {}
        counted_before = {
            article_id
            for article_id in ids
            if (old := self._rows.get(article_id)) is not None
            and old.listed
            and old.embargo_announced
        }
        for entity_id, _ in self._mentions(sorted(counted_before)):
            deltas[entity_id] = deltas.get(entity_id, 0) - 1
        # the month each story was counted in (its row is overwritten below)
        counted_in = {
            article_id: self._rows[article_id].firstcreated for article_id in counted_before
        }
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
            row.language = language_tag(article.language) if article else None
            row.version = current.version if current else None
            row.versioncreated = current.versioncreated if current else None
            row.firstcreated = (
                (article.firstcreated or (state.history[0].versioncreated)) if article else None
            )
            row.last_modified = state.last_event_time
            row.state = encode_state(state)
        self.session.flush()
        rows = {state.article_id: self._rows[state.article_id] for state in states}
        months = MonthCounts()
        for article_id, firstcreated in counted_in.items():
            # leaving a month changes its file then: at the story's latest event
            months.add(firstcreated, rows[article_id].last_modified, -1)
        for row in rows.values():
            if row.listed and row.embargo_announced:
                months.add(row.firstcreated, row.versioncreated, 1)
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
                "listed": rows[state.article_id].listed,
                "visible_from": rows[state.article_id].visible_from,
                "firstcreated": rows[state.article_id].firstcreated,
            }
            for state in states
            for row in entity_rows(state)
        ]
        names: dict[str, tuple[str, str]] = {}
        for values in entity_values:
            entity_id = str(values["entity_id"])
            naming = (str(values["name"]), str(values["type"]))
            names[entity_id] = max(naming, names.get(entity_id, naming))
            owner = rows[str(values["article_id"])]
            if owner.listed and owner.embargo_announced:
                deltas[entity_id] = deltas.get(entity_id, 0) + 1
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
                "starts": period_start(row.value),
                "listed": rows[state.article_id].listed,
                "visible_from": rows[state.article_id].visible_from,
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
        self._count_entities(deltas, names)
        self._count_months(months)

    def _count_months(self, months: MonthCounts) -> None:
        """Move each month's count of visible stories, and its last change forwards."""
        changed = {m: d for m, d in months.deltas.items() if d or m in months.lastmod}
        if not changed:
            return
        existing = set(
            self.session.scalars(
                select(SitemapMonthRow.month).where(SitemapMonthRow.month.in_(sorted(changed)))
            )
        )
        fresh = [
            {"month": m, "stories": max(0, d), "lastmod": months.lastmod[m]}
            for m, d in changed.items()
            if m not in existing and m in months.lastmod
        ]
        if fresh:
            self.session.execute(insert(_table(SitemapMonthRow)), fresh)
        table = _table(SitemapMonthRow)
        moved = [
            {"key": m, "delta": d, "changed": months.lastmod.get(m, EPOCH)}
            for m, d in changed.items()
            if m in existing
        ]
        if moved:
            self.session.execute(
                update(table)
                .where(table.c.month == bindparam("key"))
                .values(
                    stories=table.c.stories + bindparam("delta"),
                    lastmod=case(
                        (bindparam("changed") > table.c.lastmod, bindparam("changed")),
                        else_=table.c.lastmod,
                    ),
                ),
                moved,
            )

    def _mentions(self, article_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(entity id, article id) of each entity the articles name, as stored now."""
        found: list[tuple[str, str]] = []
        for chunk in _chunks(article_ids):
            found += [
                (entity_id, article_id)
                for entity_id, article_id in self.session.execute(
                    select(ArticleEntityRow.entity_id, ArticleEntityRow.article_id).where(
                        ArticleEntityRow.article_id.in_(chunk)
                    )
                )
            ]
        return found

    def _count_entities(self, deltas: dict[str, int], names: dict[str, tuple[str, str]]) -> None:
        """Move each entity's count of visible stories by its delta, and keep its greatest
        naming; an entity met for the first time gets its row."""
        wanted = sorted(set(names) | {i for i, delta in deltas.items() if delta})
        if not wanted:
            return
        existing: set[str] = set()
        for chunk in _chunks(wanted):
            existing.update(
                self.session.scalars(
                    select(EntityRow.entity_id).where(EntityRow.entity_id.in_(chunk))
                )
            )
        fresh = [
            {
                "entity_id": i,
                "name": names[i][0],
                "type": names[i][1],
                "articles": max(0, deltas.get(i, 0)),
            }
            for i in wanted
            if i not in existing and i in names
        ]
        if fresh:
            last = self.session.scalar(select(func.max(EntityRow.seq))) or 0
            for seq, values in enumerate(fresh, start=last + 1):
                values["seq"] = seq
            # A replica inserting the same entity at once fails the commit; the unit of work
            # is retried and then updates the row.
            self.session.execute(insert(_table(EntityRow)), fresh)
        table = _table(EntityRow)
        renamed = [
            {"key": i, "new_name": names[i][0], "new_type": names[i][1], "delta": deltas.get(i, 0)}
            for i in wanted
            if i in existing and i in names
        ]
        if renamed:
            self.session.execute(
                update(table)
                .where(table.c.entity_id == bindparam("key"))
                .values(
                    # The greatest naming ever seen, not the last: the same whatever order
                    # the events come in (replay equals live).
                    name=case(
                        (bindparam("new_name") > table.c.name, bindparam("new_name")),
                        else_=table.c.name,
                    ),
                    type=case(
                        (bindparam("new_name") > table.c.name, bindparam("new_type")),
                        else_=table.c.type,
                    ),
                    articles=table.c.articles + bindparam("delta"),
                ),
                renamed,
            )
        counted = [
            {"key": i, "delta": deltas[i]}
            for i in wanted
            if i in existing and i not in names and deltas.get(i)
        ]
        if counted:
            self.session.execute(
                update(table)
                .where(table.c.entity_id == bindparam("key"))
                .values(articles=table.c.articles + bindparam("delta")),
                counted,
            )
