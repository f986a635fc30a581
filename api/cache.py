"""A cache of REST answers, keyed by (route, normalised parameters, store generation).

The store does not change during a server's life unless a SPARQL Update comes through
the endpoint, which bumps :attr:`api.context.AppContext.generation`; an answer computed
for a generation therefore stays right for that generation, and a key with the new
generation never meets the old answers (they age out of the LRU order).

Answers are kept as the JSON bytes sent (no Python objects for the collector to walk),
up to ``max_bytes`` in all; one answer larger than a quarter of that is not kept. Each
answer says whether it came from the cache (``X-Cache: hit`` or ``miss``), so benchmarks
and clients can tell a computed answer from a remembered one. Concurrent requests for
the same key wait for the first one to compute it instead of all computing it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

CACHE_HEADER = "X-Cache"


class ResponseCache:
    """A thread-safe LRU of answer bodies (bytes), bounded by their total size.

    Examples
    --------
    >>> cache = ResponseCache(max_bytes=1000)
    >>> cache.get_or_compute(("/timeline", (("topic", "space"),), 0), lambda: b"[1]")
    (b'[1]', False)
    >>> cache.get_or_compute(("/timeline", (("topic", "space"),), 0), lambda: b"[2]")
    (b'[1]', True)
    """

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], bytes]) -> tuple[bytes, bool]:
        """The cached body of ``key`` and True, or ``compute()`` (then cached) and False.

        An exception from ``compute`` propagates and nothing is cached.
        """
        body = self.get(key)
        if body is not None:
            return body, True
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            body = self.get(key)
            if body is not None:
                return body, True
            try:
                body = compute()
                self.put(key, body)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return body, False
