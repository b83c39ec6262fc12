"""Run the four-maps dashboard: ``python app.py`` (settings: see config.py)."""

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
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
