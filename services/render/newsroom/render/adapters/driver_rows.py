"""Many rows in one driver-level executemany: plain tuples, each value converted once by its
column type's own bind processor (the same conversion SQLAlchemy would make), in SQL written
for the driver's parameter style.

Why: a replay writes a dozen index rows per event, and SQLAlchemy's executemany turns every
row into a parameter dict and runs its per-parameter processing (about 15 µs a row, the
largest single cost of a replay). The SQL stays plain and portable (SQLite and PostgreSQL);
only the placeholders differ."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.engine import CursorResult

Processor = Callable[[Any], Any]

# ":p" marks a parameter in the SQL templates below (replaced by the driver's placeholder).
_MARK = re.compile(r":p\b")


def driver_sql(dialect: Dialect, template: str) -> str:
    """`template` with each `:p` replaced, in order, by the driver's placeholder."""
    style = dialect.paramstyle
    if style == "qmark":
        return _MARK.sub("?", template)
    if style in ("format", "pyformat"):
        return _MARK.sub("%s", template)
    if style in ("numeric", "numeric_dollar"):
        prefix = "$" if style == "numeric_dollar" else ":"
        counter = iter(range(1, template.count(":p") + 1))
        return _MARK.sub(lambda _: f"{prefix}{next(counter)}", template)
    raise NotImplementedError(f"parameter style {style!r}")


class ColumnConverter:
    """Converts rows of Python values for some of a table's columns into the driver's values
    (a datetime column's processor once per distinct value: rows of one article repeat its
    times)."""

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        self.processors: list[tuple[int, Processor]] = []
        for index, name in enumerate(columns):
            # the type as the dialect has it (SQLite: its own text format for datetimes)
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors.append((index, _memoised(processor)))

    def __call__(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if not self.processors:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            values = list(row)
            for index, processor in self.processors:
                values[index] = processor(values[index])
            converted.append(tuple(values))
        return converted


def _memoised(processor: Processor) -> Processor:
    cache: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        if value is None:
            return processor(value)
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = processor(value)
            return result
        except TypeError:  # unhashable: convert each time
            return processor(value)

    return process


class DriverValue:
    """One column type's conversion to the driver's value, for a caller that converts a value
    once and repeats it in many rows (an article's times in each of its index rows)."""

    def __init__(self, dialect: Dialect, table: Table, column: str) -> None:
        self.processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)

    def __call__(self, value: Any) -> Any:
        return value if self.processor is None else self.processor(value)


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    converted: bool = False,
) -> None:
    """INSERT `rows` (tuples in the order of `columns`) in one executemany; `converted`: the
    values are the driver's already (see DriverValue)."""
    if not rows:
        return
    dialect = connection.dialect
    names = [table.c[column].name for column in columns]  # the table's own (KeyError if not)
    sql = driver_sql(
        dialect,
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 (the table's names)
        f"VALUES ({', '.join(':p' for _ in names)})",
    )
    if not converted:
        rows = ColumnConverter(dialect, table, columns)(rows)
    connection.exec_driver_sql(sql, rows)


def execute_rows(
    connection: Connection,
    table: Table,
    template: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> CursorResult[Any]:
    """Run `template` (`:p` parameters, each of the type of the column of `table` at the same
    place in `columns`) once per row, in one executemany."""
    dialect = connection.dialect
    return connection.exec_driver_sql(
        driver_sql(dialect, template), ColumnConverter(dialect, table, columns)(rows)
    )


def select_in(
    connection: Connection, template: str, values: Sequence[str], chunk: int = 500
) -> list[Any]:
    """The first column of `template` (a SELECT ending in `IN ({})`) for `values` (strings,
    no conversion), `chunk` at a time: SQLAlchemy's expanding IN coerces each value as a
    literal, a cost per value that a replay pays for every event id and entity it writes."""
    found: list[Any] = []
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        sql = driver_sql(connection.dialect, template.format(", ".join(":p" for _ in part)))
        found += [row[0] for row in connection.exec_driver_sql(sql, tuple(part))]
    return found
