"""Wire timestamps → timezone-aware datetimes.

Wires send ISO 8601 in many dialects (`Z`, `+0000`, `+00:00`, basic `20210920T090000`, no
offset at all). A timestamp without an offset is wall-clock time at the wire's desk, so it is
read in the source's `default_timezone` rather than silently taken as UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsroom.ingest.domain.errors import UnusableItem

# fromisoformat reads "2016-01-22T12:15:00.000+0100" and "2016-01-12 12:35:40", but not a
# space between the time and its offset ("12:35:40 +01:00"), which some desks send.
_SPACE_BEFORE_OFFSET = re.compile(r"\s+(?=[+-]\d{2}:?\d{2}$|Z$)")


def zone(name: str) -> ZoneInfo | timezone:
    """The named zone; an unknown name is a configuration error, said plainly."""
    if name.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def parse_wire_datetime(value: str, default_timezone: str = "UTC") -> datetime:
    """Parse one wire timestamp; raises ValueError when it is not a date we can read.

    ISO 8601 first (what every standard format prescribes); then RFC 2822, which feeds and
    some NewsML-G2 producers send (`Mon, 20 Sep 2021 09:00:00 +0000`)."""
    text = _SPACE_BEFORE_OFFSET.sub("", value.strip())
    if not text:
        raise ValueError("empty timestamp")
    parsed: datetime
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a timestamp: {value!r}") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=zone(default_timezone))
    return parsed


def item_timestamp(raw: object, default_timezone: str, pointer: str) -> datetime | None:
    """A wire item's timestamp field: None when absent, a 422 naming the field when unreadable."""
    if raw is None:
        return None
    try:
        return parse_wire_datetime(str(raw), default_timezone)
    except ValueError as exc:
        raise UnusableItem(f"unreadable timestamp {raw!r}", pointer=pointer) from exc


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """Compact, stable UTC form used where a wire sends no version: `2021-09-20T09:00:00Z`."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")


__all__ = ["as_utc", "iso_utc", "parse_wire_datetime", "zone"]
