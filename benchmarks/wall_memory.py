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
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from benchmarks.machine import describe
from benchmarks.stores import sqlite_with
from store.schema import risk_points
from tests.browser.conftest import (
    ROOT,
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
    heap_used: float
    dom_nodes: int
    listeners: int
    canvases: int
    errors: int
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
    return (
        f"{s.minute:>5.1f} {s.renderer_rss:>10.0f}MB {s.renderer_pss:>5.0f}MB "
        f"{s.gpu_rss:>6.0f}MB {s.heap_used:>6.1f}MB {s.dom_nodes:>9,} {s.listeners:>9,} "
        f"{s.canvases:>8} {s.errors:>6} {s.changes:>7,} {s.updates:>11,}"
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
    rows: list[Sample] = []
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
        rows.append(sample(page, cdp, pid, started, writer, updates, args.gc))
        print_table(rows[-1:])
        end = started + args.minutes * 60
        next_at = started + args.every * 60
        while next_at <= end + 1:
            while time.monotonic() < next_at:
                page.wait_for_timeout(min(5000, max(10, (next_at - time.monotonic()) * 1000)))
            rows.append(sample(page, cdp, pid, started, writer, updates, args.gc))
            print(_row(rows[-1]), flush=True)
            next_at += args.every * 60
        writer.stop.set()
        writer.join()
        if args.heap_snapshot:
            chunks: list[str] = []
            cdp.on("HeapProfiler.addHeapSnapshotChunk", lambda e: chunks.append(e["chunk"]))
            cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
            args.heap_snapshot.write_text("".join(chunks))
        errors = list(page.console_errors)
        browser.close()

    print()
    print_table(rows)
    for text in errors[:5]:
        print(f"console error: {text[:200]}")
    ok, text = verdict(rows)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
