"""Keyset (cursor) pagination: a page is the items just after, or just before, a position in
a list's order, so reading page 10,000 costs what reading page 1 does (an OFFSET would walk
every item before it). A position travels as an opaque cursor in the page's links."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from newsroom.shared.problems import Problem

T = TypeVar("T")

MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 512  # a cursor this service made is far shorter

# A position in a list's order: the values of its sort key (a time, an id, a number).
Position = tuple[str | int | datetime, ...]


class InvalidCursor(Problem):
    status = 400
    slug = "invalid-cursor"
    title = "Invalid page cursor"


def encode_cursor(position: Position) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in position]
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> Position:
    """The position a cursor of this list carries, each value of the kind the list's key has
    (InvalidCursor, a 400, for anything else: a cursor is read from a URL)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidCursor("The cursor is not one this site gave.") from error
    if not isinstance(values, list) or len(values) != len(kinds):
        raise InvalidCursor("The cursor is not one of this list.")
    position: list[str | int | datetime] = []
    for value, kind in zip(values, kinds, strict=True):
        if kind is datetime and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError as error:
                raise InvalidCursor("The cursor is not one of this list.") from error
            if moment.tzinfo is None:
                raise InvalidCursor("The cursor is not one of this list.")
            position.append(moment)
        elif (kind is int and type(value) is int and -(2**62) < value < 2**62) or (
            kind is str and isinstance(value, str)
        ):
            position.append(value)
        else:
            raise InvalidCursor("The cursor is not one of this list.")
    return tuple(position)


@dataclass(frozen=True)
class Window:
    """Which page of a list to read: `size` items after `after`, or before `before`, or the
    first `size` (neither)."""

    size: int
    after: Position | None = None
    before: Position | None = None

    @property
    def backwards(self) -> bool:
        return self.before is not None

    @property
    def bound(self) -> Position | None:
        return self.before if self.before is not None else self.after


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page of a list, and the positions of the pages beside it (None: none there)."""

    items: list[T]
    next: Position | None
    prev: Position | None


def page_of(rows: list[T], window: Window, key: Callable[[T], Position]) -> KeysetPage[T]:
    """The page from the rows a query read for `window`: at most size + 1 of them, in the
    list's order, or in reverse order when reading backwards (the extra one says whether
    there is more that way)."""
    more = len(rows) > window.size
    items = rows[: window.size]
    if window.backwards:
        items.reverse()
        return KeysetPage(
            items,
            next=key(items[-1]) if items else None,
            prev=key(items[0]) if items and more else None,
        )
    return KeysetPage(
        items,
        next=key(items[-1]) if items and more else None,
        prev=key(items[0]) if items and window.after is not None else None,
    )
