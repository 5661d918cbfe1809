"""Read-side queries for pages: what is visible now, per page (application.ports.ReadModel)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    null,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from newsroom.render.adapters.orm import (
    ArticleEntityRow,
    ArticlePageRow,
    ArticleRow,
    EntityRow,
    PageVersionRow,
    SitemapMonthRow,
    TimelineEntryRow,
)
from newsroom.render.adapters.postgres_pages import PostgresStoredPages
from newsroom.render.adapters.read_model_version import asyncpg_arguments
from newsroom.render.adapters.unit_of_work import UnitOfWorkRunner
from newsroom.render.application.ports import ArticleKey, BySlug
from newsroom.render.domain.keyset import KeysetPage, Position, Window, page_of
from newsroom.render.domain.projection import ArticleStatus
from newsroom.render.domain.read_model import (
    DatedEntry,
    EntityData,
    EntityMentionRow,
    EntitySummary,
    Listing,
    RelatedEntity,
    SitemapMonth,
    StoredArticle,
    StoredPage,
    Withdrawn,
    effective_modified,
)

T = TypeVar("T")
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def visible(now: datetime) -> ColumnElement[bool]:
    """domain.projection.visible_at as SQL, on the indexed columns: listed and past any
    embargo time (the embargo lifts by the clock, with no event)."""
    return and_(
        # `= true`, not `IS TRUE`: PostgreSQL answers only the former from an index.
        ArticleRow.listed == true(),
        or_(ArticleRow.visible_from.is_(None), ArticleRow.visible_from <= now),
    )


def _listing(row: ArticleRow) -> Listing:
    # Only listed rows reach here, and a listed row always has its current version's fields.
    assert row.slug is not None
    assert row.headline is not None
    assert row.version is not None
    assert row.versioncreated is not None
    assert row.firstcreated is not None
    return Listing(
        article_id=row.article_id,
        slug=row.slug,
        headline=row.headline,
        standfirst=row.standfirst,
        byline=row.byline,
        urgency=row.urgency,
        language=row.language,
        version=row.version,
        versioncreated=row.versioncreated,
        firstcreated=row.firstcreated,
        modified=effective_modified(row.last_modified, row.visible_from) or row.versioncreated,
    )


_STORED_COLUMNS = (
    ArticleRow.article_id,
    ArticleRow.revision,
    ArticleRow.status,
    ArticleRow.listed,
    ArticleRow.visible_from,
    ArticleRow.last_modified,
    ArticleRow.state,
)


def _stored(row: Row[str, int, str, bool, datetime | None, datetime | None, str]) -> StoredArticle:
    return StoredArticle(
        article_id=row.article_id,
        revision=row.revision,
        status=row.status,
        listed=row.listed,
        visible_from=row.visible_from,
        modified=effective_modified(row.last_modified, row.visible_from),
        raw_state=row.state,
    )


# A story's stored page, if rendered by the given build: one row, by its slug. For a client
# that takes gzip, its gzip form instead of its html where one is stored (with the html's
# length: SQLite's length() of a blob reads the record's header, not the blob); else the html
# alone. The page is read for the client at hand: a row's columns not asked for are not read.
_STORED_PAGE_BY_GZIP = {
    with_gzip: select(
        ArticlePageRow.article_id,
        ArticlePageRow.visible_from,
        ArticlePageRow.modified,
        ArticlePageRow.etag,
        (
            case((ArticlePageRow.gzipped.is_(None), ArticlePageRow.html)).label("html")
            if with_gzip
            else ArticlePageRow.html
        ),
        ArticlePageRow.gzipped if with_gzip else null().label("gzipped"),
        func.length(ArticlePageRow.html).label("size") if with_gzip else null().label("size"),
    ).where(ArticlePageRow.slug == bindparam("slug"), ArticlePageRow.build == bindparam("build"))
    for with_gzip in (False, True)
}
# The same statements as SQL for the on-loop sqlite3 connection (SqliteLoopReads), which binds
# the slug and the build in that order.
STORED_PAGE_ON_THE_LOOP = {
    with_gzip: str(statement.compile(dialect=sqlite.dialect()))
    for with_gzip, statement in _STORED_PAGE_BY_GZIP.items()
}


LOOP_CACHE_KIB = 32 * 1024


def _sqlite_time(value: str | None) -> datetime | None:
    # How SQLAlchemy's SQLite DateTime stores UTC (adapters.orm's UtcDateTime drops the zone).
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def _data_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA data_version").fetchone()[0])


class SqliteLoopReads:
    """Reads of an SQLite file cheap enough for the event loop (no thread hop), on a connection
    of its own that never writes:
    * the file's version, `PRAGMA data_version`, which moves whenever any other connection
      (of this process or another) commits to the file: a few microseconds, no I/O beyond the
      shared-memory WAL index. On the event loop it is read once a round of the loop, and
      the requests the round runs share it: each of them arrived before the round began, so
      before the reading (a commit after it makes what they read newer than their version:
      a page kept under it is only dropped sooner, as with a commit between the reading and
      a request's own reads). PRAGMA data_version cost a request 4-7 us, as much as the rest of
      the kept page's answer;
    * a story's stored page by its slug: two B-tree lookups and the page's bytes (tens of
      microseconds; a reader never waits for a writer in WAL mode). The pages one round of
      the loop reads share one read transaction, ended with the round: each statement on its
      own began and ended one (file locks, a check of the file and of the WAL's index: system
      calls each time); sharing one, render answered pages not in memory 1.06x as fast
      without gzip and 1.05x with it (10k stories, interleaved loads; no gain showed at 1M,
      render README). The round's version is read before it begins, so a page is never older
      than the version it is kept under. Held for one round only, it keeps no writer waiting
      and a checkpoint waits at most that long.
    None when the file cannot be read (the full path then answers, and fails properly)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._round_version: int | None = None  # read in this round of the loop, if it was

    def _connected(self) -> sqlite3.Connection:
        if self._connection is None:
            # Opened on first use (after the migrations made the file).
            connection = sqlite3.connect(
                self.path, timeout=0.05, isolation_level=None, check_same_thread=False
            )
            # Stored pages are read here: a page cache of its own, beyond the default 2 MB.
            connection.execute(f"PRAGMA cache_size = -{LOOP_CACHE_KIB}")
            self._connection = connection
        return self._connection

    def data_version(self) -> int | None:
        try:
            return self._version(self._connected())
        except sqlite3.Error:
            return None

    def _version(self, connection: sqlite3.Connection) -> int:
        """The file's version, read once a round of the running loop (every time off it)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on a loop: nothing tells where a round ends
            return _data_version(connection)
        if self._round_version is not None:
            return self._round_version
        self._round_version = version = _data_version(connection)
        # Scheduled now, it runs before anything the next round's I/O brings.
        loop.call_soon(self._end_round)
        return version

    def _end_round(self) -> None:
        self._round_version = None
        connection = self._connection  # None: closed meanwhile, its transaction with it
        if connection is not None and connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # a read transaction: nothing to lose
                connection.execute("COMMIT")

    def _join_round_transaction(self, connection: sqlite3.Connection) -> None:
        """Begin the round's read transaction, on the loop (off it, each read has its own)."""
        if self._round_version is not None and not connection.in_transaction:
            connection.execute("BEGIN")  # deferred: the first read takes the snapshot

    def stored_page(self, slug: str, build: str, with_gzip: bool = False) -> StoredPage | None:
        """The page, read at the file's version read just before on the same connection, or
        in the round's transaction begun after it (a commit in between makes the page newer
        than its version: kept, it is only dropped sooner)."""
        try:
            connection = self._connected()
            version = self._version(connection)
            self._join_round_transaction(connection)
            statement = STORED_PAGE_ON_THE_LOOP[with_gzip]
            row = connection.execute(statement, (slug, build)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        article_id, visible_from, modified, etag, html, gzipped, size = row
        return StoredPage(
            article_id,
            _sqlite_time(visible_from),
            _sqlite_time(modified),
            etag,
            html,
            read_at=version,
            gzipped=gzipped,
            size=size,
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends an open round's transaction with it
            self._connection = None


class ReadModelQueries:
    """The read side's queries, each one runner step (see adapters.unit_of_work)."""

    def __init__(self, runner: UnitOfWorkRunner) -> None:
        self.runner = runner
        url = runner.engine.url
        self._on_loop = (
            SqliteLoopReads(url.database)
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            else None
        )
        postgres = asyncpg_arguments(runner.engine)
        self._postgres_pages = PostgresStoredPages(postgres) if postgres is not None else None

    def version(self) -> int | None:
        """A number that changes whenever the read model does (None: not known for this
        database: only SQLite files tell it cheaply)."""
        return self._on_loop.data_version() if self._on_loop is not None else None

    async def close(self) -> None:
        if self._on_loop is not None:
            self._on_loop.close()
        if self._postgres_pages is not None:
            await self._postgres_pages.close()

    async def stored_page(
        self, slug: str, build: str, with_gzip: bool = False
    ) -> StoredPage | None:
        if self._on_loop is not None:
            return self._on_loop.stored_page(slug, build, with_gzip)
        if self._postgres_pages is not None:
            return await self._postgres_pages(slug, build, with_gzip)
        return await self.runner.read_rows(
            partial(stored_page, slug=slug, build=build, with_gzip=with_gzip)
        )

    async def with_article(self, key: ArticleKey, work: Callable[[StoredArticle | None], T]) -> T:
        lookup = (
            partial(article_by_slug, slug=key.slug)
            if isinstance(key, BySlug)
            else partial(article_by_id, article_id=key.article_id)
        )
        return await self.runner.read_rows(lambda connection: work(lookup(connection)))

    async def article_by_slug(self, slug: str) -> StoredArticle | None:
        return await self.runner.read_rows(partial(article_by_slug, slug=slug))

    async def article_by_id(self, article_id: str) -> StoredArticle | None:
        return await self.runner.read_rows(partial(article_by_id, article_id=article_id))

    async def stories(
        self, now: datetime, window: Window, since: datetime | None = None
    ) -> KeysetPage[Listing]:
        return await self.runner.read(partial(stories, now=now, window=window, since=since))

    async def sitemap_months(self) -> list[SitemapMonth]:
        return await self.runner.read_rows(sitemap_months)

    async def month_stories(
        self, now: datetime, month: tuple[int, int], part: int, size: int
    ) -> list[Listing]:
        return await self.runner.read(
            partial(month_stories, now=now, month=month, part=part, size=size)
        )

    async def entities_numbered(self) -> int:
        return await self.runner.read_rows(entities_numbered)

    async def entity_ids_by_number(self, first: int, last: int) -> list[str]:
        return await self.runner.read_rows(partial(entity_ids_by_number, first=first, last=last))

    async def withdrawn_since(self, since: datetime, limit: int) -> list[Withdrawn]:
        return await self.runner.read_rows(partial(withdrawn_since, since=since, limit=limit))

    async def entities(self, window: Window) -> KeysetPage[EntitySummary]:
        return await self.runner.read(partial(entities, window=window))

    async def entity(self, entity_id: str, now: datetime, window: Window) -> EntityData | None:
        return await self.runner.read(partial(entity, entity_id=entity_id, now=now, window=window))

    async def entity_names(self, entity_ids: set[str]) -> dict[str, str]:
        if not entity_ids:
            return {}
        return await self.runner.read(partial(entity_names, entity_ids=entity_ids))

    async def timeline(
        self, now: datetime, window: Window, period: tuple[str, str] | None
    ) -> KeysetPage[DatedEntry]:
        return await self.runner.read(partial(timeline, now=now, window=window, period=period))

    async def page_modified(self, path: str) -> datetime | None:
        return await self.runner.read_rows(partial(page_modified, path=path))

    async def page_revision(self, path: str) -> int | None:
        return await self.runner.read_rows(partial(page_revision, path=path))


# ---------------------------------------------------------------- the queries, synchronous


# Built once: building a SELECT costs more than SQLite takes to answer it. Columns, not an
# ORM entity, on a bare connection (runner.read_rows): a page read needs no identity map.
_BY_SLUG = select(*_STORED_COLUMNS).where(ArticleRow.slug == bindparam("slug"))
_BY_ID = select(*_STORED_COLUMNS).where(ArticleRow.article_id == bindparam("article_id"))


_PAGE_MODIFIED = select(PageVersionRow.modified).where(PageVersionRow.path == bindparam("path"))


def page_modified(connection: Connection, path: str) -> datetime | None:
    """When the page at `path` last changed, as the projector recorded it (None: never)."""
    value: datetime | None = connection.execute(_PAGE_MODIFIED, {"path": path}).scalar()
    return value


_PAGE_REVISION = select(PageVersionRow.revision).where(PageVersionRow.path == bindparam("path"))


def page_revision(connection: Connection, path: str) -> int | None:
    """How many changes the projector recorded of the page at `path` (None: never)."""
    value: int | None = connection.execute(_PAGE_REVISION, {"path": path}).scalar()
    return value


def stored_page(
    connection: Connection, slug: str, build: str, with_gzip: bool = False
) -> StoredPage | None:
    statement = _STORED_PAGE_BY_GZIP[with_gzip]
    row = connection.execute(statement, {"slug": slug, "build": build}).first()
    if row is None:
        return None
    return StoredPage(
        row.article_id,
        row.visible_from,
        row.modified,
        row.etag,
        row.html,
        gzipped=row.gzipped,
        size=row.size,
    )


def article_by_slug(connection: Connection, slug: str) -> StoredArticle | None:
    row = connection.execute(_BY_SLUG, {"slug": slug}).first()
    return _stored(row) if row else None


def article_by_id(connection: Connection, article_id: str) -> StoredArticle | None:
    row = connection.execute(_BY_ID, {"article_id": article_id}).first()
    return _stored(row) if row else None


def keyset(query: Q, key: Sequence[Any], window: Window, *, descending: bool) -> Q:
    """`query` cut to the rows of `window` in the order of `key` (descending or not), one
    more than the page holds: a row-value comparison with the cursor's position, which the
    index on the key columns answers as a range (no OFFSET)."""
    down = descending != window.backwards
    bound = window.bound
    if bound is not None:
        position = tuple_(
            *(
                bindparam(None, value, type_=column.type)
                for column, value in zip(key, bound, strict=True)
            )
        )
        columns = tuple_(*key)
        query = query.where(columns < position if down else columns > position)
    return query.order_by(*(c.desc() if down else c.asc() for c in key)).limit(window.size + 1)


def _story_position(story: Listing) -> Position:
    return (story.firstcreated, story.article_id)


def stories(
    session: Session, now: datetime, window: Window, since: datetime | None = None
) -> KeysetPage[Listing]:
    """Visible stories, newest first publication first (first published `since`, if given)."""
    query = select(ArticleRow).where(visible(now))
    if since is not None:
        query = query.where(ArticleRow.firstcreated >= since)
    rows = session.scalars(
        keyset(query, (ArticleRow.firstcreated, ArticleRow.article_id), window, descending=True)
    )
    return page_of([_listing(row) for row in rows], window, _story_position)


def entities(session: Session, window: Window) -> KeysetPage[EntitySummary]:
    """Entities named on visible stories, by id."""
    query = select(EntityRow).where(EntityRow.articles > 0)
    rows = session.scalars(keyset(query, (EntityRow.entity_id,), window, descending=False))
    summaries = [EntitySummary(r.entity_id, r.name, r.type, r.articles) for r in rows]
    return page_of(summaries, window, lambda e: (e.entity_id,))


def _visible_mention(now: datetime) -> ColumnElement[bool]:
    return and_(
        ArticleEntityRow.listed == true(),
        or_(ArticleEntityRow.visible_from.is_(None), ArticleEntityRow.visible_from <= now),
    )


def entity(
    session: Session, entity_id: str, now: datetime, window: Window, *, related_limit: int = 10
) -> EntityData | None:
    """One page of an entity's stories (newest first), who they name it with, and the dated
    entries of those stories that name it."""
    known = session.get(EntityRow, entity_id)
    if known is None or known.articles <= 0:
        return None
    query = (
        select(ArticleRow, ArticleEntityRow)
        .join(ArticleRow, ArticleRow.article_id == ArticleEntityRow.article_id)
        .where(ArticleEntityRow.entity_id == entity_id, _visible_mention(now))
    )
    key = (ArticleEntityRow.firstcreated, ArticleEntityRow.article_id)
    rows = session.execute(keyset(query, key, window, descending=True)).all()
    mentions = page_of(
        [
            EntityMentionRow(_listing(article), mention.sentence, mention.mention_count)
            for article, mention in rows
        ],
        window,
        lambda m: _story_position(m.listing),
    )
    listings = {m.listing.article_id: m.listing for m in mentions.items}
    article_ids = sorted(listings)
    related_rows = session.execute(
        select(
            ArticleEntityRow.entity_id,
            func.count(ArticleEntityRow.article_id).label("articles"),
        )
        .where(
            ArticleEntityRow.article_id.in_(article_ids),
            ArticleEntityRow.entity_id != entity_id,
        )
        .group_by(ArticleEntityRow.entity_id)
        .order_by(func.count(ArticleEntityRow.article_id).desc(), ArticleEntityRow.entity_id)
        .limit(related_limit)
    ).all()
    related_known = {
        row.entity_id: row
        for row in session.scalars(
            select(EntityRow).where(EntityRow.entity_id.in_([r[0] for r in related_rows]))
        )
    }
    timeline_rows = session.scalars(
        select(TimelineEntryRow)
        .where(TimelineEntryRow.article_id.in_(article_ids))
        .order_by(TimelineEntryRow.starts, TimelineEntryRow.article_id, TimelineEntryRow.position)
    )
    dated = [_dated(listings[row.article_id], row) for row in timeline_rows]
    return EntityData(
        entity_id=entity_id,
        name=known.name,
        type=known.type,
        articles=known.articles,
        mentions=mentions,
        related=[
            RelatedEntity(r[0], related_known[r[0]].name, related_known[r[0]].type, int(r[1]))
            for r in related_rows
            if r[0] in related_known
        ],
        timeline=[entry for entry in dated if entity_id in entry.entity_ids],
    )


def _dated(listing: Listing, row: TimelineEntryRow) -> DatedEntry:
    return DatedEntry(
        listing=listing,
        value=row.value,
        starts=row.starts,
        position=row.position,
        granularity=row.granularity,
        mod=row.mod,
        text=row.text,
        sentence=row.sentence,
        entity_ids=json.loads(row.entity_ids),
    )


def entity_names(session: Session, entity_ids: set[str]) -> dict[str, str]:
    rows = session.execute(
        select(EntityRow.entity_id, EntityRow.name).where(
            EntityRow.entity_id.in_(sorted(entity_ids))
        )
    )
    return {r[0]: r[1] for r in rows}


def timeline(
    session: Session, now: datetime, window: Window, period: tuple[str, str] | None
) -> KeysetPage[DatedEntry]:
    """Dated entries of visible stories in the order of the periods they name, within
    `period` ([start, end) of period_start keys) when given."""
    query = (
        select(ArticleRow, TimelineEntryRow)
        .join(ArticleRow, ArticleRow.article_id == TimelineEntryRow.article_id)
        .where(
            TimelineEntryRow.listed == true(),
            or_(TimelineEntryRow.visible_from.is_(None), TimelineEntryRow.visible_from <= now),
        )
    )
    if period is not None:
        query = query.where(
            TimelineEntryRow.starts >= period[0], TimelineEntryRow.starts < period[1]
        )
    key = (TimelineEntryRow.starts, TimelineEntryRow.article_id, TimelineEntryRow.position)
    rows = session.execute(keyset(query, key, window, descending=False)).all()
    return page_of(
        [_dated(_listing(article), entry) for article, entry in rows],
        window,
        lambda e: (e.starts, e.listing.article_id, e.position),
    )


def sitemap_months(connection: Connection) -> list[SitemapMonth]:
    """The months with visible stories, oldest first (a few a year, however many stories)."""
    rows = connection.execute(
        select(SitemapMonthRow.month, SitemapMonthRow.stories, SitemapMonthRow.lastmod)
        .where(SitemapMonthRow.stories > 0)
        .order_by(SitemapMonthRow.month)
    )
    return [SitemapMonth(r.month, r.stories, r.lastmod) for r in rows]


def month_stories(
    session: Session, now: datetime, month: tuple[int, int], part: int, size: int
) -> list[Listing]:
    """The `part`-th `size` visible stories first published in `month`, oldest first: a
    range of the index, skipping at most the month's own earlier parts."""
    year, number = month
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    rows = session.scalars(
        select(ArticleRow)
        .where(visible(now), ArticleRow.firstcreated >= start, ArticleRow.firstcreated < end)
        .order_by(ArticleRow.firstcreated, ArticleRow.article_id)
        .offset(part * size)
        .limit(size)
    )
    return [_listing(row) for row in rows]


def entities_numbered(connection: Connection) -> int:
    """The highest entity number given (entities are numbered as they are first met)."""
    return int(connection.execute(select(func.max(EntityRow.seq))).scalar() or 0)


def entity_ids_by_number(connection: Connection, first: int, last: int) -> list[str]:
    """Ids of entities numbered first..last that visible stories name."""
    rows = connection.execute(
        select(EntityRow.entity_id)
        .where(EntityRow.seq >= first, EntityRow.seq <= last, EntityRow.articles > 0)
        .order_by(EntityRow.seq)
    )
    return [row[0] for row in rows]


def withdrawn_since(connection: Connection, since: datetime, limit: int) -> list[Withdrawn]:
    """Stories withdrawn (killed) since `since`, the latest first."""
    rows = connection.execute(
        select(ArticleRow.article_id, ArticleRow.last_modified)
        .where(
            ArticleRow.status == ArticleStatus.WITHDRAWN.value,
            ArticleRow.last_modified >= since,
        )
        .order_by(ArticleRow.last_modified.desc())
        .limit(limit)
    )
    return [Withdrawn(r.article_id, r.last_modified) for r in rows]
