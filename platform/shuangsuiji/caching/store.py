"""A per-process, bounded, least-recently-used store of response bodies.

Bounded twice: by the number of entries and by the bytes of the bodies it holds (an entry
larger than ``max_entry_bytes`` is not kept at all). gunicorn's sync workers serve one
request at a time, but the development server and the browser tests serve from threads, so
every operation takes a lock; it is held for a dictionary operation, never while rendering.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredResponse:
    """What is kept of a 200 response: its body, and its headers as the view and the cache
    set them (content type, pagination, validators)."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    tenant_id: int


@dataclass
class StoreStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    too_large: int = 0
    evicted: int = 0
    dropped: int = 0  # entries of an older generation, dropped when a newer one was seen


class ResponseStore:
    """LRU mapping of cache keys to :class:`StoredResponse`."""

    def __init__(self, max_entries: int, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self.max_entry_bytes = min(max(0, max_entry_bytes), self.max_bytes)
        self.stats = StoreStats()
        self._entries: OrderedDict[Hashable, StoredResponse] = OrderedDict()
        self._bytes = 0
        self._generations: dict[int, str] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_entry_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable) -> StoredResponse | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.stats.misses += 1
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return found

    def put(self, key: Hashable, entry: StoredResponse) -> bool:
        """Keep ``entry`` (evicting the least recently used); False if it is too large."""
        size = len(entry.body)
        if not self.enabled or size > self.max_entry_bytes:
            self.stats.too_large += 1
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            self.stats.stored += 1
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
                self.stats.evicted += 1
        return True

    def observe_generation(self, tenant_id: int, generation: str) -> None:
        """Note the tenant's current generation; when it changed, drop the tenant's entries.

        Entries of an older generation can never be asked for again (every key carries the
        generation), so this only returns their memory early instead of waiting for the LRU.
        """
        if self._generations.get(tenant_id) == generation:
            return
        with self._lock:
            if self._generations.get(tenant_id) == generation:
                return
            had = tenant_id in self._generations
            self._generations[tenant_id] = generation
            if not had:
                return
            stale = [k for k, e in self._entries.items() if e.tenant_id == tenant_id]
            for key in stale:
                self._bytes -= len(self._entries.pop(key).body)
            self.stats.dropped += len(stale)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generations.clear()
            self._bytes = 0
