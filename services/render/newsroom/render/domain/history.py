"""What changed between versions of a story, for the version history readers see."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from newsroom.render.domain.projection import VersionRecord, is_kill
from newsroom.render.domain.text import sentences


@dataclass(frozen=True)
class VersionChange:
    version: str
    versioncreated: datetime
    arrived_at: datetime
    kind: str  # received, updated, withdrawn
    label: str  # First published, Updated, Corrected, Withdrawn
    ednote: str | None
    headline_change: tuple[str, str] | None = None
    standfirst_changed: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _label(record: VersionRecord, first: bool) -> str:
    if is_kill(record):
        return "Withdrawn"
    if first:
        return "First published"
    return "Corrected" if record.is_correction else "Updated"


def version_changes(history: list[VersionRecord]) -> list[VersionChange]:
    """One entry per version, oldest first, each compared with the previous article version."""
    changes: list[VersionChange] = []
    previous: VersionRecord | None = None
    for record in history:
        article = record.article
        old = previous.article if previous is not None else None
        headline_change = None
        standfirst_changed = False
        added: list[str] = []
        removed: list[str] = []
        if article is not None and old is not None and record.kind != "withdrawn":
            if article.headline != old.headline:
                headline_change = (old.headline, article.headline)
            standfirst_changed = (article.standfirst or "") != (old.standfirst or "")
            before, after = sentences(old.body_text), sentences(article.body_text)
            matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
            for op, a1, a2, b1, b2 in matcher.get_opcodes():
                if op in ("replace", "delete"):
                    removed.extend(before[a1:a2])
                if op in ("replace", "insert"):
                    added.extend(after[b1:b2])
        changes.append(
            VersionChange(
                version=record.version,
                versioncreated=record.versioncreated,
                arrived_at=record.arrived_at,
                kind=record.kind,
                label=_label(record, first=previous is None),
                ednote=record.ednote,
                headline_change=headline_change,
                standfirst_changed=standfirst_changed,
                added=added,
                removed=removed,
            )
        )
        if article is not None:
            previous = record
    return changes
