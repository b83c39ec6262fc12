"""Files at city scale: importing 150,000 risk points, and exporting them to each format.

    .venv/bin/python -m benchmarks.files                        # both stores
    .venv/bin/python -m benchmarks.files --stores sqlite --rows 20000

The city set (``data.city.build_city``) is loaded into a fresh store of each
kind with no risk points. Its 150,000 risk points, written once as CSV and as
GeoPackage (the exports' own writers), are then imported:

* baseline: ``geopandas.read_file`` (or ``pandas.read_csv``) and writing the
  same rows with the store's bulk load (executemany in chunks of 5,000, one
  transaction: what ``Store.replace_all`` does), then removed again;
* ``import_file`` dry run (read, map headers, check every row) and commit
  (the same, then one transaction with every row's history);
* one ``manage.py import`` process committing the CSV, then one the GeoPackage:
  each one's own peak memory (VmHWM).

Target (issue 14): validating every row costs at most 50 % on top of the
baseline; one import process stays under 1 GB. Then the city's risk points
are exported to every format and the times printed. Prints its figures;
nothing fails when a target is missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from auth import Principal
from benchmarks.stores import city_store
from data.city import build_city
from files.exports import write_export
from files.imports import import_file
from store import Store, schema
from store.store import _chunks, _records

PLANNER = Principal("bench", "planner", user_name="bench")
ROOT = Path(__file__).resolve().parents[1]


def _clock(fn: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()  # type: ignore[operator]
    return time.perf_counter() - started, result


def _empty_risks(store: Store) -> None:
    """Remove the imported rows and their history, for the next measurement.

    ``history.reverts`` refers to ``history.id`` with no index, so a DELETE checks
    every deleted row against the whole table: TRUNCATE on PostgreSQL, and on
    SQLite a DELETE with foreign keys off (nothing refers to these rows).
    """
    with store.engine.connect() as conn:
        if store.is_postgis:
            conn.execute(sa.text("TRUNCATE history, imports"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.execute(schema.history.delete())
            conn.execute(schema.imports.delete())
        conn.execute(schema.risk_points.delete())
        conn.commit()
        if not store.is_postgis:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _baseline(store: Store, path: Path) -> float:
    """Read the file plainly and bulk-load its rows; the rows are removed afterwards."""

    def run() -> None:
        if path.suffix == ".csv":
            frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            rows = frame.rename(columns={"编号": "code"}).to_dict("records")
            n = len(rows)
        else:
            frame = gpd.read_file(path)
            n = len(frame)
        towns = store.read("townships")["code"].tolist()
        source = risks.iloc[:n].copy()  # the same rows, typed as the store wants them
        source["township_code"] = source["township_code"].where(
            source["township_code"].isin(towns), towns[0]
        )
        with store.engine.begin() as conn:
            for chunk in _chunks(_records(source.drop(columns=["id"], errors="ignore")), 5000):
                conn.execute(schema.risk_points.insert(), chunk)

    seconds, _ = _clock(run)
    _empty_risks(store)
    return seconds


# Runs manage.py and, at exit, says the process's own peak (VmHWM). Not the child's
# ru_maxrss: Linux carries the parent's peak over fork and exec into it, so a child of
# this benchmark (which holds the city set) "peaked" at the benchmark's size.
_PEAK = """
import atexit, runpy, sys
def said():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("PEAK_KB", line.split()[1], file=sys.stderr, flush=True)
atexit.register(said)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _child_peak_mb(url: str, path: Path) -> tuple[float, float, int]:
    """One ``manage.py import`` process committing ``path``: wall time, peak RSS, exit code."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, "manage.py", "--database-url", url, "import",
         "risk_points", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peaks = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    if done.returncode != 0:
        print("   manage.py import said:", (done.stderr or done.stdout)[-400:])
    return seconds, (int(peaks[-1]) / 1024 if peaks else float("nan")), done.returncode


risks: gpd.GeoDataFrame  # the city's risk points (set in main)


def main(argv: list[str] | None = None) -> None:
    global risks
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="sqlite,postgis")
    parser.add_argument("--rows", type=int, default=150_000, help="risk points imported")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    frames = build_city()
    risks = frames["risk_points"].iloc[: args.rows].reset_index(drop=True)
    # no risk points in the store, nor the ledger accounts that refer to them
    frames = {
        **frames,
        "risk_points": risks.iloc[:0],
        "hidden_dangers": frames["hidden_dangers"].iloc[:0],
    }
    print(f"city set built in {time.perf_counter() - started:.1f} s; {len(risks):,} risk points")
    folder = Path(tempfile.mkdtemp(prefix="fourmaps-files-bench-"))
    files = {}
    print("\nexports of the city's risk points (writing the file; the query is not included)")
    exported = risks.drop(columns=["id"], errors="ignore").copy()
    for fmt, ext in (("csv", ".csv"), ("xlsx", ".xlsx"), ("geojson", ".geojson"),
                     ("gpkg", ".gpkg"), ("shp", ".zip")):  # fmt: skip
        path = folder / f"risk_points{ext}"
        seconds, _ = _clock(lambda f=fmt, p=path: write_export("risk_points", exported, f, p))
        files[fmt] = path
        print(f"  {fmt:<8} {seconds:6.1f} s  {path.stat().st_size / 1e6:6.1f} MB", flush=True)
    for kind in args.stores.split(","):
        with city_store(kind, frames) as loaded:
            store = Store(loaded.url)
            print(f"\n{kind} ({loaded.server_version}), {len(risks):,} risk points", flush=True)
            for fmt in ("csv", "gpkg"):
                path = files[fmt]
                base = _baseline(store, path)
                dry, report = _clock(
                    lambda p=path, s=store: import_file(s, PLANNER, "risk_points", p, dry_run=True)
                )
                assert report.ok, report.as_json()["rejected"][:3]  # type: ignore[union-attr]
                commit, report = _clock(
                    lambda p=path, s=store: import_file(s, PLANNER, "risk_points", p)
                )
                assert report.committed  # type: ignore[union-attr]
                _empty_risks(store)
                print(
                    f"  {fmt:<5} baseline (read + bulk load) {base:6.1f} s | dry run {dry:6.1f} s"
                    f" | commit {commit:6.1f} s | commit / baseline {commit / base:4.2f}x"
                    f" (target <= 1.5x)",
                    flush=True,
                )
            for fmt in ("csv", "gpkg"):
                seconds, peak, code = _child_peak_mb(loaded.url, files[fmt])
                print(f"  one manage.py import process ({fmt}, commit): {seconds:.1f} s, "
                      f"peak RSS {peak:,.0f} MiB (target < 1,024), exit {code}")  # fmt: skip
                with store.engine.connect() as conn:
                    n = conn.execute(sa.select(sa.func.count()).select_from(schema.risk_points))
                    print(f"  rows in the store after it: {n.scalar_one():,}", flush=True)
                _empty_risks(store)
            store.engine.dispose()


if __name__ == "__main__":
    main()
