"""Upcasting: old event versions are turned into the current shape on read, never rewritten.

When an event type changes incompatibly it gets a new `….vN` name, and an upcaster registered
here turns a body of the old type into the next version's shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# old type name -> function returning the body in the next version's shape.
UPCASTERS: dict[str, Upcaster] = {}


def upcast(body: Any, upcasters: Mapping[str, Upcaster] = UPCASTERS) -> Any:
    """Apply upcasters until the body's type is a current one (a chain v1 → v2 → v3)."""
    if not isinstance(body, dict):
        return body
    seen: set[str] = set()
    while isinstance(kind := body.get("type"), str) and kind in upcasters and kind not in seen:
        seen.add(kind)
        body = upcasters[kind](dict(body))
    return body


def upcast_current(body: Any) -> Any:
    """`upcast` with the registry as it is when called (a validator must not bind it early)."""
    return upcast(body, UPCASTERS)
