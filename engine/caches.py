"""Bounded in-process caches, owned by one Runtime (never module globals).

Each process (a web worker, the timer worker, a test) builds its own Runtime and with it
these caches, so two processes never share one and a test always starts cold. Every
cached value is either immutable (parsed specs and the content of a deployed version,
keyed by its content hash) or checked against the database before use (live workflows,
keyed by the state token of their last committed save).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class LruCache(Generic[V]):
    """A thread-safe least-recently-used map of at most `size` entries (0: keeps nothing)."""

    def __init__(self, size: int):
        self._entries: LRUCache | None = LRUCache(maxsize=size) if size > 0 else None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._entries is not None

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value, or `make()` stored under `key` (two threads may both make it)."""
        found = self.get(key)
        if found is not None:
            return found
        value = make()
        self.put(key, value)
        return value

    def get(self, key: Hashable) -> V | None:
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(key)

    def pop(self, key: Hashable) -> V | None:
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.pop(key, None)

    def put(self, key: Hashable, value: V) -> None:
        if self._entries is None:
            return
        with self._lock:
            self._entries[key] = value

    def __len__(self) -> int:
        if self._entries is None:
            return 0
        with self._lock:
            return len(self._entries)


class WorkflowCache:
    """Live workflows kept between requests, keyed by the state token of their save.

    A request that finds the instance's current token here skips the load entirely; the
    token is random per save and the entry is put only after its transaction commits
    (`engine.db.on_commit`), so a rolled-back or concurrent change can never be mistaken
    for the cached state. An entry is taken out while in use, so two threads never share
    one workflow object.
    """

    def __init__(self, size: int):
        self._entries: LruCache[tuple[str, Any]] = LruCache(size)

    @property
    def enabled(self) -> bool:
        return self._entries.enabled

    def take(self, instance_id: int, token: str | None) -> Any | None:
        entry = self._entries.pop(instance_id)
        if entry is None or token is None or entry[0] != token:
            return None
        return entry[1]

    def put(self, instance_id: int, token: str, live: Any) -> None:
        self._entries.put(instance_id, (token, live))

    def __len__(self) -> int:
        return len(self._entries)
