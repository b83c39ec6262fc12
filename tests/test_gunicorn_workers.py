"""``gunicorn app:server`` (gunicorn.conf.py): two worker processes on a store that
one process migrated and seeded, a sign-in made through one worker good on every
worker, and a clean stop."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from config import ROOT
from store import open_store
from tests.conftest import STORE_KINDS

PASSWORD = "workers-test-Passw0rd"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer here, not something to follow


@pytest.fixture(params=STORE_KINDS)
def served(request, tmp_path: Path, demo_frames) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """gunicorn with 2 workers: SQLite on a new file (the master seeds it), or a new
    PostGIS database holding the demo."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    else:
        url = request.getfixturevalue("postgis_server").new_database_url()
        store = open_store(url)
        store.replace_all(demo_frames)
        store.engine.dispose()
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "FOURMAPS_WORKERS": "2",
        "FOURMAPS_THREADS": "4",
        "FOURMAPS_INSTANCE_DIR": str(tmp_path / "instance"),
        "FOURMAPS_ADMIN_PASSWORD": PASSWORD,
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            urllib.request.urlopen(base + "/login", timeout=5).close()
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"gunicorn did not answer in 120 s: {log.read_text()}")
    yield base, proc, log
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def _workers(proc: subprocess.Popen, timeout: float = 60) -> list[psutil.Process]:
    """gunicorn's worker processes, once both have started."""
    deadline = time.monotonic() + timeout
    while True:
        children = psutil.Process(proc.pid).children()
        if len(children) >= 2 or time.monotonic() > deadline:
            return children
        time.sleep(0.2)


def test_two_workers_serve_one_store_and_share_a_sign_in(served) -> None:
    base, proc, log = served
    assert len(_workers(proc)) == 2, log.read_text()
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    form = urllib.parse.urlencode({"name": "admin", "password": PASSWORD}).encode()
    with pytest.raises(urllib.error.HTTPError) as signed:
        browser.open(base + "/login", data=form, timeout=30)
    signed.value.close()
    assert signed.value.code == 302  # signed in, sent on to the page
    for _ in range(40):  # new connections each time: the kernel spreads them over workers
        with browser.open(base + "/api/collections/risk_points/items?limit=1", timeout=30) as r:
            assert r.status == 200
    stranger = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as refused:
        stranger.open(base + "/", timeout=30)
    refused.value.close()
    assert refused.value.code in (302, 401)  # nobody signed in sees no page
    text = log.read_text()
    assert "Traceback" not in text
    assert text.count("Booting worker") == 2
    assert "2 workers x 4 threads" in text
    proc.send_signal(signal.SIGTERM)  # what a service manager sends
    assert proc.wait(timeout=60) == 0
