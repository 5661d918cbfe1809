"""Loading and saving article projections, with their index rows, the inbox and the pages'
change times (application.ports.ArticleStore)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring_ascii
from typing import Any, cast

from sqlalchemy import Dialect, Table, bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from newsroom.render.adapters.driver_rows import (
    DriverValue,
    execute_rows,
    insert_rows,
    select_in,
)
from newsroom.render.adapters.orm import (
    ARTICLE_PAGE_COLUMNS,
    AppliedEventRow,
    ArticleEntityRow,
    ArticlePageRow,
    ArticleRow,
    Base,
    EntityRow,
    PageVersionRow,
    SitemapMonthRow,
    TimelineEntryRow,
)
from newsroom.render.adapters.write_turn import WriteTurn
from newsroom.render.application.ports import RenderedPages
from newsroom.render.domain.periods import period_start
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.read_model import effective_modified
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

    def merge(self, other: MonthCounts) -> None:
        for month, delta in other.deltas.items():
            self.deltas[month] = self.deltas.get(month, 0) + delta
        for month, changed in other.lastmod.items():
            self.lastmod[month] = max(changed, self.lastmod.get(month, changed))


@dataclass
class ReplayTotals:
    """What a bulk replay's saves would have moved in `entities` and `sitemap_months`, summed
    in memory instead: the same deltas, namings and months as the per-save counting (the
    same code makes them), written once at the end (bulk_load.write_totals). Per-save
    counting reads and rewrites the same few hot rows in every transaction, and parallel
    workers would contend for them."""

    entity_deltas: dict[str, int] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    months: MonthCounts = field(default_factory=MonthCounts)

    def add(
        self, deltas: dict[str, int], names: dict[str, tuple[str, str]], months: MonthCounts
    ) -> None:
        for entity_id, delta in deltas.items():
            self.entity_deltas[entity_id] = self.entity_deltas.get(entity_id, 0) + delta
        for entity_id, naming in names.items():
            known = self.names.get(entity_id)
            self.names[entity_id] = naming if known is None else max(naming, known)
        self.months.merge(months)

    def merge(self, other: ReplayTotals) -> None:
        self.add(other.entity_deltas, other.names, other.months)


# SQLite allows 32766 bound parameters per statement; stay well below for every backend.
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _table(model: type[Base]) -> Table:
    """A model's table, for Core INSERTs: many plain rows go in one executemany, without the
    ORM's per-row bulk bookkeeping (a third of a replay's insert time)."""
    return cast(Table, model.__table__)


def _json_strings(values: Iterable[str]) -> str:
    """json.dumps of a list of strings, byte for byte, without building an encoder per call
    (a replay writes five such lists a story)."""
    return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]"


def decode_state(raw: str) -> ArticleState:
    return ArticleState.model_validate_json(raw)


def encode_state(state: ArticleState) -> str:
    return state.model_dump_json()


@dataclass
class StoredArticle:
    """What a transaction knows of an article's row: the columns its counts depend on, the
    revision its update must find (optimistic locking), and its decoded state."""

    state: ArticleState
    listed: bool
    embargo_announced: bool
    firstcreated: datetime | None
    versioncreated: datetime | None
    revision: int

    @property
    def counted(self) -> bool:
        """Counted in its entities' and month's numbers of visible stories."""
        return self.listed and self.embargo_announced


_ARTICLES = _table(ArticleRow)
_STORED_COLUMNS = (
    _ARTICLES.c.article_id,
    _ARTICLES.c.state,
    _ARTICLES.c.listed,
    _ARTICLES.c.embargo_announced,
    _ARTICLES.c.firstcreated,
    _ARTICLES.c.versioncreated,
    _ARTICLES.c.revision,
)
# every column a save writes, in the order of the tuples below
_ARTICLE_COLUMNS = (
    "slug",
    "status",
    "listed",
    "visible_from",
    "embargo_announced",
    "headline",
    "standfirst",
    "byline",
    "urgency",
    "language",
    "version",
    "versioncreated",
    "firstcreated",
    "last_modified",
    "state",
)
_UPDATE_ARTICLE = (
    "UPDATE articles SET "  # noqa: S608 (column names are the constants above)
    + ", ".join(f"{column} = :p" for column in _ARTICLE_COLUMNS)
    + ", revision = revision + 1 WHERE article_id = :p AND revision = :p"
)
_PAGE_COLUMNS = ("article_id", *ARTICLE_PAGE_COLUMNS)
_ENTITY_COLUMNS = (
    "article_id",
    "entity_id",
    "name",
    "type",
    "mention_count",
    "salience",
    "sentence",
    "listed",
    "visible_from",
    "firstcreated",
)
_TIMELINE_COLUMNS = (
    "article_id",
    "position",
    "value",
    "type",
    "granularity",
    "mod",
    "text",
    "sentence",
    "entity_ids",
    "starts",
    "listed",
    "visible_from",
)


class ArticleRepository:
    """One unit of work's view of the read model (synchronous: it runs inside one
    UnitOfWorkRunner step); the caller commits.

    Articles are read and written with Core statements, not ORM entities: the ORM's flush
    (attribute instrumentation, per-row insert bookkeeping) was a fifth of a replay's time.
    Optimistic locking stays: an update must find the revision it read, else StaleDataError
    and the unit of work is retried, as with the ORM's version counter."""

    def __init__(self, session: Session, *, bulk: bool = False) -> None:
        """`bulk`: a replay into a fresh target; the entity and month counts are summed in
        `totals` (see ReplayTotals), for the caller to add up once the transaction commits."""
        self.session = session
        self.totals = ReplayTotals() if bulk else None
        self._stored: dict[str, StoredArticle] = {}
        self._applied: list[tuple[str, str, str]] = []

    def applied(self, event_ids: Sequence[str]) -> set[str]:
        return set(
            select_in(
                self.session.connection(),
                "SELECT event_id FROM applied_events WHERE event_id IN ({})",
                list(event_ids),
            )
        )

    def _remember(self, rows: Iterable[Any]) -> list[ArticleState]:
        states = []
        for article_id, raw, listed, announced, firstcreated, versioncreated, revision in rows:
            stored = StoredArticle(
                decode_state(raw), listed, announced, firstcreated, versioncreated, revision
            )
            self._stored[article_id] = stored
            states.append(stored.state)
        return states

    def load(self, article_ids: Iterable[str]) -> dict[str, ArticleState]:
        wanted = [i for i in dict.fromkeys(article_ids) if i not in self._stored]
        for chunk in _chunks(wanted):
            self._remember(
                self.session.execute(
                    select(*_STORED_COLUMNS).where(_ARTICLES.c.article_id.in_(chunk))
                )
            )
        return {article_id: stored.state for article_id, stored in self._stored.items()}

    def record_applied(self, event_id: str, article_id: str, event_type: str) -> None:
        self._applied.append((event_id, article_id, event_type))

    def lifted_embargoes(self, now: datetime) -> list[ArticleState]:
        """Listed stories whose embargo time has passed by `now` and was not announced yet."""
        return self._remember(
            self.session.execute(
                select(*_STORED_COLUMNS).where(
                    _ARTICLES.c.listed.is_(True),
                    _ARTICLES.c.embargo_announced.is_(False),
                    _ARTICLES.c.visible_from <= now,
                )
            )
        )

    def mark_embargo_announced(self, article_ids: Iterable[str]) -> None:
        counted: list[str] = []
        announced: list[tuple[bool, str, int]] = []
        for article_id in article_ids:
            stored = self._stored[article_id]
            if stored.embargo_announced:
                continue
            if stored.listed:
                counted.append(article_id)
            announced.append((True, article_id, stored.revision))
            stored.embargo_announced = True
            stored.revision += 1
        self._update_articles(
            "UPDATE articles SET embargo_announced = :p, revision = revision + 1 "
            "WHERE article_id = :p AND revision = :p",
            ("embargo_announced", "article_id", "revision"),
            announced,
        )
        # The stories now visible count for the entities they name.
        deltas: dict[str, int] = {}
        for entity_id, _ in self._mentions(counted):
            deltas[entity_id] = deltas.get(entity_id, 0) + 1
        self._count_entities(deltas, {})
        months = MonthCounts()
        for article_id in counted:
            stored = self._stored[article_id]
            months.add(stored.firstcreated, stored.versioncreated, 1)
        self._count_months(months)

    def _update_articles(
        self, template: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """UPDATE article rows, each at the revision it was read at: one that a concurrent
        replica changed meanwhile matches no row, and the unit of work is retried."""
        if not rows:
            return
        connection = self.session.connection()
        if connection.dialect.supports_sane_multi_rowcount:
            batches: Sequence[Sequence[tuple[Any, ...]]] = [rows]
        else:  # the driver does not sum an executemany's row counts: one row at a time
            batches = [[row] for row in rows]
        for batch in batches:
            result = execute_rows(connection, _ARTICLES, template, columns, batch)
            if result.rowcount != len(batch):
                raise StaleDataError(
                    f"articles changed by another writer: {len(batch)} rows expected, "
                    f"{result.rowcount} updated"
                )

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

    def save(
        self,
        states: Iterable[ArticleState],
        now_visible: dict[str, bool],
        pages: RenderedPages | None = None,
    ) -> None:
        """Write each state, its stored page (from `pages`; none if it has none there) and its
        index rows. `now_visible` says, per article, whether it is visible at save time (an
        embargo already past needs no announcement)."""
        states = list(states)
        ids = [state.article_id for state in states]
        # What the stories counted for before (entities.articles: visible stories naming each).
        deltas: dict[str, int] = {}
        before = {i: stored for i in ids if (stored := self._stored.get(i)) is not None}
        counted_before = sorted(i for i, stored in before.items() if stored.counted)
        for entity_id, _ in self._mentions(counted_before):
            deltas[entity_id] = deltas.get(entity_id, 0) - 1
        # the month each story was counted in (its row is overwritten below)
        counted_in = {i: before[i].firstcreated for i in counted_before}
        inserted: list[tuple[Any, ...]] = []
        updated: list[tuple[Any, ...]] = []
        saved: dict[str, StoredArticle] = {}
        last_modified: dict[str, datetime | None] = {}
        for state in states:
            current = state.current
            article = current.article if current is not None else None
            listed = state.listed
            firstcreated = (
                (article.firstcreated or state.history[0].versioncreated) if article else None
            )
            versioncreated = current.versioncreated if current else None
            values = (
                state.slug,
                state.status.value,
                listed,
                state.visible_from,
                now_visible.get(state.article_id, True) or not listed,
                article.headline if article else None,
                article.standfirst if article else None,
                article.byline if article else None,
                article.urgency if article else None,
                language_tag(article.language) if article else None,
                current.version if current else None,
                versioncreated,
                firstcreated,
                state.last_event_time,
                encode_state(state),
            )
            last_modified[state.article_id] = state.last_event_time
            old = before.get(state.article_id)
            revision = 1 if old is None else old.revision + 1
            if old is None:
                inserted.append((state.article_id, *values, revision))
            else:
                updated.append((*values, state.article_id, old.revision))
            saved[state.article_id] = self._stored[state.article_id] = StoredArticle(
                state, listed, bool(values[4]), firstcreated, versioncreated, revision
            )
        months = MonthCounts()
        for article_id, firstcreated in counted_in.items():
            # leaving a month changes its file then: at the story's latest event
            months.add(firstcreated, last_modified[article_id], -1)
        for stored in saved.values():
            if stored.counted:
                months.add(stored.firstcreated, stored.versioncreated, 1)
        connection = self.session.connection()
        names: dict[str, tuple[str, str]] = {}
        # Every row is built before the first write: SQLite takes its one write lock at the
        # first INSERT and holds it to the COMMIT, so the Python work stays outside the lock
        # (parallel replay workers share that lock).
        entity_values, timeline_values = self._index_rows(
            connection.dialect, states, saved, deltas, names
        )
        WriteTurn.take_in(self.session)
        # A replica inserting the same article at once fails the commit (primary key); the
        # unit of work is retried and then updates the row.
        insert_rows(connection, _ARTICLES, ("article_id", *_ARTICLE_COLUMNS, "revision"), inserted)
        self._update_articles(
            _UPDATE_ARTICLE,
            (*_ARTICLE_COLUMNS, "article_id", "revision"),
            updated,
        )
        # A new article has no index rows yet (they reference its row, inserted just now).
        for chunk in _chunks(list(before)):
            self.session.execute(delete(ArticlePageRow).where(ArticlePageRow.article_id.in_(chunk)))
            self.session.execute(
                delete(ArticleEntityRow).where(ArticleEntityRow.article_id.in_(chunk))
            )
            self.session.execute(
                delete(TimelineEntryRow).where(TimelineEntryRow.article_id.in_(chunk))
            )
        # A concurrent writer that applied the same event makes this insert fail, and the
        # whole unit of work (effect included) is retried and then finds it applied.
        insert_rows(
            connection,
            _table(AppliedEventRow),
            ("event_id", "article_id", "event_type"),
            self._applied,
        )
        self._applied = []
        if pages is not None:
            by_id = {state.article_id: state for state in states}
            insert_rows(
                connection,
                _table(ArticlePageRow),
                _PAGE_COLUMNS,
                [
                    (
                        i,
                        (state := by_id[i]).slug,
                        state.visible_from,
                        effective_modified(state.last_event_time, state.visible_from),
                        pages.build,
                        page.etag,
                        page.html,
                        page.gzipped,
                    )
                    for i, page in pages.pages.items()
                ],
            )
        insert_rows(
            connection, _table(ArticleEntityRow), _ENTITY_COLUMNS, entity_values, converted=True
        )
        insert_rows(
            connection, _table(TimelineEntryRow), _TIMELINE_COLUMNS, timeline_values, converted=True
        )
        if self.totals is None:
            self._count_entities(deltas, names)
            self._count_months(months)
        else:
            self.totals.add(deltas, names, months)

    @staticmethod
    def _index_rows(
        dialect: Dialect,
        states: Sequence[ArticleState],
        saved: dict[str, StoredArticle],
        deltas: dict[str, int],
        names: dict[str, tuple[str, str]],
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The entity and timeline rows of the saved states, as the driver's values; each
        entity's greatest naming into `names`, and +1 into `deltas` for each counted story
        naming it."""
        # The index rows repeat their article's columns: converted to the driver's values
        # once per article, and the rows go to the driver as they are.
        entities_table = _table(ArticleEntityRow)
        as_bool = DriverValue(dialect, entities_table, "listed")
        as_time = DriverValue(dialect, entities_table, "visible_from")
        entity_values: list[tuple[Any, ...]] = []
        timeline_values: list[tuple[Any, ...]] = []
        for state in states:
            stored = saved[state.article_id]
            counted = stored.counted
            listed = as_bool(stored.listed)
            visible_from = as_time(state.visible_from)
            firstcreated = as_time(stored.firstcreated)
            for entity in entity_rows(state):
                entity_values.append(
                    (
                        state.article_id,
                        entity.entity_id,
                        entity.name,
                        entity.type,
                        entity.mention_count,
                        entity.salience,
                        entity.sentence,
                        listed,
                        visible_from,
                        firstcreated,
                    )
                )
                naming = (entity.name, entity.type)
                known = names.get(entity.entity_id)
                names[entity.entity_id] = naming if known is None else max(naming, known)
                if counted:
                    deltas[entity.entity_id] = deltas.get(entity.entity_id, 0) + 1
            for entry in timeline_rows(state):
                timeline_values.append(
                    (
                        state.article_id,
                        entry.position,
                        entry.value,
                        entry.type,
                        entry.granularity,
                        entry.mod,
                        entry.text,
                        entry.sentence,
                        _json_strings(entry.entity_ids),
                        period_start(entry.value),
                        listed,
                        visible_from,
                    )
                )
        return entity_values, timeline_values

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
        connection = self.session.connection()
        existing = set(
            select_in(connection, "SELECT entity_id FROM entities WHERE entity_id IN ({})", wanted)
        )
        fresh = [i for i in wanted if i not in existing and i in names]
        table = _table(EntityRow)
        if fresh:
            last = self.session.scalar(select(func.max(EntityRow.seq))) or 0
            # A replica inserting the same entity at once fails the commit; the unit of work
            # is retried and then updates the row.
            insert_rows(
                connection,
                table,
                ("entity_id", "name", "type", "articles", "seq"),
                [
                    (i, names[i][0], names[i][1], max(0, deltas.get(i, 0)), seq)
                    for seq, i in enumerate(fresh, start=last + 1)
                ],
            )
        renamed = [
            (names[i][0], names[i][0], names[i][0], names[i][1], deltas.get(i, 0), i)
            for i in wanted
            if i in existing and i in names
        ]
        if renamed:
            # The greatest naming ever seen, not the last: the same whatever order the events
            # come in (replay equals live). Every SET reads the row as it was.
            execute_rows(
                connection,
                table,
                "UPDATE entities SET "
                "name = CASE WHEN :p > name THEN :p ELSE name END, "
                "type = CASE WHEN :p > name THEN :p ELSE type END, "
                "articles = articles + :p WHERE entity_id = :p",
                ("name", "name", "name", "type", "articles", "entity_id"),
                renamed,
            )
        counted = [
            (deltas[i], i) for i in wanted if i in existing and i not in names and deltas.get(i)
        ]
        if counted:
            execute_rows(
                connection,
                table,
                "UPDATE entities SET articles = articles + :p WHERE entity_id = :p",
                ("articles", "entity_id"),
                counted,
            )
