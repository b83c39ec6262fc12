"""A per-process cache of layer frames, keyed by store, layer and revision.

Shared data behind a cache keyed by name and data version: every worker and
every instance agrees because the revision comes from the database, and an
unchanged layer is never read twice. Frames handed out must not be mutated.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from store import Store

T = TypeVar("T")
_lock = threading.Lock()
_frames: dict[tuple[str, str, str], tuple[Hashable, object]] = {}


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
    key = (store.url, layer, name)
    with _lock:
        hit = _frames.get(key)
    if hit is not None and hit[0] == revision and (still_valid is None or still_valid(hit[1])):
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _frames[key] = (revision, value)
    return value


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
    key = (store.url, layer, name)
    with _lock:
        hit = _frames.get(key)
    if hit is not None and hit[0] == revision:
        return hit[1]  # type: ignore[return-value]
    value = patch(hit[0], hit[1]) if hit is not None else None  # type: ignore[arg-type]
    if value is None:
        value = load()
    with _lock:
        _frames[key] = (revision, value)
    return value


def clear() -> None:
    """Forget everything (tests that rebuild a store at the same URL)."""
    with _lock:
        _frames.clear()
