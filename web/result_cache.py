"""A bounded in-memory cache of query answers, for an endpoint serving an immutable build.

A build never changes once made, so the answer to the same query, asked with the same
protocol parameters and negotiated format on the same build, is the same bytes: the
competency questions, the query page's examples and the entity pages' queries are asked
over and over. Each server process keeps the most recently used answers up to a byte
budget (``CAKG_CACHE_MB``, 0 to turn it off); one answer larger than a quarter of the
budget is never kept. Keys are the job's entity tag (:func:`cakg.web.sparql.job_etag`: the
build's name and every field of the job), so a new build starts with fresh keys.

Writable and remote stores are never cached: their data can change under the server.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from cakg.graph.engine import Outcome

__all__ = ["ResultCache"]


class ResultCache:
    """Least-recently-used answers, at most ``max_bytes`` of bodies in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._entries: OrderedDict[str, Outcome] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Outcome | None:
        """Return the answer kept for ``key`` (and mark it recently used), or ``None``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: str, outcome: Outcome) -> None:
        """Keep a successful answer, dropping the least recently used ones to make room."""
        size = len(outcome.body)
        if outcome.status != 200 or size * 4 > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = outcome
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        """Drop every answer kept."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def size(self) -> int:
        """Return the bytes of the bodies kept."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)
