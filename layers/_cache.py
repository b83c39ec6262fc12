"""A per-process cache of layer frames, keyed by store, layer and revision.

Shared data behind a cache keyed by name and data version: every worker and
every instance agrees because the revision comes from the database, and an
unchanged layer is never read twice. Frames handed out must not be mutated.

A miss is read once: the other threads that want the same frame at the same
time wait for that read rather than each reading it too. When an officer's
dispatch changes the stock, every wall a process serves polls within the same
few seconds; read by each of them at once, the city's depots and forces cost
0.7 s of CPU per wall instead of per process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from store import Store

T = TypeVar("T")
Key = tuple[str, str, str]
_lock = threading.Lock()
_frames: dict[Key, tuple[Hashable, object]] = {}
_reading: dict[Key, threading.RLock] = {}  # one lock per frame, held while it is read


def cached(
    store: Store,
    layer: str,
    name: str,
    revision: Hashable,
    load: Callable[[], T],
    still_valid: Callable[[T], bool] | None = None,
) -> T:
    """``load()``'s result for ``layer`` at ``revision``, computed once.

    ``still_valid(value)`` may say a value of the same revision has gone out of
    date all the same (what is in force changes with the clock).
    """
    return _get(
        (store.url, layer, name),
        revision,
        lambda _hit: load(),
        still_valid,
    )


def patched(
    store: Store,
    layer: str,
    name: str,
    revision: Hashable,
    load: Callable[[], T],
    patch: Callable[[Hashable, T], T | None],
) -> T:
    """Like :func:`cached`, but a value of an older revision is brought up to date with
    ``patch(old_revision, old_value)`` (None: it cannot be, so ``load()`` runs).

    The patch must build a new value: the old one may still be in use elsewhere.
    """

    def update(hit: tuple[Hashable, T] | None) -> T:
        value = patch(hit[0], hit[1]) if hit is not None else None
        return load() if value is None else value

    return _get((store.url, layer, name), revision, update)


def _get(
    key: Key,
    revision: Hashable,
    build: Callable[[tuple[Hashable, T] | None], T],
    still_valid: Callable[[T], bool] | None = None,
) -> T:
    def fresh(hit: tuple[Hashable, object] | None) -> bool:
        if hit is None or hit[0] != revision:
            return False
        return still_valid is None or still_valid(hit[1])  # type: ignore[arg-type]

    with _lock:
        hit = _frames.get(key)
        reading = _reading.setdefault(key, threading.RLock())
    if fresh(hit):
        return hit[1]  # type: ignore[index,return-value]
    with reading:
        with _lock:
            hit = _frames.get(key)
        if fresh(hit):  # another thread read it while this one waited
            return hit[1]  # type: ignore[index,return-value]
        value = build(hit)  # type: ignore[arg-type]
        with _lock:
            _frames[key] = (revision, value)
        return value


def clear() -> None:
    """Forget everything (tests that rebuild a store at the same URL)."""
    with _lock:
        _frames.clear()
