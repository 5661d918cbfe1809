"""Where a stream may be trimmed: below the archive, every group and retention, never further."""

from __future__ import annotations

from newsroom.archive.domain.retention import GroupPosition, trim_point
from newsroom.shared.eventstore import EntryId


def group(name: str, delivered: int, pending_from: int | None = None) -> GroupPosition:
    return GroupPosition(
        name=name,
        last_delivered=EntryId(delivered, 0),
        oldest_pending=None if pending_from is None else EntryId(pending_from, 0),
        pending=0 if pending_from is None else 1,
        lag=0,
    )


def test_nothing_is_trimmed_before_anything_is_archived() -> None:
    assert not trim_point(None, [group("render", 50)], None).trims


def test_everything_archived_and_read_by_every_group_goes_when_retention_is_zero() -> None:
    point = trim_point(EntryId(50, 0), [group("render", 50), group("enrich", 50)], None)
    assert point.minid == EntryId(50, 1)


def test_entries_after_the_archive_high_water_mark_stay() -> None:
    point = trim_point(EntryId(30, 0), [group("render", 50)], None)
    assert point.minid == EntryId(30, 1)
    assert point.limited_by == "archive"


def test_a_lagging_group_holds_trimming_back() -> None:
    point = trim_point(EntryId(50, 0), [group("render", 50), group("enrich", 12)], None)
    assert point.minid == EntryId(12, 1)
    assert point.limited_by == "group enrich"


def test_an_oldest_pending_entry_stays_for_its_retry() -> None:
    point = trim_point(EntryId(50, 0), [group("render", 50, pending_from=7)], None)
    assert point.minid == EntryId(7, 0)
    assert point.limited_by == "group render"


def test_retention_keeps_the_newest_entries() -> None:
    point = trim_point(EntryId(50, 0), [group("render", 50)], EntryId(41, 0))
    assert point.minid == EntryId(41, 0)
    assert point.limited_by == "retention"


def test_a_group_that_read_nothing_blocks_everything() -> None:
    assert not trim_point(EntryId(50, 0), [group("new", 0)], None).trims
