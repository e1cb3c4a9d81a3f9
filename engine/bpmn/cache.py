"""An in-process cache of live workflows between requests."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    """Workflows kept in memory between requests, keyed by the state token of their save.

    A request that finds the instance's current token here skips the load entirely; the
    token is random per save and becomes visible only when its transaction commits, so a
    rolled-back or concurrent change can never be mistaken for the cached state. An entry
    is taken out while in use, so two threads never share one workflow object.
    """

    def __init__(self, size: int = 64):
        self._entries: OrderedDict[int, tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def take(self, instance_id: int, token: str | None) -> Any | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or token is None or entry[0] != token:
            return None
        return entry[1]

    def put(self, instance_id: int, token: str, live: Any) -> None:
        with self._lock:
            self._entries[instance_id] = (token, live)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
