"""The rendered-document cache (application.ports.DocumentCache): an LRU in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict

from newsroom.render.application.ports import DocumentKey


class PageCache:
    """Rendered article documents by (article id, kind, row revision): the revision changes
    on every save, so an entry is never stale; the LRU bound keeps memory flat. Used from
    the database worker threads, hence the lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[DocumentKey, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: DocumentKey) -> bytes | None:
        with self._lock:
            body: bytes | None = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: DocumentKey, body: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
