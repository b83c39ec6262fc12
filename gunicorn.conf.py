"""gunicorn's settings for the four maps, read by ``gunicorn app:server`` run from here.

Several worker processes on one store, for a real deployment (the README's
"Several workers"): ``FOURMAPS_WORKERS`` processes of ``FOURMAPS_THREADS``
threads each, on ``HOST:PORT``. Threads, not async workers: a request spends
its time in pandas and the database driver, and the app's per-process caches
are shared by a worker's threads. The store is opened, migrated and seeded
once, in the master, before any worker starts.
"""

from __future__ import annotations

import sys

from config import Settings

_settings = Settings.from_env()

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = "gthread"
threads = _settings.threads
timeout = 120  # a worker silent this long is restarted (a city's first snapshot takes ~10 s)
graceful_timeout = 30
# Longer than any page's poll period: gunicorn's default (2 s) closes a wall's idle
# connection between polls, and a poll sent as it closes fails with no answer (seen
# in the load benchmark). 75 s, as nginx's own keep-alive.
keepalive = 75
max_requests = 0  # a wall polls for weeks: workers are not recycled, caches stay warm
accesslog = None
errorlog = "-"


def on_starting(server: object) -> None:
    """Migrate and seed the store once, before the workers fork."""
    from dashboard.app import prepare_store
    from store import StoreUnavailable

    try:
        prepare_store(_settings).engine.dispose()  # no connection crosses the fork
    except StoreUnavailable as exc:
        print(f"fourmaps: {exc}", file=sys.stderr)
        sys.exit(2)
    print(
        f"Four maps on http://{bind}/ (wall: /wall): {workers} workers x {threads} threads",
        flush=True,
    )
