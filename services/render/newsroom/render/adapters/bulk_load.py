"""A replay into a fresh read model as a bulk load (the recipe of pg_restore and every
database's bulk loader): the rows first, the secondary indexes and the aggregates after.

* Secondary indexes: each row a replay inserts also goes into every index of its table, at a
  random place of a B-tree that outgrows the cache as the model grows (the replay's rate fell
  by half from 10k to 1M stories). Built once at the end from the sorted rows instead. They
  are the ORM metadata's own definitions, which the migrations make (a test compares the
  inspected schema after a replay with a migrated one).
* Aggregates: `entities` and `sitemap_months` written once from the counts the workers summed
  (repository.ReplayTotals), not read and rewritten in every transaction.
* Durability: the target is not live and is rebuilt from the log if the machine dies
  meanwhile, so the replay's connections do not wait for their commits to reach the disk
  (SQLite: synchronous=OFF and fewer WAL checkpoints; PostgreSQL: synchronous_commit off).
  The settings are per connection: serving opens its own, with the normal ones."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Index, insert, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from newsroom.render.adapters.driver_rows import insert_rows
from newsroom.render.adapters.orm import Base, EntityRow, SitemapMonthRow
from newsroom.render.adapters.repository import ReplayTotals
from newsroom.render.adapters.unit_of_work import (
    UnitOfWorkRunner,
    on_connect,
    sqlite_file_engine,
    sqlite_writer_engine,
)
from newsroom.render.adapters.write_turn import Lock
from newsroom.shared.sql import create_engine

# WAL pages between checkpoints during a replay (SQLite's default is 1,000: a checkpoint
# every 4 MB written, each copying pages back into the growing file).
REPLAY_WAL_PAGES = 20_000


def secondary_indexes() -> list[Index]:
    """The read model's indexes besides its primary keys and unique constraints (those
    enforce rules while loading: kept)."""
    return [index for table in Base.metadata.sorted_tables for index in table.indexes]


def _drop_indexes(connection: Connection) -> None:
    inspector = inspect(connection)
    for index in secondary_indexes():
        assert index.table is not None
        present = {found["name"] for found in inspector.get_indexes(index.table.name)}
        if index.name in present:
            index.drop(connection)


def _create_indexes(connection: Connection) -> None:
    for index in secondary_indexes():
        index.create(connection, checkfirst=True)


async def drop_secondary_indexes(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_drop_indexes)


async def create_secondary_indexes(engine: AsyncEngine) -> None:
    """The indexes `drop_secondary_indexes` dropped, built from the loaded rows; then the
    loaded tables settled (`settle_bulk_load`)."""
    async with engine.begin() as connection:
        await connection.run_sync(_create_indexes)
    await settle_bulk_load(engine)


async def settle_bulk_load(engine: AsyncEngine, *tables: str) -> None:
    """After a bulk load of `tables` (none: every table), the work the database would
    otherwise do later, while serving, with its own timing. PostgreSQL: VACUUM and ANALYZE.
    Autovacuum starts on tables that took many inserts and reads them whole: it fell in the
    first minutes of serving and competed with requests. VACUUM also leaves the visibility map
    and hint bits set, so a first request neither checks nor rewrites every row it reads.
    ANALYZE gives the planner its statistics. SQLite: the WAL folded back into the file."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f"VACUUM (ANALYZE) {', '.join(tables)}".rstrip()))
        elif engine.dialect.name == "sqlite":
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _write_totals(connection: Connection, totals: ReplayTotals) -> None:
    # First met order is the order the log was read in, which parallel workers do not share:
    # numbered by id instead, as migration 0006 numbered the entities it found (operational,
    # like a revision: only the sitemap's cut of entity files depends on it).
    insert_rows(
        connection,
        EntityRow.__table__,  # type: ignore[arg-type]
        ("entity_id", "name", "type", "articles", "seq"),
        [
            (entity_id, name, kind, max(0, totals.entity_deltas.get(entity_id, 0)), seq)
            for seq, (entity_id, (name, kind)) in enumerate(sorted(totals.names.items()), 1)
        ],
    )
    months = totals.months
    if months.lastmod:
        # SQLAlchemy's own insert, as ArticleRepository._count_months writes these rows (the
        # same text for the times on SQLite).
        connection.execute(
            insert(SitemapMonthRow),
            [
                {"month": month, "stories": max(0, months.deltas.get(month, 0)), "lastmod": lastmod}
                for month, lastmod in sorted(months.lastmod.items())
            ],
        )


async def write_totals(engine: AsyncEngine, totals: ReplayTotals) -> None:
    """The `entities` and `sitemap_months` rows of a fresh read model from its replay's
    totals, as the per-save counting would have left them (see ArticleRepository._count_*)."""
    async with engine.begin() as connection:
        await connection.run_sync(_write_totals, totals)


def _bulk_writer(engine: AsyncEngine) -> Engine | None:
    writer = sqlite_writer_engine(engine)
    if writer is None:
        return None
    on_connect(writer, "PRAGMA synchronous=OFF", f"PRAGMA wal_autocheckpoint={REPLAY_WAL_PAGES}")
    return writer


def open_replay_target(database_url: str, write_lock: Lock | None = None) -> UnitOfWorkRunner:
    """The read model a replay loads (bootstrap.open_read_model's, with the bulk writer's
    SQLite settings above); `write_lock`: shared by the processes loading one SQLite file
    (write_turn.WriteTurn)."""
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        on_connect(engine.sync_engine, "SET synchronous_commit TO off")

    return UnitOfWorkRunner(
        engine, sqlite_file_engine(engine), _bulk_writer(engine), write_lock=write_lock
    )
