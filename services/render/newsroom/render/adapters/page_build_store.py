"""The page builder's reads and writes on the read model (application.ports.PageBuildStore).

A page is written by one INSERT ... SELECT from its story's row at the revision it was rendered
from, so the check and the write are one statement: on SQLite the statement takes the write
lock and reads the latest commit; on PostgreSQL `FOR SHARE` locks the story's row, and a
projector's transaction updating it either committed before (the new revision then matches no
row) or waits for this one to commit (and then replaces the page)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

import structlog
from sqlalchemy import Connection, Table, select, text
from sqlalchemy.orm import Session

from newsroom.render.adapters.driver_rows import ColumnConverter, driver_sql
from newsroom.render.adapters.orm import ARTICLE_PAGE_COLUMNS, ArticlePageRow, ArticleRow
from newsroom.render.adapters.repository import decode_state
from newsroom.render.adapters.unit_of_work import ReadModelUnitOfWork
from newsroom.render.adapters.write_turn import WriteTurn
from newsroom.render.application.ports import PageSource, RenderedPage
from newsroom.render.domain.read_model import effective_modified

log = structlog.get_logger(__name__)

_ARTICLES = cast(Table, ArticleRow.__table__)
_PAGES = cast(Table, ArticlePageRow.__table__)
_WITHOUT_PAGE = (
    "FROM articles LEFT JOIN article_pages ON article_pages.article_id = articles.article_id "
    "{pages_after}"
    "WHERE articles.listed AND (article_pages.article_id IS NULL OR article_pages.build <> :build)"
)
_PAGE_VALUES = (*ARTICLE_PAGE_COLUMNS, "article_id")
_STORE_PAGE = (
    "INSERT INTO article_pages "
    "(slug, visible_from, modified, build, etag, html, gzipped, article_id) "
    "SELECT :p, :p, :p, :p, :p, :p, :p, article_id FROM articles "
    "WHERE article_id = :p AND revision = :p{lock} "
    "ON CONFLICT (article_id) DO UPDATE SET slug = excluded.slug, "
    "visible_from = excluded.visible_from, modified = excluded.modified, "
    "build = excluded.build, etag = excluded.etag, html = excluded.html, "
    "gzipped = excluded.gzipped"
)
# Tries of a batch's write that meets a concurrent writer (a deadlock on PostgreSQL, a busy
# SQLite file); then the batch's pages are left to be built on request.
_ATTEMPTS = 4


class SqlPageBuildStore:
    """On the read model `unit_of_work` writes (its one write slot per process)."""

    def __init__(self, unit_of_work: ReadModelUnitOfWork) -> None:
        self.unit_of_work = unit_of_work
        self.runner = unit_of_work.runner

    async def waiting(self, build: str, after: str | None, limit: int) -> list[str]:
        # The pages' side bounded too: PostgreSQL merge-joins the two keys, and its scan of
        # article_pages would otherwise start at the first page every batch (quadratic: the
        # build slowed from 2,000 to under 1,500 pages/s over 1M stories).
        without_page = _WITHOUT_PAGE.format(pages_after="AND article_pages.article_id > :after ")
        query = text(
            f"SELECT articles.article_id {without_page} AND articles.article_id > :after "
            "ORDER BY articles.article_id LIMIT :limit"
        )
        arguments = {"build": build, "after": after or "", "limit": limit}

        def read(connection: Connection) -> list[str]:
            return [row[0] for row in connection.execute(query, arguments)]

        return await self.runner.read_rows(read)

    async def count_waiting(self, build: str) -> int:
        query = text(f"SELECT count(*) {_WITHOUT_PAGE.format(pages_after='')}")

        def read(connection: Connection) -> int:
            return int(connection.execute(query, {"build": build}).scalar_one())

        return await self.runner.read_rows(read)

    async def sources(self, article_ids: Sequence[str]) -> list[PageSource]:
        if not article_ids:
            return []
        # By id alone, `listed` checked here: with `listed` in the WHERE clause SQLite chose
        # the (listed, ...) index and walked every listed story for each batch.
        query = select(
            _ARTICLES.c.article_id, _ARTICLES.c.revision, _ARTICLES.c.listed, _ARTICLES.c.state
        ).where(_ARTICLES.c.article_id.in_(list(article_ids)))

        def read(connection: Connection) -> list[PageSource]:
            return [
                PageSource(article_id, revision, decode_state(state))
                for article_id, revision, listed, state in connection.execute(query)
                if listed
            ]

        return await self.runner.read_rows(read)

    async def store(self, build: str, pages: Sequence[tuple[PageSource, RenderedPage]]) -> int:
        # In id order: two writers locking stories in one order cannot deadlock each other.
        ordered = sorted(pages, key=lambda item: item[0].article_id)
        rows = [
            (
                source.state.slug,
                source.state.visible_from,
                effective_modified(source.state.last_event_time, source.state.visible_from),
                build,
                page.etag,
                page.html,
                page.gzipped,
                source.article_id,
            )
            for source, page in ordered
        ]
        revisions = [source.revision for source, _ in ordered]

        def write(session: Session) -> int:
            connection = session.connection()
            dialect = connection.dialect
            lock = " FOR SHARE" if dialect.name == "postgresql" else ""
            values = ColumnConverter(dialect, _PAGES, _PAGE_VALUES)(rows)
            parameters: list[tuple[Any, ...]] = [
                (*row, revision) for row, revision in zip(values, revisions, strict=True)
            ]
            WriteTurn.take_in(session)
            result = connection.exec_driver_sql(
                driver_sql(dialect, _STORE_PAGE.format(lock=lock)), parameters
            )
            # Drivers that do not sum an executemany's row counts report -1.
            return result.rowcount if result.rowcount >= 0 else len(parameters)

        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self.unit_of_work.writing():
                    return await self.runner.write(write)
            except self.unit_of_work.conflicts as exc:
                if attempt == _ATTEMPTS:
                    log.warning("page_build_batch_skipped", pages=len(rows), error=repr(exc)[:300])
                    return 0
                await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")
