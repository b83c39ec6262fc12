"""The app as ``python app.py`` serves it, counting the risk-map updates it sends.

For ``benchmarks.wall_memory --outside``: with no debugger attached to the
browser, the server is where a wall's updates can be counted.
The count is written to the file named by ``WALL_UPDATES_FILE`` at each update
(a route would sit behind the app's sign-in). Not for production.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/files.py
# would hide the project's files package: the repository root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from flask import request  # noqa: E402
from waitress import serve  # noqa: E402

import app as fourmaps  # noqa: E402

_lock = threading.Lock()
_updates = 0
_COUNT_FILE = Path(os.environ["WALL_UPDATES_FILE"])


@fourmaps.server.after_request
def _count(response):  # runs before compression (registered after it)
    global _updates
    if (
        request.path == "/_dash-update-component"
        and not response.direct_passthrough
        and b'"map-risk"' in response.get_data()
    ):
        with _lock:
            _updates += 1
            _COUNT_FILE.write_text(str(_updates))
    return response


if __name__ == "__main__":
    settings = fourmaps.settings
    serve(fourmaps.server, host=settings.host, port=settings.port, threads=settings.threads)
