"""Run the four-maps dashboard: ``python app.py`` (settings: see config.py).

Served by waitress, a production WSGI server (threads, no fork: the same on
every platform); ``FOURMAPS_DEBUG=1`` uses Flask's development server instead.
Several workers and instances: ``gunicorn app:server`` (gunicorn.conf.py, README).
"""

from __future__ import annotations

import sys

from config import Settings
from dashboard.app import create_app
from store import StoreUnavailable

settings = Settings.from_env()
try:
    app = create_app(settings)
except StoreUnavailable as exc:
    print(f"fourmaps: {exc}", file=sys.stderr)
    sys.exit(2)
server = app.server  # for gunicorn: gunicorn app:server

if __name__ == "__main__":
    print(f"Four maps on http://{settings.host}:{settings.port}/ (wall: /wall)", flush=True)
    if settings.debug:  # Flask's development server, for development only
        # Its interactive debugger runs code for whoever reaches it: loopback only.
        local = settings.host in ("127.0.0.1", "localhost", "::1")
        if not local:
            print("fourmaps: FOURMAPS_DEBUG ignored off loopback (HOST)", file=sys.stderr)
        app.run(host=settings.host, port=settings.port, debug=local)
    else:  # a production WSGI server: walls run for weeks
        from waitress import serve

        serve(server, host=settings.host, port=settings.port, threads=settings.threads,
              ident="fourmaps")  # fmt: skip
