"""Decoding a batch of the event log with the cyclic garbage collector paused.

A decoded batch is thousands of new pydantic models, lists and dicts, every one of them kept
(it is the batch). Each 700 new container objects trigger a collection that walks the young
ones, and the survivors pile up into full collections of the whole heap: measured, decoding
1,000 archived events at a time ran at ~14k events/s with the collector on and ~37k with it
paused (services/archive/bench/bench_archive.py, "read the log alone"). Decoding makes no
reference cycles, so pausing frees nothing later than it would have been freed; the collector
runs again as soon as the batch is decoded (a bounded batch, so a bounded pause)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block runs with the cyclic collector off, unless someone else had turned it off
    already (then it stays off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
