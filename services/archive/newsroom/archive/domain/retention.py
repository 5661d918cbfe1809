"""Where a stream may be trimmed: `XTRIM MINID` drops every entry below the trim point, so the
point is the lowest entry anything still needs.

- the archive: entries after its high-water mark are not archived yet;
- every consumer group: its oldest pending entry (delivered, not acknowledged: a retry or a
  reclaim reads it again) and the entries after its last-delivered id (not read yet);
- retention: the newest `STREAM_RETENTION` entries stay for consumers that read the stream
  itself (0: none kept for that reason).

A group that lags holds trimming back: the trim point is then its position, and the report
says which group limits the trim."""

from __future__ import annotations

from dataclasses import dataclass

from newsroom.shared.eventstore import EntryId


@dataclass(frozen=True)
class GroupPosition:
    """A consumer group's place in a stream, from XINFO GROUPS and XPENDING."""

    name: str
    last_delivered: EntryId
    oldest_pending: EntryId | None
    pending: int
    lag: int | None  # entries not delivered yet (None: Redis cannot tell after a deletion)

    def needs_from(self) -> EntryId:
        """The lowest entry the group may still read: its oldest pending one, else the one
        after its last delivered."""
        if self.oldest_pending is not None:
            return min(self.oldest_pending, self.last_delivered.successor())
        return self.last_delivered.successor()


@dataclass(frozen=True)
class TrimPoint:
    """`minid` None: nothing may be trimmed (nothing archived yet, or the stream is empty)."""

    minid: EntryId | None
    limited_by: str

    @property
    def trims(self) -> bool:
        return self.minid is not None


def trim_point(
    archived_up_to: EntryId | None,
    groups: list[GroupPosition],
    retention_floor: EntryId | None,
) -> TrimPoint:
    """The MINID below which no entry is needed.

    `archived_up_to`: the archive's high-water mark (None: nothing archived, nothing trimmed).
    `retention_floor`: the oldest of the newest STREAM_RETENTION entries (the first possible
    entry when it holds fewer; None when retention is 0)."""
    if archived_up_to is None:
        return TrimPoint(None, "archive")
    candidates: list[tuple[EntryId, str]] = [(archived_up_to.successor(), "archive")]
    candidates += [(group.needs_from(), f"group {group.name}") for group in groups]
    if retention_floor is not None:
        candidates.append((retention_floor, "retention"))
    minid, limited_by = min(candidates, key=lambda candidate: candidate[0])
    if minid <= EntryId(0, 1):  # below the first possible entry: nothing to trim
        return TrimPoint(None, limited_by)
    return TrimPoint(minid, limited_by)


def consumed_by_every_group(groups: list[GroupPosition]) -> EntryId | None:
    """The entry below which every group has acknowledged everything (None: no groups)."""
    if not groups:
        return None
    return min(group.needs_from() for group in groups)
