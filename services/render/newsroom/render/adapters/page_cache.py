"""The rendered-page caches (application.ports.DocumentCache and ListCache): LRUs in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PageCache(Generic[K, V]):
    """Rendered pages by a key that changes whenever the page does (an article document's
    row revision; a list page's recorded change time), so an entry is never stale; the LRU
    bound keeps memory flat. Used from the database worker threads, hence the lock.

    `size` bounds the count; with `max_bytes`, `weigh` (bytes an entry holds) bounds the total
    too: pages run from a few KB to a 1 MB sitemap file, so a count alone bounds memory only
    at a thousand times the typical page."""

    def __init__(
        self,
        size: int,
        *,
        max_bytes: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.weigh = weigh
        self.bytes = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def __contains__(self, key: K) -> bool:
        """Whether `key` has an entry (its place in the LRU unchanged)."""
        with self._lock:
            return key in self._entries

    def put(self, key: K, body: V) -> None:
        if self.size <= 0:
            return
        weight = self.weigh(body) if self.weigh is not None else 0
        if self.max_bytes is not None and weight > self.max_bytes:
            return  # it would push out everything else
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.bytes -= previous[1]
            self._entries[key] = (body, weight)
            self.bytes += weight
            while len(self._entries) > self.size or (
                self.max_bytes is not None and self.bytes > self.max_bytes
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
