"""Redis stream entry ids (`<milliseconds>-<sequence>`) as ordered values."""

from __future__ import annotations

from typing import NamedTuple, Self


class EntryId(NamedTuple):
    """Ordered as Redis orders entries: by milliseconds, then sequence."""

    ms: int
    seq: int

    @classmethod
    def parse(cls, text: str | bytes) -> Self:
        raw = text.decode() if isinstance(text, bytes) else text
        ms, _, seq = raw.partition("-")
        return cls(int(ms), int(seq or 0))

    def successor(self) -> EntryId:
        """The lowest id above this one (`XTRIM MINID` with it drops this entry too)."""
        return EntryId(self.ms, self.seq + 1)

    def __str__(self) -> str:
        return f"{self.ms}-{self.seq}"


ZERO = EntryId(0, 0)
