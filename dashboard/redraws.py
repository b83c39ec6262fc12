"""One redraw per process for walls that ask the same question at once.

Every officer write changes data that every open wall then redraws. The walls
of one command centre carry the same URL, so each poll after a change asks a
process the same question a dozen times within a second: same filter, same
drawn state, same view, same data revision. The answer is a pure function of
those, so the first request computes it and the others, arriving meanwhile or
just after, take the same answer (measured by ``benchmarks/load.py``: 50 walls
redrawing for each write was more CPU than the machine had).

Nothing here is state another process needs: a miss only costs the redraw.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class SharedAnswers:
    """A small LRU of answers by key, where concurrent misses of one key compute once."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._done: OrderedDict[Hashable, Any] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The answer for ``key``: kept, being computed by another request, or computed.

        An exception is raised to the request that computed it, and is not kept: a
        waiting request then computes for itself."""
        while True:
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    return self._done[key]
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    break
            running.wait()
        try:
            answer = compute()
        except BaseException:
            with self._lock:
                del self._running[key]
            running.set()
            raise
        with self._lock:
            self._done[key] = answer
            while len(self._done) > self._size:
                self._done.popitem(last=False)
            del self._running[key]
        running.set()
        return answer
