"""The apps under test as subprocesses: started, timed to their first answer, measured, stopped."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
# name: (module run with ``python -m``, extra environment). Run as modules, so their
# command lines do not contain "app.py": a `pkill -f app.py` elsewhere leaves them alone.
APPS: dict[str, tuple[str, dict[str, str]]] = {
    "fast": ("app", {}),  # app.py, as `make run` starts it
    "naive": ("benchmarks.naive_app", {"FOURMAPS_BENCH_MODE": "naive"}),
    "floor": ("benchmarks.naive_app", {"FOURMAPS_BENCH_MODE": "floor"}),
}
SIGNED_IN = {"app", "benchmarks.text_cost"}  # the product's own app needs sign-in


def viewer_headers(database_url: str) -> dict[str, str]:
    """``Authorization`` for a viewer of the store (the product's app needs sign-in): a
    ``bench`` user and a fresh token; the baselines take no header."""
    from auth import system_principal
    from auth.accounts import NameTaken, add_user, create_api_token
    from store import open_store

    store = open_store(database_url)
    actor = system_principal("benchmarks")
    with contextlib.suppress(NameTaken):
        add_user(store, actor, "bench", "viewer", secrets.token_urlsafe(16))
    token = create_api_token(store, actor, "bench", "benchmarks")
    store.engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_memory(pid: int) -> dict[str, float]:
    """A process's resident memory now and at its peak (VmHWM), in MiB."""
    rss = psutil.Process(pid).memory_info().rss / 2**20
    peak = rss
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return {"rss_mib": rss, "peak_mib": peak}


class AppProcess:
    """One app on a free port of 127.0.0.1, in its own process group."""

    def __init__(
        self,
        name: str,
        database_url: str,
        log_dir: Path,
        env: dict[str, str] | None = None,
        workers: int = 0,
    ) -> None:
        """``workers`` > 0 serves the product's app with gunicorn (``gunicorn.conf.py``)
        and that many worker processes; 0 runs the module as ``make run`` does."""
        self.name = name
        self.module, extra = APPS[name]
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **extra,
            **(env or {}),
            **({"FOURMAPS_WORKERS": str(workers)} if workers else {}),
            "DATABASE_URL": database_url,
            "FOURMAPS_SEED_DEMO": "0",
            "FOURMAPS_DEBUG": "0",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
            ),
        }
        log_dir.mkdir(parents=True, exist_ok=True)
        self.err_path = log_dir / f"{name}-{self.port}.err"
        self.headers = viewer_headers(database_url) if self.module in SIGNED_IN else {}
        self.proc: subprocess.Popen | None = None
        self.started = 0.0  # time.monotonic() at spawn
        self.served = 0.0  # seconds from spawn to the first 200 on GET /

    def start(self, timeout: float = 180.0) -> float:
        """Spawn the app and wait for ``GET /`` to answer 200; returns the seconds it took."""
        with open(self.err_path, "wb") as err:
            self.started = time.monotonic()
            module = ["gunicorn", f"{self.module}:server"] if self.workers else [self.module]
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *module],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} app exited with {self.proc.returncode}: {self.stderr_tail()}"
                )
            try:
                request = urllib.request.Request(self.url + "/", headers=self.headers)
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        self.served = time.monotonic() - self.started
                        return self.served
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} app did not answer within {timeout:g} s")

    def check_alive(self) -> None:
        """Raise, saying so, if the app has exited (a crash, or killed from outside)."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(
                f"the {self.name} app (pid {self.proc.pid}) exited with {self.proc.returncode} "
                f"in the middle of the benchmark; its stderr ends: {self.stderr_tail(800)}"
            )

    def stderr_tail(self, limit: int = 3000) -> str:
        text = self.err_path.read_text(errors="replace") if self.err_path.exists() else ""
        return text[-limit:] or "(no output)"

    def serving_pids(self, timeout: float = 60.0) -> list[int]:
        """The processes that answer requests: the app's own, or gunicorn's workers
        (waited for until all have booted)."""
        assert self.proc is not None
        if not self.workers:
            return [self.proc.pid]
        deadline = time.monotonic() + timeout
        while True:
            children = psutil.Process(self.proc.pid).children()
            if len(children) >= self.workers or time.monotonic() > deadline:
                return [child.pid for child in children]
            time.sleep(0.1)

    def memory(self) -> dict[str, float]:
        """Resident memory now and at its peak (VmHWM), in MiB (of the largest
        process, when gunicorn runs several)."""
        return max((process_memory(pid) for pid in self.serving_pids()), key=lambda m: m["rss_mib"])

    def stop(self) -> None:
        """Stop the app (its own process group: nothing else)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> AppProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
