"""What the map text costs: the fast page with its labels switched off, measured.

    python -m benchmarks.text_cost [--runs 5] [--variants none,notext,nonames]

A diagnosis, not part of ``benchmarks.run``; written for the maps as they were
at ``95d8eac`` (township names fixed in the base figure). Since then names
arrive with the data only when few townships are in view, so the variants
that empty the base figure's names trace no longer change the page. It was:
it starts the fast app on a
fresh SQLite city store once per variant, with ``dashboard.figures.base_figure``
wrapped (in that process only; no file is changed):

* ``none``: the app as it is;
* ``nonames``: no township names (the names trace left empty);
* ``notext``: no township names and township bubbles without their counts;
* ``nobubbletext``: names kept, bubbles without their counts.

and prints first render (cold, warm) and the redraw after picking one
township, as ``benchmarks.run`` measures them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from benchmarks import pages
from benchmarks.machine import settle
from benchmarks.run import OUT, PATH, pick_township
from benchmarks.servers import APPS, AppProcess
from benchmarks.stores import city_store

VARIANT_ENV = "FOURMAPS_TEXT_VARIANT"


def serve() -> None:
    """Run the fast app with the variant in ``FOURMAPS_TEXT_VARIANT`` (child process)."""
    import dashboard.figures as figures
    import dashboard.maps as maps

    variant = os.environ.get(VARIANT_ENV, "none")
    original = figures.base_figure

    def base_figure(*args: object, **kwargs: object):
        fig = original(*args, **kwargs)
        for trace in fig.data:
            if trace.mode == "text" and variant in ("notext", "nonames"):  # township names
                trace.update(lon=[], lat=[], text=[])
            if trace.mode == "markers+text" and variant in ("notext", "nobubbletext"):
                trace.update(mode="markers")  # township totals without their counts
        return fig

    figures.base_figure = base_figure
    maps.base_figure = base_figure  # maps imported the name itself
    from config import Settings
    from dashboard.app import create_app

    settings = Settings.from_env()
    create_app(settings).run(host=settings.host, port=settings.port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.text_cost")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", default="none,notext,nonames")
    args = parser.parse_args(argv)
    from data.city import build_city

    frames = build_city()
    code, name, _ = pick_township(frames)
    APPS["text"] = ("benchmarks.text_cost", {"FOURMAPS_TEXT_SERVE": "1"})
    with city_store("sqlite", frames) as loaded, pages.chromium() as browser:
        for variant in args.variants.split(","):
            os.environ[VARIANT_ENV] = variant
            cold, warm, redraw, busy = [], [], [], []
            with AppProcess("text", loaded.url, OUT / "logs-text-cost") as proc:
                proc.start()
                for _ in range(args.runs):
                    busy.append(settle())
                    context, page, _traffic = pages.open_page(browser, proc.headers)
                    cold.append(pages.first_render(page, proc.url + PATH))
                    busy.append(settle())
                    warm.append(pages.reload_render(page))
                    busy.append(settle())
                    redraw.append(pages.select_township(page, code, name))
                    context.close()
            print(
                f"{variant:<13} cold {statistics.median(cold):.2f} s  "
                f"warm {statistics.median(warm):.2f} s  "
                f"redraw {statistics.median(redraw):.2f} s  "
                f"(n={args.runs}, machine busy before samples <= {max(busy):.0f} %)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(serve() if os.environ.get("FOURMAPS_TEXT_SERVE") else main())
