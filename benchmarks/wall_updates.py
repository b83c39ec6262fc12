"""What a wall receives when data changes: only the changed map, measured.

    python -m benchmarks.wall_updates [--dataset demo|city]

Opens /wall in headless Chromium on a fresh SQLite store holding the data
set, then records the bytes of every ``/_dash-update-component`` response:
an idle poll, the poll after one risk point changed (written by another
connection), and, for comparison, what resending the four whole figures
would cost. Prints one table; not a test (no timing is asserted).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import plotly.io
import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from benchmarks.stores import sqlite_with
from config import Settings
from dashboard.screen import page_data
from store.schema import risk_points
from tests.browser.conftest import (
    ROOT,
    launch_chromium,
    run_server,
    sign_in,
    wait_for_maps_drawn,
)

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["demo", "city"], default="city")
    args = parser.parse_args(argv)
    work, url, store = sqlite_with(args.dataset, "wall-updates-")
    env = {"DATABASE_URL": url, "FOURMAPS_POLL_SECONDS": "2", "FOURMAPS_SEED_DEMO": "0"}
    with run_server(env, log_dir=work, timeout=120) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        sign_in(page, base)
        polls: list[tuple[float, int, int]] = []  # (when, bytes, compressed bytes)
        maps: list[tuple[float, int, int]] = []

        def on_response(response) -> None:
            if "/_dash-update-component" not in response.url:
                return
            body = response.body()
            outputs = set(json.loads(body).get("response", {})) if body else set()
            row = (time.monotonic(), len(body), response.request.sizes()["responseBodySize"])
            if "data-last-ok" in outputs:
                polls.append(row)
            elif "data-state" in outputs:
                maps.append(row)

        page.on("response", on_response)
        page.goto(base + "/wall")
        wait_for_maps_drawn(page, MAPS, timeout=120)
        data = page_data(
            store,
            Settings(database_url=url),
            {},
            "zh",
            {"name": "wall", "viewport": {"w": 1920, "h": 1080}},
        )
        whole = len(plotly.io.json.to_json_plotly(data.figures).encode())
        page.wait_for_timeout(4500)
        idle = polls[-1]
        code = store.read("risk_points")["code"].iloc[0]
        changed_at = time.monotonic()
        with store.engine.begin() as conn:
            conn.execute(
                sa.update(risk_points)
                .where(risk_points.c.code == code)
                .values(grade="major", version=risk_points.c.version + 1)
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(t > changed_at for t, _, _ in maps):
            page.wait_for_timeout(200)
        change = next((m for m in maps if m[0] > changed_at), None)
        poll = next((p for p in polls if p[0] > changed_at), None)
        browser.close()

    print(f"Wall updates, {args.dataset} data set ({len(store.read('risk_points')):,} risk points)")
    print(f"{'what is sent':<52}{'bytes':>12}{'compressed':>12}")
    print(f"{'idle poll (nothing changed)':<52}{idle[1]:>12,}{idle[2]:>12,}")
    if change and poll:
        print(f"{'poll that saw the change (revisions only)':<52}{poll[1]:>12,}{poll[2]:>12,}")
        print(
            f"{'map update after one risk point changed (risk map)':<52}"
            f"{change[1]:>12,}{change[2]:>12,}"
        )
        print(f"{'  seen on the wall after':<52}{change[0] - changed_at:>11.1f}s")
    else:
        print("poll after one risk point changed: not seen within 15 s")
    print(f"{'the four whole figures, were they resent':<52}{whole:>12,}")
    return 0 if change else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
