"""The four maps at city scale: the fast app against the naive baseline and the floor.

    python -m benchmarks.run [--stores sqlite,postgis] [--runs N] [--naive-runs M]

Loads the city set (``data.city.build_city()``) into a fresh SQLite file and
a fresh PostGIS database (both removed afterwards), and for each store
starts three apps in turn and measures them:

* ``fast``: the app itself (``app.py``), desk screen ``/?level=all``;
* ``naive``: ``benchmarks/naive_app.py``, plotly express on the full frames;
* ``floor``: the same page, its four maps holding only the township outlines.

Figures: start-up until ``GET /`` answers 200 and until the first page is
complete in the browser; a filter change (one township, all townships,
response level II) as request time and bytes for all four maps, by
replaying the page's own callback request; first complete render in
headless Chromium at 1920x1080 with a cold cache (new context) and a warm
one (reload); redraw after picking one township in the dropdown; memory of
each app process. Medians of the runs. Prints tables and the issue's
targets, writes everything to ``test-output/benchmarks/results-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import pages, replay
from benchmarks.machine import describe, settle
from benchmarks.report import print_store, print_targets
from benchmarks.servers import ROOT, AppProcess
from benchmarks.stores import city_store

PATH = "/?level=all"  # the whole city at every level: everything on the maps
OUT = ROOT / "test-output" / "benchmarks"
LEVEL = 2  # the response level of the "response level" filter change


def code_state() -> dict[str, object]:
    """The commit measured, and the files changed in the working tree since."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.rstrip()

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if line.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "changed": changed}


def pick_township(frames: dict, nth: int = 0) -> tuple[str, str, int]:
    """A typical township: the one with the median number of risk points (``nth=1``:
    the next one, for a second pick)."""
    counts = frames["risk_points"]["township_code"].value_counts().sort_values(kind="stable")
    code = str(counts.index[len(counts) // 2 + nth])
    towns = frames["townships"].set_index("code")
    return code, str(towns.loc[code, "name"]), int(counts[code])


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _summary(timelines: list[dict]) -> dict:
    """Medians of the numbers in the runs' timelines; other values from the first run."""
    out = {}
    for key, first in timelines[0].items():
        numbers = [t[key] for t in timelines if isinstance(t.get(key), int | float)]
        out[key] = _median(numbers) if numbers else first
    return out


def _filter_cases(app: str, captured: dict, code: str) -> dict[str, dict]:
    """The three filter changes, as the page would send them."""
    if app == "fast":
        everything, one = replay.fast_filter(), replay.fast_filter([code])
        return {
            "one township": replay.fast_body(captured, one, everything),
            "all townships": replay.fast_body(captured, everything, one),
            "level II": replay.fast_body(captured, replay.fast_filter(level=LEVEL), everything),
        }
    return {
        "one township": replay.naive_body(captured, [code], "all", "filter-townships.value"),
        "all townships": replay.naive_body(captured, [], "all", "filter-townships.value"),
        "level II": replay.naive_body(captured, [], str(LEVEL), "filter-level.value"),
    }


def bench_app(
    browser: object,
    app: str,
    store_kind: str,
    url: str,
    runs: int,
    town: tuple,
    log_dir: Path,
    second: tuple | None = None,
    path: str = PATH,
    replays_too: bool = True,
) -> dict:
    """Every figure of one app on one store; ``second``: a township picked after ``town``."""
    code, name, _ = town
    shots = OUT / "screenshots"
    result: dict = {"runs": runs, "busy_cpu": []}
    trigger = "filter.data" if app == "fast" else "filter-townships.value"
    with AppProcess(app, url, log_dir) as proc:
        try:
            result["busy_cpu"].append(settle())
            result["served_s"] = proc.start()
            context, page, traffic = pages.open_page(browser, proc.headers)
            goto_at = time.monotonic()
            first = pages.first_render(page, proc.url + path)
            result["startup_complete_s"] = goto_at - proc.started + first
            print(
                f"  {app}: GET / 200 after {proc.served:.1f} s, first page complete after "
                f"{result['startup_complete_s']:.1f} s",
                flush=True,
            )
            if app != "floor" and replays_too:
                pages.select_township(page, code, name)  # warms up, and shows the request to copy
                captured = pages.filter_request(traffic, trigger)
            context.close()

            if app != "floor" and replays_too:
                result["filter"] = {}
                result["captured_request"] = captured
                # Fast answers take ~0.1 s: more runs cost nothing; naive ones take ~5 s.
                replays = max(runs, 9) if app == "fast" else runs
                for case, body in _filter_cases(app, captured, code).items():
                    result["busy_cpu"].append(settle())
                    result["filter"][case] = replay.measure(
                        proc.url, body, replays, "map-risk", proc.headers
                    )

            cold, warm, redraw, redraw_bytes, timelines = [], [], [], [], []
            redraw2, font_bytes = [], []
            for n in range(runs):
                result["busy_cpu"].append(settle())
                context, page, traffic = pages.open_page(browser, proc.headers)
                shot = shots / f"{store_kind}-{app}.png" if n == 0 else None
                cold.append(pages.first_render(page, proc.url + path, shot))
                timelines.append(pages.timeline(page))
                result["busy_cpu"].append(settle())
                warm.append(pages.reload_render(page))
                result["busy_cpu"].append(settle())
                traffic.clear()
                shot = shots / f"{store_kind}-{app}-township.png" if n == 0 else None
                # (the floor re-frames its empty maps: the redraw no data path can beat)
                redraw.append(pages.select_township(page, code, name, shot))
                redraw_bytes.append(sum(traffic.sizes))
                if second is not None:
                    result["busy_cpu"].append(settle())
                    redraw2.append(pages.select_township(page, second[0], second[1]))
                # Fonts fetched since the context was new: cold load, reload, the picks.
                font_bytes.append(sum(traffic.fonts.values()))
                result.setdefault("fonts_fetched", dict(traffic.fonts))
                context.close()
                print(
                    f"  {app} run {n + 1}/{runs}: cold {cold[-1]:.2f} s, warm {warm[-1]:.2f} s"
                    + (f", redraw {redraw[-1]:.2f} s" if redraw else "")
                    + (f", second pick {redraw2[-1]:.2f} s" if redraw2 else ""),
                    flush=True,
                )
            result.update(
                cold_s=_median(cold),
                warm_s=_median(warm),
                redraw_s=_median(redraw),
                redraw_browser_bytes=_median(redraw_bytes),
                redraw2_s=_median(redraw2),
                font_bytes=_median(font_bytes),
                samples={"cold": cold, "warm": warm, "redraw": redraw, "redraw2": redraw2},
                timeline_cold=_summary(timelines),
                memory=proc.memory(),
            )
        except Exception:
            proc.check_alive()  # say so if the app died under us
            raise
    return result


def bench_demo(browser: object, runs: int, log_dir: Path) -> dict:
    """The demo district (what a newcomer opens), fast against the floor, on SQLite."""
    from data.demo import build_demo

    frames = build_demo()
    town, second = pick_township(frames), pick_township(frames, 1)
    print(f"\n== demo: loading ...; one township = {town[1]}, then {second[1]}", flush=True)
    with city_store("sqlite", frames) as loaded:
        result: dict = {"load_s": loaded.load_seconds, "server": loaded.server_version, "apps": {}}
        for app in ("fast", "floor"):
            result["apps"][app] = bench_app(
                browser, app, "demo", loaded.url, runs, town, log_dir, second, "/", False
            )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--stores", default="sqlite,postgis", help="comma-separated store kinds")
    parser.add_argument("--runs", type=int, default=5, help="runs of the fast and floor pages")
    parser.add_argument(
        "--naive-runs", type=int, default=3, help="runs of the naive page (10-20 s each)"
    )
    parser.add_argument("--seed", type=int, default=None, help="city generator seed")
    parser.add_argument(
        "--no-demo", action="store_true", help="skip the demo's pages (fast and floor, SQLite)"
    )
    args = parser.parse_args(argv)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    log_dir = OUT / f"logs-{stamp}"

    machine = describe()
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()), flush=True)
    from data.city import build_city

    built = time.perf_counter()
    frames = build_city() if args.seed is None else build_city(args.seed)
    town, second = pick_township(frames), pick_township(frames, 1)
    print(
        f"City set built in {time.perf_counter() - built:.1f} s: "
        + ", ".join(
            f"{t} {len(frames[t]):,}"
            for t in ("townships", "risk_points", "depots", "forces", "command_nodes")
        )
        + f". One township = {town[1]} ({town[0]}, {town[2]:,} risk points).",
        flush=True,
    )
    results: dict = {
        "when": stamp,
        "machine": machine,
        "code": code_state(),
        "township": {"code": town[0], "name": town[1], "risk_points": town[2]},
        "runs": {"fast": args.runs, "floor": args.runs, "naive": args.naive_runs},
        "stores": {},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    with pages.chromium() as browser:
        for kind in stores:
            print(f"\n== {kind}: loading the city set ...", flush=True)
            with city_store(kind, frames) as loaded:
                print(f"  loaded in {loaded.load_seconds:.1f} s ({loaded.server_version})")
                store_result: dict = {
                    "load_s": loaded.load_seconds,
                    "server": loaded.server_version,
                    "apps": {},
                }
                for app in ("fast", "naive", "floor"):
                    runs = args.naive_runs if app == "naive" else args.runs
                    store_result["apps"][app] = bench_app(
                        browser, app, kind, loaded.url, runs, town, log_dir, second
                    )
                results["stores"][kind] = store_result
            print_store(kind, store_result, machine)
        if not args.no_demo:
            results["demo"] = bench_demo(browser, args.runs, log_dir)
            print_store("demo (SQLite)", results["demo"], machine)
    results["elapsed_s"] = time.monotonic() - started
    print_targets(results)
    path = OUT / f"results-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(
        f"\nAll figures: {path.relative_to(ROOT)}; screenshots in "
        f"{(OUT / 'screenshots').relative_to(ROOT)}/. "
        f"Took {results['elapsed_s'] / 60:.1f} min."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
