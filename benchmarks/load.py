"""Many walls and officers at once on PostGIS (issue 19): latency, errors, connections, faults.

    .venv/bin/python -m benchmarks.load                 # 2 minutes, 50 walls, 5 officers
    .venv/bin/python -m benchmarks.load --quick         # about 20 s, to check it runs
    .venv/bin/python -m benchmarks.load --fault         # the database cut for 15 s half-way

The city set with its road network in a fresh PostGIS database of its own
(``fourmaps_load_<random>``, dropped at the end); 2 app instances of 2 workers
each, all on that database: by default each instance is ``gunicorn app:server``
(``gunicorn.conf.py``, gthread workers of ``FOURMAPS_THREADS`` threads, each
worker with its own connection pool) on its own port; ``--server waitress``
runs every worker as its own ``python -m app`` on its own port instead (4
processes, 4 ports). Walls and officers are spread over the ports round-robin, as a
reverse proxy would. Load from locust in its own process (``locustfile.py``):
walls replaying the wall's own Dash requests captured from Chromium (the poll
every ``FOURMAPS_POLL_SECONDS``, the redraw when it reports a change), and duty
officers on the HTTP API with their tokens. Prints its figures; localhost only;
bounded by ``--duration``. Not a test: nothing fails when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psutil
import shapely
import sqlalchemy as sa

from auth import Principal, system_principal
from auth.accounts import add_user, create_api_token, create_wall_token
from benchmarks import load_report
from benchmarks.machine import describe
from benchmarks.pages import chromium, drawn, filter_request, open_page
from benchmarks.replay import CHROMIUM_ENCODING, post
from benchmarks.servers import ROOT, AppProcess, process_memory
from benchmarks.stores import PG_ADMIN_URL, city_store
from data.city import build_city
from data.roads import build_roads
from editing.records import create_record
from store import Store, schema
from tests.tcp_proxy import TcpProxy

OUTPUT = ROOT / "test-output" / "load"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
POLL_SECONDS = 5.0  # the app's default FOURMAPS_POLL_SECONDS: what a wall does out of the box
TIMEOUT_S = 30.0  # every client gives up after this: no request may take longer


def _seconds(text: str) -> float:
    """``120``, ``120s``, ``2m``."""
    text = text.strip().lower()
    if text.endswith("m"):
        return float(text[:-1]) * 60
    return float(text.removesuffix("s"))


def _setup_people(store: Store, walls: int, officers: int) -> dict:
    """Wall tokens (one per wall, as ``manage.py wall-url`` makes them), officers with
    their API tokens, and one small hazard area per officer for them to edit."""
    admin = system_principal("benchmarks.load")
    wall_tokens = [create_wall_token(store, admin, f"load wall {n + 1}") for n in range(walls)]
    towns = store.read("townships")
    points = [(p.x, p.y) for p in towns.geometry.representative_point()]
    officer_tokens, hazards, versions = [], [], []
    for n in range(officers):
        name = f"officer{n + 1}"
        add_user(store, admin, name, "duty_officer", f"load-{name}-password")
        officer_tokens.append(create_api_token(store, admin, name, "load"))
        lon, lat = points[(n * 17) % len(points)]
        saved = create_record(
            store,
            Principal(name, "duty_officer", user_name=name),
            "hazard_areas",
            {
                "code": f"LOAD-HAZARD-{n + 1}",
                "name": f"积水点 {n + 1}",
                "kind": "closed",
                "note": "",
                "geom": shapely.geometry.mapping(shapely.Point(lon, lat).buffer(0.0003)),
            },
        )
        hazards.append(saved.record["code"])
        versions.append(int(saved.record["version"]))
    return {
        "wall_tokens": wall_tokens,
        "officer_tokens": officer_tokens,
        "hazards": hazards,
        "hazard_versions": versions,
        "incident_points": points,
    }


def _capture(base: str, wall_token: str, database_url: str) -> tuple[dict, dict]:
    """The wall's own poll and redraw requests, from Chromium on ``/wall``: the poll
    while idle, the redraw after a risk point was changed by another connection."""
    with chromium() as browser:
        context, page, traffic = open_page(browser)
        page.goto(f"{base}/wall?token={wall_token}", timeout=180_000)
        drawn(page)
        deadline = time.monotonic() + 3 * POLL_SECONDS
        while time.monotonic() < deadline and not _polls(traffic.bodies):
            page.wait_for_timeout(250)
        poll = _polls(traffic.bodies)[-1]
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            code = conn.execute(sa.select(schema.risk_points.c.code).limit(1)).scalar_one()
            conn.execute(
                sa.update(schema.risk_points)
                .where(schema.risk_points.c.code == code)
                .values(version=schema.risk_points.c.version + 1)
            )
        engine.dispose()
        deadline = time.monotonic() + 3 * POLL_SECONDS + 30
        redraw = None
        while time.monotonic() < deadline and redraw is None:
            page.wait_for_timeout(250)
            with contextlib.suppress(RuntimeError):
                redraw = filter_request(traffic, "data-revisions.data")
        context.close()
    if redraw is None:
        raise RuntimeError("the wall did not redraw after a change within the time allowed")
    return poll, redraw


def _polls(bodies: list[dict]) -> list[dict]:
    return [b for b in bodies if "data-last-ok.data" in b.get("output", "")]


def _warm(hosts: list[str], plan: dict) -> None:
    """Each process's first redraw and first recommendation build its caches (snapshot,
    road graph): done once here, so the run measures a warm system."""
    auth = {"Authorization": f"Bearer {plan['officer_tokens'][0]}"}
    for base in hosts:
        post(base, plan["redraw_body"], CHROMIUM_ENCODING, auth)
        body = json.dumps({"lon": plan["incident_points"][0][0],
                           "lat": plan["incident_points"][0][1], "type": "flood",
                           "description": "warm-up"}).encode()  # fmt: skip
        request = urllib.request.Request(
            base + "/api/incidents", data=body, method="POST",
            headers={**auth, "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=120) as response:
            ref = json.loads(response.read())["id"]
        request = urllib.request.Request(f"{base}/api/incidents/{ref}/recommendation", headers=auth)
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()


def _idle(base: str, plan: dict, runs: int = 5) -> dict:
    """One wall's poll and redraw on a warm process with nothing else running: what the
    figures under load are to be compared with (medians, ms; the redraw is the one after
    a risk point changed, so the risk map and key figures are sent)."""
    auth = {"Authorization": f"Bearer {plan['officer_tokens'][0]}"}
    polls = [post(base, plan["poll_body"], CHROMIUM_ENCODING, auth)[0] for _ in range(runs)]
    redraws = [post(base, plan["redraw_body"], CHROMIUM_ENCODING, auth) for _ in range(runs)]
    return {
        "poll_ms": statistics.median(polls) * 1000,
        "redraw_ms": statistics.median(r[0] for r in redraws) * 1000,
        "redraw_bytes": len(redraws[-1][1]),
    }


class Sampler(threading.Thread):
    """PostgreSQL's connections to the database and the machine's CPU, once a second; and
    the CPU seconds the app processes and locust used (where the two cores went)."""

    def __init__(self, database: str, pids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.pids = pids
        self.cpu_seconds: dict[str, float] = {}
        self.samples: list[tuple[float, int, float]] = []  # (when, connections, cpu %)
        self.done = threading.Event()
        # AUTOCOMMIT: pg_stat_activity is a snapshot taken once per transaction, so samples
        # in one long transaction would all repeat the first.
        self.engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def run(self) -> None:
        query = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
        )
        psutil.cpu_percent(None)
        with self.engine.connect() as conn:
            while not self.done.wait(1.0):
                count = conn.execute(query, {"db": self.database}).scalar_one()
                self.samples.append((time.time(), int(count), psutil.cpu_percent(None)))
                for name, pid in self.pids.items():
                    with contextlib.suppress(psutil.Error):
                        times = psutil.Process(pid).cpu_times()
                        self.cpu_seconds[name] = times.user + times.system
        self.engine.dispose()


def _run_locust(plan_path: Path, out: Path, users: int, seconds: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "FOURMAPS_LOAD_PLAN": str(plan_path),
        "FOURMAPS_LOAD_LOG": str(out / "requests.jsonl"),
        "FOURMAPS_LOAD_EVENTS": str(out / "events.jsonl"),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).with_name("locust")), "-f", str(LOCUSTFILE), "--headless",
        "-u", str(users), "-r", "10", "-t", f"{int(seconds)}s", "--stop-timeout", "5",
        "--csv", str(out / "locust"), "--only-summary", "--loglevel", "WARNING",
        "-H", json.loads(plan_path.read_text())["hosts"][0],
    ]  # fmt: skip
    with open(out / "locust.out", "wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="2m", help="how long the load runs (2m, 90s)")
    parser.add_argument("--quick", action="store_true", help="about 20 s: does it run")
    parser.add_argument("--fault", action="store_true", help="cut the database half-way")
    parser.add_argument("--cut", type=float, default=15.0, help="seconds the cut lasts")
    parser.add_argument("--walls", type=int, default=50)
    parser.add_argument("--officers", type=int, default=5)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="processes per instance")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "waitress"],
        default="gunicorn",
        help="gunicorn: an instance is one gunicorn with --workers workers; waitress: "
        "every worker is its own `python -m app` on its own port",
    )
    args = parser.parse_args(argv)
    seconds = 20.0 if args.quick else _seconds(args.duration)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = OUTPUT / f"{stamp}{'-fault' if args.fault else ''}"
    out.mkdir(parents=True, exist_ok=True)
    busy_before = psutil.cpu_percent(interval=1.0)

    t0 = time.perf_counter()
    frames = build_city()
    frames["roads"] = build_roads(frames)
    print(f"city set and roads ({len(frames['roads']):,} segments) built in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
    with (
        city_store("postgis", frames, prefix="fourmaps_load") as loaded,
        contextlib.ExitStack() as stack,
    ):
        database = sa.make_url(loaded.url).database
        print(
            f"{loaded.server_version}: {database} loaded in {loaded.load_seconds:.0f} s", flush=True
        )
        store = Store(loaded.url)
        plan = _setup_people(store, args.walls, args.officers)
        app_url = loaded.url
        proxy = None
        if args.fault:
            url = sa.make_url(loaded.url)
            proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
            proxy.start()
            stack.callback(proxy.stop)
            app_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False
            )
        env = {"FOURMAPS_POLL_SECONDS": f"{POLL_SECONDS:g}"}
        if args.server == "gunicorn":
            apps = [
                AppProcess("fast", app_url, out / "logs", env=env, workers=args.workers)
                for _ in range(args.instances)
            ]
        else:
            apps = [
                AppProcess("fast", app_url, out / "logs", env=env)
                for _ in range(args.instances * args.workers)
            ]
        for app in apps:
            stack.callback(app.stop)
        started = time.perf_counter()
        with ThreadPoolExecutor(len(apps)) as pool:
            list(pool.map(lambda a: a.start(timeout=300), apps))
        hosts = [a.url for a in apps]
        print(f"{len(apps)} {args.server} instances answering after "
              f"{time.perf_counter() - started:.0f} s",
              flush=True)  # fmt: skip
        poll, redraw = _capture(hosts[0], plan["wall_tokens"][0], loaded.url)
        plan |= {
            "hosts": hosts, "walls": args.walls, "officers": args.officers,
            "poll_seconds": POLL_SECONDS, "timeout_s": TIMEOUT_S,
            "poll_body": poll, "redraw_body": redraw,
        }  # fmt: skip
        _warm(hosts, plan)
        idle = _idle(hosts[0], plan)
        print(load_report.idle_line(idle), flush=True)
        plan_path = out / "plan.json"
        plan_path.write_text(json.dumps(plan))
        began = time.time()
        locust = _run_locust(plan_path, out, args.walls + args.officers, seconds)
        pids = {
            f"app {n + 1}" + (f".{w + 1}" if app.workers else ""): pid
            for n, app in enumerate(apps)
            for w, pid in enumerate(app.serving_pids())
        } | {"locust": locust.pid}
        before = {name: sum(psutil.Process(pid).cpu_times()[:2]) for name, pid in pids.items()}
        sampler = Sampler(database, pids)
        sampler.start()
        cut = None
        try:
            if proxy is not None:
                time.sleep(seconds / 2 - args.cut / 2)
                cut = (time.time(), 0.0)
                proxy.stop()
                print(f"database cut at {cut[0] - began:.0f} s", flush=True)
                time.sleep(args.cut)
                proxy.start()
                cut = (cut[0], time.time())
                print(f"database back at {cut[1] - began:.0f} s", flush=True)
            locust.wait(timeout=seconds + 120)
        finally:
            if locust.poll() is None:
                os.killpg(locust.pid, 15)
                locust.wait(timeout=30)
            sampler.done.set()
            sampler.join(timeout=10)
        ended = time.time()
        for app in apps:
            app.check_alive()
        memory = [process_memory(pid) for app in apps for pid in app.serving_pids()]
        for app in apps:
            app.stop()
        writes = load_report.verify_writes(store, out / "events.jsonl")
        store.engine.dispose()

    results = load_report.summarise(
        out / "requests.jsonl", out / "events.jsonl", sampler.samples, began, ended, cut
    )
    results |= {
        "writes": writes,
        "idle": idle,
        "memory_mib": memory,
        "cpu_seconds": {k: v - before.get(k, 0.0) for k, v in sampler.cpu_seconds.items()},
        "setup": {
            "walls": args.walls,
            "officers": args.officers,
            "instances": args.instances,
            "workers": args.workers,
            "wsgi": args.server,
            "threads": 8,
            "poll_seconds": POLL_SECONDS,
            "seconds": seconds,
            "timeout_s": TIMEOUT_S,
            "fault": args.fault,
            "cut_s": args.cut if args.fault else None,
            "database": database,
            "server": loaded.server_version,
            "busy_before": busy_before,
        },
    }
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    load_report.print_report(results)
    try:  # last: a shared venv being rebuilt under the run once lost every figure here
        results["machine"] = describe()
    except Exception as exc:  # the figures matter more than the versions
        results["machine"] = {"unavailable": str(exc)}
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"\nfull output: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
