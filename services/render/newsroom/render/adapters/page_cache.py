"""The rendered-page caches (application.ports.DocumentCache and ListCache): LRUs in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PageCache(Generic[K, V]):
    """Rendered pages by a key that changes whenever the page does (an article document's
    row revision; a list page's recorded change time), so an entry is never stale; the LRU
    bound keeps memory flat. Used from the database worker threads, hence the lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            body: V | None = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: K, body: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
