"""The read model's tables (SQLAlchemy 2.x typed ORM). Alembic migrations create them.

`articles.state` holds the projection (domain.projection.ArticleState) as JSON: it is the
truth for one article. The other columns and tables are indexes derived from it on every
save, so list and entity pages are plain SQL queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from newsroom.shared.sql import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ArticleRow(Base):
    __tablename__ = "articles"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Wire-supplied strings (and strings derived from them) are Text: ingest accepts versions
    # up to 200 characters and identifiers up to 1000, and a value the column cannot hold
    # would fail the transaction on PostgreSQL, dead-letter the event and lose the story.
    slug: Mapped[str | None] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(String(16))
    # usable, not withdrawn, not held by an embargo of unknown time
    listed: Mapped[bool] = mapped_column(Boolean)
    # the embargo time: listed stories are visible from then on (None: at once)
    visible_from: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # whether the PageChanged of an embargo lifting was sent (operational, not content)
    embargo_announced: Mapped[bool] = mapped_column(Boolean, default=True)
    headline: Mapped[str | None] = mapped_column(Text)
    standfirst: Mapped[str | None] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(35))  # a BCP 47 tag (news sitemap)
    version: Mapped[str | None] = mapped_column(Text)
    versioncreated: Mapped[datetime | None] = mapped_column(UtcDateTime())
    firstcreated: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_modified: Mapped[datetime | None] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(Text)
    # optimistic concurrency: two replicas updating one article cannot lose an update
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__: dict[str, Any] = {"version_id_col": revision}  # noqa: RUF012
    __table_args__ = (
        Index("ix_articles_listed_versioncreated", "listed", "versioncreated"),
        # the order of every list of stories (front page, feed, API): newest first, by key
        Index("ix_articles_listed_firstcreated", "listed", "firstcreated", "article_id"),
        # killed stories of the last days, for the feed's deleted entries
        Index("ix_articles_status_last_modified", "status", "last_modified"),
    )


class ArticlePageRow(Base):
    """A story's page as readers get it, rendered when the story was projected (in the same
    transaction as its state, so never older than the state). `build` names the templates, code
    and settings it was rendered with (entrypoints.article_html): a process with another build
    renders the page itself. Only listed stories have a row (a withdrawn or held one has no
    page to show), with copies of what serving the page needs from the story's row: a request
    reads this row alone, by its slug."""

    __tablename__ = "article_pages"

    article_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("articles.article_id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(Text, unique=True)
    visible_from: Mapped[datetime | None] = mapped_column(UtcDateTime())  # the embargo's end
    modified: Mapped[datetime | None] = mapped_column(UtcDateTime())  # its Last-Modified
    build: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(64))  # as served (entrypoints.page_forms.etag_of)
    # Its gzip form as served (entrypoints.page_forms.gzip_form): compressed once, here, not on
    # each read by a client that takes it. None: stored before migration 0010. Before the html
    # (migration 0011): on SQLite, reaching it does not walk the html's overflow pages.
    gzipped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    html: Mapped[bytes] = mapped_column(LargeBinary)


# A stored page's columns besides its article id, in the order the writers give them.
ARTICLE_PAGE_COLUMNS = ("slug", "visible_from", "modified", "build", "etag", "html", "gzipped")


class ArticleEntityRow(Base):
    __tablename__ = "article_entities"

    article_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("articles.article_id", ondelete="CASCADE"), primary_key=True
    )
    # enrich derives entity ids from names in the text (of any length): Text.
    entity_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32))
    mention_count: Mapped[int] = mapped_column(Integer)
    salience: Mapped[float] = mapped_column(Float)
    sentence: Mapped[str] = mapped_column(Text)
    # The article's visibility and order, copied here on every save: an entity's stories are
    # read newest first from one index, without joining every story that ever named it.
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    visible_from: Mapped[datetime | None] = mapped_column(UtcDateTime())
    firstcreated: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index(
            "ix_article_entities_entity_listed_firstcreated",
            "entity_id",
            "listed",
            "firstcreated",
            "article_id",
        ),
    )


class EntityRow(Base):
    """Each entity ever named: its latest naming, and how many visible stories name it
    (kept by the projector, so no page counts an entity's stories)."""

    __tablename__ = "entities"

    entity_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32))
    articles: Mapped[int] = mapped_column(Integer)
    # The order entities were first met in: the sitemap cuts its entity files by it, a
    # range of an index per file (operational, like a revision: replay may number otherwise).
    seq: Mapped[int] = mapped_column(Integer, index=True)


class SitemapMonthRow(Base):
    """Per month of first publication, how many visible stories it has and when the newest
    change among them was: the sitemap index, without counting stories per request."""

    __tablename__ = "sitemap_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2021-09
    stories: Mapped[int] = mapped_column(Integer)
    lastmod: Mapped[datetime] = mapped_column(UtcDateTime())


class TimelineEntryRow(Base):
    __tablename__ = "timeline_entries"

    article_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("articles.article_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # a TIMEX3 value, unbounded
    # when the period begins (domain.periods.period_start): the timeline's order
    starts: Mapped[str] = mapped_column(Text, default="~")
    type: Mapped[str] = mapped_column(String(8))
    granularity: Mapped[str] = mapped_column(String(16))
    mod: Mapped[str | None] = mapped_column(String(8))  # TIMEX3 MOD: START, MID, END
    text: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    entity_ids: Mapped[str] = mapped_column(Text)  # JSON list
    # the article's visibility, copied on every save (see ArticleEntityRow)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    visible_from: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_timeline_entries_listed_starts", "listed", "starts", "article_id", "position"),
    )


class AppliedEventRow(Base):
    """The inbox: ids of events applied, written in the same transaction as their effect."""

    __tablename__ = "applied_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64), index=True)
    event_type: Mapped[str] = mapped_column(String(64))


class PageOutboxRow(Base):
    """PageChanged events waiting to be published (written with the change, sent after)."""

    __tablename__ = "page_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)


class ParkedPageChangeRow(Base):
    """Outbox rows that could not be decoded: moved here so they no longer block the outbox
    head (the flush sends oldest first); kept with the error for someone to look at."""

    __tablename__ = "page_outbox_parked"

    # Its own id: SQLite reuses outbox rowids once the outbox drains, so a second parked row
    # could carry an outbox id parked before.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    parked_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PageVersionRow(Base):
    """When each public page (by path) last changed, recorded in the transaction that changed
    it: a list page's Last-Modified. The newest `modified` of the stories it still lists would
    go back in time when one is killed, and a client revalidating with If-Modified-Since
    would keep the killed story."""

    __tablename__ = "page_versions"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    modified: Mapped[datetime] = mapped_column(UtcDateTime())
    # One more on every change, however many a second brings (`modified` has whole seconds
    # and stays within a second of the clock): what a kept list page is kept under.
    revision: Mapped[int] = mapped_column(Integer, default=1)
