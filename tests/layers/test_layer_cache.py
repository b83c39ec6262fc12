"""Walls polling one process at the same moment read a changed layer once between
them, and all get the same frame."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from layers import _cache
from layers.materials import depots


def test_concurrent_misses_read_the_layer_once(demo_copy, monkeypatch) -> None:
    reads: list[str] = []
    original = demo_copy.read

    def slow_read(table, **kwargs):
        if table == "depots":
            reads.append(table)
            time.sleep(0.2)  # long enough for every other thread to miss too
        return original(table, **kwargs)

    monkeypatch.setattr(demo_copy, "read", slow_read)
    _cache.clear()
    revisions = demo_copy.revisions()
    start = threading.Barrier(8)

    def wall(_n: int):
        start.wait()
        return depots(demo_copy, revisions)

    with ThreadPoolExecutor(8) as pool:
        frames = list(pool.map(wall, range(8)))
    assert reads == ["depots"]
    assert all(frame is frames[0] for frame in frames)
    assert len(frames[0]) > 0


def test_a_new_revision_is_read_again(demo_copy) -> None:
    _cache.clear()
    calls: list[int] = []

    def load(n: int):
        calls.append(n)
        return n

    assert _cache.cached(demo_copy, "t", "x", 1, lambda: load(1)) == 1
    assert _cache.cached(demo_copy, "t", "x", 1, lambda: load(99)) == 1
    assert _cache.cached(demo_copy, "t", "x", 2, lambda: load(2)) == 2
    assert calls == [1, 2]
