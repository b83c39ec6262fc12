"""A wall that runs for weeks: does its browser's memory level off? Measured, printed.

    python -m benchmarks.wall_memory [--minutes 75] [--every 5] [--dataset demo|city]

Opens /wall in headless Chromium on a fresh SQLite store holding the data set,
with a 1 s poll, while another connection changes one risk point every 0.5 s
(the way a planner's edit lands), so the wall redraws its risk map over and
over. Every ``--every`` minutes it samples the page's renderer process (RSS and
PSS from /proc), Chromium's GPU process (software WebGL lives there), the JS
heap (CDP ``Runtime.getHeapUsage``), DOM nodes and listeners (CDP
``Memory.getDOMCounters``), canvases, console errors, changes made and map
updates received. Prints a table and a verdict against the target: after the
first 10 minutes the renderer rises by at most 50 MB over the run. Not a test
(nothing here is asserted in CI).

``--heap-snapshot FILE`` also writes a CDP heap snapshot at the end, to tell JS
growth from native (GPU, MapLibre tiles, fonts) growth.

``--outside`` measures with no debugger attached: while Playwright (CDP) drives
a page, Chromium keeps every response body for DevTools, and that buffer grows
with each poll. Chromium then runs by itself on ``/wall``, its memory is read
from /proc only, the server (``benchmarks/wall_server.py``) counts the map
updates it sent, and a debugger attaches once at the end to count canvases.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from auth import system_principal
from auth.accounts import create_wall_token
from benchmarks.machine import describe
from benchmarks.stores import sqlite_with
from store.schema import risk_points
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    free_port,
    launch_chromium,
    record,
    run_server,
    sign_in,
    wait_for_maps_drawn,
)

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
TARGET_MB = 50.0
WARM_MINUTES = 10.0
MB = 1024 * 1024


@dataclass
class Sample:
    minute: float
    renderer_rss: float  # MB
    renderer_pss: float
    gpu_rss: float
    heap_used: float | None  # None: not read (``--outside``)
    dom_nodes: int | None
    listeners: int | None
    canvases: int | None
    errors: int | None
    changes: int
    updates: int


class Writer(threading.Thread):
    """Changes one risk point every ``period`` seconds from its own connection."""

    def __init__(self, engine: sa.Engine, code: str, period: float) -> None:
        super().__init__(daemon=True)
        self.engine, self.code, self.period = engine, code, period
        self.changes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        grades = ["major", "low"]
        next_at = time.monotonic()
        while self.period > 0 and not self.stop.is_set():
            with self.engine.begin() as conn:
                conn.execute(
                    sa.update(risk_points)
                    .where(risk_points.c.code == self.code)
                    .values(
                        grade=grades[self.changes % 2],
                        version=risk_points.c.version + 1,
                    )
                )
            self.changes += 1
            next_at += self.period
            self.stop.wait(max(0.0, next_at - time.monotonic()))


def _mem(pid: int) -> tuple[float, float]:
    """RSS and PSS of a process in MB (PSS counts shared pages once)."""
    proc = psutil.Process(pid)
    try:
        full = proc.memory_full_info()
        return full.rss / MB, getattr(full, "pss", 0) / MB
    except psutil.AccessDenied:
        return proc.memory_info().rss / MB, 0.0


def chromium_processes(browser_pid: int) -> tuple[int | None, int | None]:
    """The page's renderer (the biggest one) and the GPU process, among Chromium's children."""
    renderers, gpu = [], None
    for child in psutil.Process(browser_pid).children(recursive=True):
        try:
            cmd = " ".join(child.cmdline())
            if "--type=renderer" in cmd and "--extension-process" not in cmd:
                renderers.append((child.memory_info().rss, child.pid))
            elif "--type=gpu-process" in cmd:
                gpu = child.pid
        except psutil.NoSuchProcess:
            continue
    return (max(renderers)[1] if renderers else None), gpu


def browser_pid() -> int:
    """Chromium's browser process: the newest /usr/bin/chromium child of this process."""
    mine = [
        p
        for p in psutil.Process().children(recursive=True)
        if "chromium" in p.name() and "--type=" not in " ".join(p.cmdline())
    ]
    return max(mine, key=lambda p: p.create_time()).pid


def sample(
    page, cdp, pid: int, started: float, writer: Writer, updates: int, gc: bool = False
) -> Sample:
    if gc:  # what is garbage not yet collected is then not counted as growth
        cdp.send("HeapProfiler.collectGarbage")
    renderer, gpu = chromium_processes(pid)
    r_rss, r_pss = _mem(renderer) if renderer else (0.0, 0.0)
    g_rss = _mem(gpu)[0] if gpu else 0.0
    heap = cdp.send("Runtime.getHeapUsage")
    dom = cdp.send("Memory.getDOMCounters")
    canvases = page.evaluate("document.querySelectorAll('canvas').length")
    return Sample(
        minute=(time.monotonic() - started) / 60,
        renderer_rss=r_rss,
        renderer_pss=r_pss,
        gpu_rss=g_rss,
        heap_used=heap["usedSize"] / MB,
        dom_nodes=dom["nodes"],
        listeners=dom["jsEventListeners"],
        canvases=canvases,
        errors=len(page.console_errors),
        changes=writer.changes,
        updates=updates,
    )


HEADER = (
    f"{'min':>5} {'renderer RSS':>12} {'PSS':>7} {'GPU RSS':>8} {'JS heap':>8} "
    f"{'DOM nodes':>9} {'listeners':>9} {'canvases':>8} {'errors':>6} {'changes':>7} "
    f"{'map updates':>11}"
)


def _row(s: Sample) -> str:
    def opt(value, width: int, fmt: str = ",") -> str:
        return f"{'-':>{width}}" if value is None else f"{value:>{width}{fmt}}"

    heap = f"{'-':>8}" if s.heap_used is None else f"{s.heap_used:>6.1f}MB"
    return (
        f"{s.minute:>5.1f} {s.renderer_rss:>10.0f}MB {s.renderer_pss:>5.0f}MB "
        f"{s.gpu_rss:>6.0f}MB {heap} {opt(s.dom_nodes, 9)} {opt(s.listeners, 9)} "
        f"{opt(s.canvases, 8, '')} {opt(s.errors, 6, '')} {s.changes:>7,} {s.updates:>11,}"
    )


def print_table(rows: list[Sample]) -> None:
    print(HEADER)
    for s in rows:
        print(_row(s), flush=True)


def verdict(rows: list[Sample]) -> tuple[bool, str]:
    """Rise of the renderer after the first 10 minutes, against the target."""
    warm = [s for s in rows if s.minute >= WARM_MINUTES - 0.05]
    if len(warm) < 2:
        return False, f"run too short: no two samples after minute {WARM_MINUTES:.0f}"
    base = warm[0]
    top = max(warm[1:], key=lambda s: s.renderer_rss)
    last = warm[-1]
    rise = top.renderer_rss - base.renderer_rss
    changes = last.changes - base.changes
    per = (last.renderer_rss - base.renderer_rss) * 1024 / changes if changes else 0.0
    ok = rise <= TARGET_MB
    return ok, (
        f"renderer {base.renderer_rss:.0f} MB at minute {base.minute:.0f}, at most "
        f"{top.renderer_rss:.0f} MB after (rise {rise:+.0f} MB; {last.renderer_rss:.0f} MB at "
        f"minute {last.minute:.0f}, {per:+.1f} KB a change over {changes:,} changes); "
        f"target at most +{TARGET_MB:.0f} MB: {'MET' if ok else 'NOT MET'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=75.0)
    parser.add_argument("--every", type=float, default=5.0, help="minutes between samples")
    parser.add_argument("--dataset", choices=["demo", "city"], default="demo")
    parser.add_argument(
        "--period", type=float, default=0.5, help="seconds between changes (0: none, polls only)"
    )
    parser.add_argument("--poll", type=float, default=1.0, help="the wall's poll, seconds")
    parser.add_argument("--heap-snapshot", type=Path, default=None)
    parser.add_argument(
        "--gc", action="store_true", help="collect the page's JS garbage before each sample"
    )
    parser.add_argument(
        "--outside",
        action="store_true",
        help="no debugger attached during the run: /proc memory, server-counted updates",
    )
    args = parser.parse_args(argv)

    work, url, store = sqlite_with(args.dataset, "wall-memory-")
    code = store.read("risk_points")["code"].iloc[0]
    env = {
        "DATABASE_URL": url,
        "FOURMAPS_POLL_SECONDS": str(args.poll),
        "FOURMAPS_SEED_DEMO": "0",
    }
    machine = describe()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"Wall memory, {args.dataset} data set, {when}")
    print("machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()))
    print(
        f"one risk point changed every {args.period:g} s by another connection, "
        f"poll {args.poll:g} s, {args.minutes:g} minutes, a sample every {args.every:g} min",
        flush=True,
    )
    if args.outside:
        rows, errors = run_outside(args, env, work, store, code)
    else:
        rows, errors = run_attached(args, env, work, store, code)
    print()
    print_table(rows)
    for text in errors[:5]:
        print(f"console error: {text[:200]}")
    ok, text = verdict(rows)
    print(text)
    return 0 if ok else 1


def _every(args: argparse.Namespace, started: float, wait, take) -> list[Sample]:
    """Samples at the start and every ``args.every`` minutes until ``args.minutes``."""
    rows = [take()]
    print_table(rows)
    end = started + args.minutes * 60
    next_at = started + args.every * 60
    while next_at <= end + 1:
        while time.monotonic() < next_at:
            wait(min(5.0, max(0.01, next_at - time.monotonic())))
        rows.append(take())
        print(_row(rows[-1]), flush=True)
        next_at += args.every * 60
    return rows


def run_outside(args, env: dict, work: Path, store, code: str) -> tuple[list[Sample], list[str]]:
    """Chromium on its own (no CDP domain enabled until the end), sampled from /proc."""
    count_file = work / "updates.txt"
    env = {**env, "WALL_UPDATES_FILE": str(count_file)}
    with run_server(env, script=Path(__file__).with_name("wall_server.py"), log_dir=work,
                    timeout=120) as base:  # fmt: skip
        port = free_port()
        cmd = [
            str(CHROMIUM),
            *CHROMIUM_ARGS,
            "--headless",
            "--window-size=1920,1080",
            "--lang=zh-CN",
            f"--user-data-dir={work / 'profile'}",
            f"--remote-debugging-port={port}",  # nothing attaches until the end
            f"{base}/wall?token={create_wall_token(store, system_principal('bench'), 'bench')}",
        ]
        chromium = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

        def sent() -> int:
            try:
                return int(count_file.read_text() or 0)
            except (FileNotFoundError, ValueError):  # none yet, or read mid-write
                return 0

        try:
            deadline = time.monotonic() + 120
            while sent() == 0 and time.monotonic() < deadline:  # the first draw
                time.sleep(1)
            time.sleep(10)  # the maps drawn
            writer = Writer(store.engine, code, args.period)
            started = time.monotonic()
            writer.start()
            first = sent()

            def take() -> Sample:
                renderer, gpu = chromium_processes(chromium.pid)
                r_rss, r_pss = _mem(renderer) if renderer else (0.0, 0.0)
                return Sample(
                    minute=(time.monotonic() - started) / 60,
                    renderer_rss=r_rss,
                    renderer_pss=r_pss,
                    gpu_rss=_mem(gpu)[0] if gpu else 0.0,
                    heap_used=None,
                    dom_nodes=None,
                    listeners=None,
                    canvases=None,
                    errors=None,
                    changes=writer.changes,
                    updates=sent() - first,
                )

            rows = _every(args, started, time.sleep, take)
            writer.stop.set()
            writer.join()
            with sync_playwright() as pw:  # attach once, at the end
                browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                page = browser.contexts[0].pages[0]
                rows[-1].canvases = page.evaluate("document.querySelectorAll('canvas').length")
                rows[-1].heap_used = page.evaluate(
                    "performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null"
                )
                browser.close()
        finally:
            chromium.terminate()
            try:
                chromium.wait(timeout=20)
            except subprocess.TimeoutExpired:
                chromium.kill()
    return rows, []


def run_attached(args, env: dict, work: Path, store, code: str) -> tuple[list[Sample], list[str]]:
    """Chromium driven by Playwright, with CDP's heap and DOM counters at each sample."""
    updates = 0
    with run_server(env, log_dir=work, timeout=120) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        pid = browser_pid()
        context = browser.new_context(
            viewport={"width": 1920, "height": 1080},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            service_workers="block",
        )
        page = record(context.new_page())
        sign_in(page, base)

        def on_response(response) -> None:
            nonlocal updates
            if "/_dash-update-component" not in response.url:
                return
            try:
                body = response.body()
            except Exception:  # a response gone with its page
                return
            if body and "map-risk" in json.loads(body).get("response", {}):
                updates += 1

        page.on("response", on_response)
        page.goto(base + "/wall")
        wait_for_maps_drawn(page, MAPS, timeout=120)
        cdp = context.new_cdp_session(page)
        writer = Writer(store.engine, code, args.period)
        started = time.monotonic()
        writer.start()
        rows = _every(
            args,
            started,
            lambda seconds: page.wait_for_timeout(seconds * 1000),
            lambda: sample(page, cdp, pid, started, writer, updates, args.gc),
        )
        writer.stop.set()
        writer.join()
        if args.heap_snapshot:
            chunks: list[str] = []
            cdp.on("HeapProfiler.addHeapSnapshotChunk", lambda e: chunks.append(e["chunk"]))
            cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
            args.heap_snapshot.write_text("".join(chunks))
        errors = list(page.console_errors)
        browser.close()
    return rows, errors


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
