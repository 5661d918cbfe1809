"""Bounds on what the API hands on from a wire item: a sender may put megabytes into a field
meant for a line (a headline), or thousands of entries into a list meant for a few. The story's
body is the story and is not cut; every other text is cut at MAX_TEXT characters (ending with
"…") and every list at MAX_ITEMS entries. The API's schema states both."""

from __future__ import annotations

from typing import Any

MAX_TEXT = 2000
MAX_ITEMS = 200
ELLIPSIS = "…"


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text`, or its first `limit` - 1 characters and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def bounded(value: Any) -> Any:
    """A JSON value with every string clipped and every list cut to MAX_ITEMS, at any depth."""
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, list):
        return [bounded(item) for item in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {key: bounded(item) for key, item in value.items()}
    return value
