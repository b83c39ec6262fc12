"""Browser measurements in headless Chromium at 1920x1080: first render, redraw, capture.

One script for the three pages (fast, naive, floor): they share the graph ids
and the township dropdown. "Drawn" is ``tests.browser.conftest.wait_for_maps_drawn``:
no callback or ``Plotly.react`` pending and every MapLibre map ``idle``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.browser.conftest import launch_chromium, wait_for_maps_drawn

MAP_IDS = ("map-risk", "map-materials", "map-forces", "map-command")
CONTEXT = {
    "viewport": {"width": 1920, "height": 1080},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "service_workers": "block",
}
TIMEOUT = 180.0  # seconds for one page to draw; the naive page takes 10-20

_CENTRES_JS = """
(ids) => Object.fromEntries(ids.map((id) => {
  const outer = document.getElementById(id);
  const gd = outer.classList.contains("js-plotly-plot")
    ? outer : outer.querySelector(".js-plotly-plot");
  const c = gd.layout.map.center;
  return [id, [c.lon, c.lat]];
}))
"""
# Every map has been given its new figure (its centre moved to the township).
_MOVED_JS = """
({ids, before}) => ids.every((id) => {
  const outer = document.getElementById(id);
  const gd = outer && (outer.classList.contains("js-plotly-plot")
    ? outer : outer.querySelector(".js-plotly-plot"));
  const c = gd && gd.layout && gd.layout.map && gd.layout.map.center;
  return !!c && (c.lon !== before[id][0] || c.lat !== before[id][1]);
})
"""


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, launched as the browser tests launch it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Traffic:
    """The page's own Dash callback requests: bodies and response sizes."""

    bodies: list[dict] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    fonts: dict[str, int] = field(default_factory=dict)  # font URL -> bytes fetched

    def attach(self, page: Any) -> None:
        page.on("requestfinished", self._finished)

    def _finished(self, request: Any) -> None:
        if request.url.split("?")[0].endswith(".woff2"):
            with contextlib.suppress(Exception):
                got = int(request.sizes()["responseBodySize"])
                self.fonts[request.url] = max(self.fonts.get(request.url, 0), got)
            return
        if "/_dash-update-component" not in request.url:
            return
        with contextlib.suppress(Exception):  # a request of a closed page
            self.sizes.append(int(request.sizes()["responseBodySize"]))
            self.bodies.append(json.loads(request.post_data or "{}"))

    def clear(self) -> None:
        self.bodies.clear()
        self.sizes.clear()  # (fonts stay: what a page fetched since its context was new)


def open_page(browser: Any, headers: dict[str, str] | None = None) -> tuple[Any, Any, Traffic]:
    """A new context (so a cold cache) and a page in it, with its traffic recorded;
    ``headers`` go with every request (the app's sign-in)."""
    context = browser.new_context(**CONTEXT, extra_http_headers=headers or {})
    page = context.new_page()
    traffic = Traffic()
    traffic.attach(page)
    return context, page, traffic


def drawn(page: Any) -> float:
    """Seconds from the page's navigation start until all four maps have drawn."""
    return max(wait_for_maps_drawn(page, MAP_IDS, TIMEOUT).values())


_TIMELINE_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  const calls = res.filter((r) => r.name.includes("/_dash-update-component"));
  const scripts = res.filter((r) => r.initiatorType === "script");
  const end = (list) => list.length ? Math.max(...list.map((r) => r.responseEnd)) / 1000 : null;
  return {
    dom_loaded: nav ? nav.domContentLoadedEventEnd / 1000 : null,
    scripts_loaded: end(scripts),
    first_callback_answered: calls.length ? calls[0].responseEnd / 1000 : null,
    transferred_bytes: res.reduce((n, r) => n + (r.transferSize || 0), 0)
      + (nav ? nav.transferSize : 0),
    map_px: ["map-risk", "map-materials", "map-forces", "map-command"].map((id) => {
      const box = document.getElementById(id).getBoundingClientRect();
      return `${Math.round(box.width)}x${Math.round(box.height)}`;
    }).join(" "),
  };
}
"""


def first_render(page: Any, url: str, screenshot: Path | None = None) -> float:
    """Load ``url`` and return the seconds until the four maps are complete."""
    page.goto(url, timeout=TIMEOUT * 1000)
    seconds = drawn(page)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    return seconds


def timeline(page: Any) -> dict:
    """When the page's scripts and first callback answer arrived (s since navigation)."""
    return page.evaluate(_TIMELINE_JS)


def reload_render(page: Any) -> float:
    """Reload in the same context (the browser cache warm) and time the four maps again."""
    page.reload(timeout=TIMEOUT * 1000)
    return drawn(page)


def select_township(page: Any, code: str, name: str, screenshot: Path | None = None) -> float:
    """Pick one township in the dropdown; seconds from the click until all four maps
    hold the new figure and have drawn it."""
    before = page.evaluate(_CENTRES_JS, list(MAP_IDS))
    page.click("#filter-townships")
    page.locator(".dash-dropdown-search").fill(name)
    option = page.locator(f'.dash-dropdown-option:has(input[value="{code}"])')
    option.wait_for(timeout=10_000)
    clicked = page.evaluate("performance.now()") / 1000
    option.click()
    page.keyboard.press("Escape")  # close the list so it covers nothing
    page.wait_for_function(
        _MOVED_JS, arg={"ids": list(MAP_IDS), "before": before}, timeout=TIMEOUT * 1000
    )
    seconds = drawn(page) - clicked
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    return seconds


def filter_request(traffic: Traffic, trigger: str) -> dict:
    """The last callback request that redrew the maps after ``trigger`` changed."""
    for body in reversed(traffic.bodies):
        if "map-risk.figure" in body.get("output", "") and trigger in body.get(
            "changedPropIds", []
        ):
            return body
    seen = [b.get("changedPropIds") for b in traffic.bodies]
    raise RuntimeError(f"no map update triggered by {trigger} among the page's requests: {seen}")
