"""Keep recently advanced workflows in memory, keyed by their exact serialized state.

Deserializing is a third of a completion's cost. A cached workflow is only ever handed out for a state
string that is byte-for-byte the one it was serialized to, so a hit is exactly what deserializing would
give; entries are taken out (not shared) while a request advances them, and only the new state is put
back. A state that never reached the database is simply never asked for again and ages out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class HotWorkflowCache:
    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[Any, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, state: str) -> tuple[Any, dict[str, Any]] | None:
        """Remove and return the workflow serialized as ``state`` (with its projections), if cached."""
        if self._capacity <= 0:
            return None
        with self._lock:
            entry = self._entries.pop(state, None)
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
            return entry

    def put(self, state: str, workflow: Any, projections: dict[str, Any]) -> None:
        if self._capacity <= 0:
            return
        with self._lock:
            self._entries[state] = (workflow, projections)
            self._entries.move_to_end(state)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
