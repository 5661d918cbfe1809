"""Writing and reading the event store, through the shared unit-of-work runner (SQLite's one
writer with group commit, or a PostgreSQL transaction per piece of work)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, case, exists, func, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from newsroom.shared.eventstore.entry_ids import EntryId
from newsroom.shared.eventstore.records import ArchivedBody, ArchivedEvent, EventRecord
from newsroom.shared.eventstore.tables import CHECKPOINTS, EVENTS, METADATA
from newsroom.shared.sql import UnitOfWorkRunner

# Bound parameters per IN list: well under SQLite's and asyncpg's limits.
_IN_CHUNK = 500


def _insert_ignoring_known_ids(dialect: str) -> Insert:
    """INSERT … ON CONFLICT (event_id) DO NOTHING: a re-delivered event stores nothing."""
    if dialect == "postgresql":
        return postgresql.insert(EVENTS).on_conflict_do_nothing(index_elements=["event_id"])
    return sqlite.insert(EVENTS).on_conflict_do_nothing(index_elements=["event_id"])


def _row_values(record: EventRecord, now: datetime) -> dict[str, Any]:
    return {
        "event_id": record.event_id,
        "stream": record.stream,
        "entry_ms": record.entry_id.ms,
        "entry_seq": record.entry_id.seq,
        "event_type": record.event_type,
        "subject": record.subject,
        "causation_id": record.causation_id,
        "correlation_id": record.correlation_id,
        "body": record.body,
        "archived_at": now,
    }


def _archived(row: Row[Any]) -> ArchivedEvent:
    return ArchivedEvent(
        position=int(row.position),
        record=EventRecord(
            event_id=row.event_id,
            stream=row.stream,
            entry_id=EntryId(int(row.entry_ms), int(row.entry_seq)),
            event_type=row.event_type,
            subject=row.subject,
            causation_id=row.causation_id,
            correlation_id=row.correlation_id,
            body=row.body,
        ),
    )


def _at_or_after(entry: EntryId) -> ColumnElement[bool]:
    return tuple_(EVENTS.c.entry_ms, EVENTS.c.entry_seq) >= tuple_(entry.ms, entry.seq)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


class EventStore:
    def __init__(self, runner: UnitOfWorkRunner) -> None:
        self.runner = runner
        self._insert = _insert_ignoring_known_ids(runner.dialect)

    @classmethod
    def open(cls, database_url: str) -> EventStore:
        """On its own runner; synchronous=FULL: an archived event is acknowledged to Redis
        (and may be trimmed from it) once committed."""
        return cls(UnitOfWorkRunner(database_url, synchronous="FULL", name="archive"))

    async def close(self) -> None:
        await self.runner.dispose()

    async def create_schema(self) -> None:
        """Creates the tables that do not exist yet (the schema's first version)."""
        await self.runner.write(lambda connection: METADATA.create_all(connection))

    # ------------------------------------------------------------------ writing

    async def append(self, records: Sequence[EventRecord]) -> int:
        """Stores the records whose event ids are new, in order, in one transaction; how many
        were new."""
        if not records:
            return 0
        now = datetime.now(UTC)

        def work(connection: Connection) -> int:
            stored = 0
            for record in records:
                result = connection.execute(self._insert, _row_values(record, now))
                stored += max(0, int(result.rowcount or 0))
            return stored

        return await self.runner.write(work)

    async def record_checkpoint(self, epoch: str, stream: str, entry: EntryId) -> None:
        """Every group of `stream` had acknowledged everything before `entry` (in `epoch`)."""
        now = datetime.now(UTC)
        values = {
            "epoch": epoch,
            "stream": stream,
            "entry_ms": entry.ms,
            "entry_seq": entry.seq,
            "recorded_at": now,
        }
        dialect_insert = postgresql.insert if self.runner.is_postgresql else sqlite.insert
        statement = dialect_insert(CHECKPOINTS).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["epoch", "stream"],
            set_={"entry_ms": entry.ms, "entry_seq": entry.seq, "recorded_at": now},
        )
        await self.runner.write(lambda connection: connection.execute(statement))

    # ------------------------------------------------------------------ reading

    async def high_water_marks(self, streams: Sequence[str]) -> dict[str, EntryId | None]:
        """The newest entry archived from each stream (None: nothing yet)."""

        def work(connection: Connection) -> dict[str, EntryId | None]:
            marks: dict[str, EntryId | None] = {}
            for stream in streams:
                row = connection.execute(
                    select(EVENTS.c.entry_ms, EVENTS.c.entry_seq)
                    .where(EVENTS.c.stream == stream)
                    .order_by(EVENTS.c.entry_ms.desc(), EVENTS.c.entry_seq.desc())
                    .limit(1)
                ).first()
                marks[stream] = None if row is None else EntryId(int(row[0]), int(row[1]))
            return marks

        return await self.runner.read(work)

    async def nth_newest_entry(self, stream: str, n: int) -> EntryId | None:
        """The entry id of the `n`-th newest event archived from `stream` (None: fewer)."""

        def work(connection: Connection) -> EntryId | None:
            row = connection.execute(
                select(EVENTS.c.entry_ms, EVENTS.c.entry_seq)
                .where(EVENTS.c.stream == stream)
                .order_by(EVENTS.c.entry_ms.desc(), EVENTS.c.entry_seq.desc())
                .offset(n - 1)
                .limit(1)
            ).first()
            return None if row is None else EntryId(int(row[0]), int(row[1]))

        return await self.runner.read(work)

    async def count_from(self, stream: str, entry: EntryId) -> int:
        """Events archived from `stream` at or after `entry` (those still in the stream)."""

        def work(connection: Connection) -> int:
            query = select(func.count()).where(EVENTS.c.stream == stream, _at_or_after(entry))
            return int(connection.execute(query).scalar() or 0)

        return await self.runner.read(work)

    async def counts(self) -> dict[str, int]:
        """Archived events per stream."""

        def work(connection: Connection) -> dict[str, int]:
            rows = connection.execute(
                select(EVENTS.c.stream, func.count()).group_by(EVENTS.c.stream)
            ).all()
            return {str(stream): int(count) for stream, count in rows}

        return await self.runner.read(work)

    async def last_position(self) -> int:
        """The position of the newest row (0: none)."""

        def work(connection: Connection) -> int:
            return int(connection.execute(select(func.max(EVENTS.c.position))).scalar() or 0)

        return await self.runner.read(work)

    async def read(self, *, after: int, up_to: int | None, limit: int) -> list[ArchivedEvent]:
        """Up to `limit` rows in position order, after `after` and up to `up_to` (None: the
        newest)."""

        def work(connection: Connection) -> list[ArchivedEvent]:
            query = select(EVENTS).where(EVENTS.c.position > after)
            if up_to is not None:
                query = query.where(EVENTS.c.position <= up_to)
            rows = connection.execute(query.order_by(EVENTS.c.position).limit(limit)).all()
            return [_archived(row) for row in rows]

        return await self.runner.read(work)

    async def read_bodies(
        self, *, after: int, up_to: int | None, limit: int, event_types: Collection[str]
    ) -> list[ArchivedBody]:
        """`read` for a replay: up to `limit` rows in position order (a keyset page on the
        primary key), only the columns it needs, as plain driver rows; the body only of rows
        whose type is one of `event_types`. The filter runs in SQL, so the other types' bodies
        are neither sent nor decoded, yet each row is still there to be counted (an entry of
        the log that the reader skipped)."""
        body: ColumnElement[str | None] = (
            case((EVENTS.c.event_type.in_(list(event_types)), EVENTS.c.body))
            if event_types
            else literal(None, EVENTS.c.body.type)
        )
        query = select(
            EVENTS.c.position, EVENTS.c.event_id, EVENTS.c.event_type, body, EVENTS.c.subject
        ).where(EVENTS.c.position > after)
        if up_to is not None:
            query = query.where(EVENTS.c.position <= up_to)
        query = query.order_by(EVENTS.c.position).limit(limit)

        def work(connection: Connection) -> list[ArchivedBody]:
            return [ArchivedBody(*row) for row in connection.execute(query)]

        return await self.runner.read(work)

    async def archived_ids(self, event_ids: Sequence[str], *, up_to: int | None = None) -> set[str]:
        """Which of `event_ids` are archived (at positions up to `up_to`, when given)."""
        if not event_ids:
            return set()

        def work(connection: Connection) -> set[str]:
            found: set[str] = set()
            for chunk in _chunks(event_ids):
                query = select(EVENTS.c.event_id).where(EVENTS.c.event_id.in_(chunk))
                if up_to is not None:
                    query = query.where(EVENTS.c.position <= up_to)
                found.update(connection.execute(query).scalars())
            return found

        return await self.runner.read(work)

    async def events_from(
        self, stream: str, entry: EntryId, *, after: int, limit: int
    ) -> list[ArchivedEvent]:
        """Events archived from `stream` at or after `entry`, in position order, after the
        position `after`."""

        def work(connection: Connection) -> list[ArchivedEvent]:
            rows = connection.execute(
                select(EVENTS)
                .where(EVENTS.c.stream == stream, _at_or_after(entry), EVENTS.c.position > after)
                .order_by(EVENTS.c.position)
                .limit(limit)
            ).all()
            return [_archived(row) for row in rows]

        return await self.runner.read(work)

    async def without_derived_event(
        self,
        stream: str,
        event_types: Sequence[str],
        derived_stream: str,
        derived_from: EntryId,
        *,
        after: int,
        limit: int,
    ) -> list[ArchivedEvent]:
        """Events of `event_types` archived from `stream` (after the position `after`) with no
        event derived from them archived from `derived_stream` before the entry `derived_from`:
        none at all, or one that may not have reached every group of `derived_stream`."""
        derived = EVENTS.alias("derived")
        derived_in_time = exists().where(
            derived.c.causation_id == EVENTS.c.event_id,
            derived.c.stream == derived_stream,
            tuple_(derived.c.entry_ms, derived.c.entry_seq)
            < tuple_(derived_from.ms, derived_from.seq),
        )

        def work(connection: Connection) -> list[ArchivedEvent]:
            rows = connection.execute(
                select(EVENTS)
                .where(
                    EVENTS.c.stream == stream,
                    EVENTS.c.event_type.in_(event_types),
                    EVENTS.c.position > after,
                    ~derived_in_time,
                )
                .order_by(EVENTS.c.position)
                .limit(limit)
            ).all()
            return [_archived(row) for row in rows]

        return await self.runner.read(work)

    async def checkpoints_before(self, epoch: str) -> dict[str, EntryId]:
        """The checkpoints of the epoch recorded last before `epoch` (empty: none known)."""

        def work(connection: Connection) -> dict[str, EntryId]:
            latest = connection.execute(
                select(CHECKPOINTS.c.epoch)
                .where(CHECKPOINTS.c.epoch != epoch)
                .order_by(CHECKPOINTS.c.recorded_at.desc())
                .limit(1)
            ).scalar()
            if latest is None:
                return {}
            rows = connection.execute(
                select(CHECKPOINTS.c.stream, CHECKPOINTS.c.entry_ms, CHECKPOINTS.c.entry_seq).where(
                    CHECKPOINTS.c.epoch == latest
                )
            ).all()
            return {str(row[0]): EntryId(int(row[1]), int(row[2])) for row in rows}

        return await self.runner.read(work)


__all__ = ["EventStore"]
