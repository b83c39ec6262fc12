"""The wall display (/wall) in headless Chromium: layout, live updates, outages, language.

What a duty officer relies on, checked on the real app started as a server
(``python app.py``):

* at 1920x1080, 3840x2160 and a 5760x1080 LED wall the page fills the screen
  with no scrollbars, nothing sticks out of the viewport, header items do
  not overlap, no key figure, map title or header text is cut off, every map
  has drawn its points, the clock shows the time and the banners the
  response and weather warning in force, with no console error and no
  request leaving the app. Only three secondary header texts may give way
  when room is short (the subtitle, hidden whole; the response's reason and
  the warning's headline, with an ellipsis); the tests print when they do;
* a change written to the store by someone else shows on the open wall within
  one poll and 3 s, with no reload and without moving the map the officer had panned and
  zoomed; on SQLite, and on PostGIS with two app instances sharing a database;
* the database going away under an open wall shows the "not updated since"
  banner over the last data, and the banner clears by itself when it is back;
  a wall (re)loaded during the outage shows what a healthy wall shows;
* ``?lang=en`` is English throughout (Chinese is the default) and
  ``?township=CODE`` shows only that township.

Screenshots (whole screen, plus header and key figures at full resolution)
go to ``test-output/wall/``. Servers that do not change data are shared by
the module; tests that change data get their own server or database.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from auth import system_principal
from auth.accounts import create_wall_token
from dashboard import ids
from dashboard.figures import MAP_KINDS, SPECS, level_label
from dashboard.i18n import t
from domain import RESPONSE_LEVELS, term
from store import Store, schema
from tests.browser.conftest import (
    ROOT,
    outside_requests,
    run_server,
    sign_in,
    wait_for_maps_drawn,
)
from tests.tcp_proxy import TcpProxy

OUTPUT = ROOT / "test-output" / "wall"
TZ = "Asia/Shanghai"
POLL_SECONDS = 2
# Seconds from a write to the open wall showing it (issue 3): one poll, then the poll's and
# the update's round trips, with room for a busy 2-core machine.
CHANGE_LIMIT = POLL_SECONDS + 3.0
STALE_LIMIT = 15.0  # seconds for the stale banner to appear, and to clear again
DRAW_TIMEOUT = 120.0
GRAPHS = [ids.map_graph(kind) for kind in MAP_KINDS]
SIZES = [(1920, 1080), (3840, 2160), (5760, 1080)]
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def app_env(database_url: str) -> dict[str, str]:
    """A server's settings: this store, a short poll, and the defaults for the rest.

    Settings that may be set in the developer's shell are pinned, so that the
    defaults under test (Chinese, no tiles, no linked views) really are defaults.
    """
    return {
        "DATABASE_URL": database_url,
        "FOURMAPS_POLL_SECONDS": str(POLL_SECONDS),
        "FOURMAPS_LANG": "",  # empty: the built-in default (Chinese)
        "FOURMAPS_TILE_URL": "",
        "FOURMAPS_LINKED_VIEWS": "0",
        "FOURMAPS_DEBUG": "0",
        "FOURMAPS_SEED_DEMO": "1",
        "FOURMAPS_TIMEZONE": TZ,
    }


# --------------------------------------------------------------------------- page helpers

_POINTS_JS = """
(id) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const len = (a) => a == null ? 0
    : (typeof a.length === 'number' ? a.length : (a._inputArray ? a._inputArray.length : 0));
  const traces = gd.data.map((tr, i) => ({
    index: i, name: tr.name === undefined ? null : tr.name,
    n: len(tr.lon), drawn: len(((gd._fullData || [])[i] || {}).lon),
    customdata: Array.isArray(tr.customdata) ? tr.customdata : [],
    text: Array.isArray(tr.text) ? tr.text : [],
  }));
  const map = gd._fullLayout.map._subplot.map;
  const circles = map.queryRenderedFeatures().filter((f) => f.layer.type === 'circle').length;
  const c = map.getCenter();
  const lc = gd.layout.map.center || {};
  return {traces, circles, center: [c.lng, c.lat], zoom: map.getZoom(),
          layout: {center: [lc.lon, lc.lat], zoom: gd.layout.map.zoom}};
}
"""

_LAYOUT_JS = """
() => {
  const vw = window.innerWidth, vh = window.innerHeight, tol = 0.5;
  const de = document.documentElement, body = document.body;
  const label = (el) => {
    let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    const cls = typeof el.className === 'string' ? el.className.trim() : '';
    if (cls) s += '.' + cls.split(/\\s+/).join('.');
    const key = el.getAttribute && el.getAttribute('data-key');
    if (key) s += `[data-key=${key}]`;
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ');
    return text && text.length < 60 ? `${s} "${text}"` : s;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return null;
    for (let e = el; e; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden') return null;
    }
    return r;
  };
  const box = (r) => [r.left, r.top, r.right, r.bottom].map((v) => Math.round(v * 10) / 10);
  const result = {
    scroll: {doc: [de.scrollWidth, de.scrollHeight], body: [body.scrollWidth, body.scrollHeight],
             viewport: [vw, vh]},
    outside: [], clipped: [], cutOff: [], overlaps: [], header: [], shortened: [],
  };
  const SECONDARY = '.wall-title .subtitle, .wall .response-reason, .wall .warning-headline';
  const switcher = document.querySelector('.lang-links');
  const lang = switcher && switcher.getBoundingClientRect();
  // No element's box reaches outside the viewport (the wall's overflow:hidden would cut it).
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('#js-plotly-tester')) continue;  // plotly's hidden text-measuring SVG
    const r = shown(el);
    if (!r) continue;
    if (r.left < -tol || r.top < -tol || r.right > vw + tol || r.bottom > vh + tol) {
      result.outside.push(`${label(el)} at ${box(r)}`);
    }
  }
  // Text that must be read whole: key figures, map titles, the header.
  const texts = document.querySelectorAll(
    '.wall .kf, .wall .kf-value, .wall .kf-label, .wall .map-card h2,'
    + ' .wall-header > *, .wall-header > * *');
  for (const el of texts) {
    if (!shown(el)) continue;
    // Secondary texts (subtitle, response reason, warning headline) may give way when the
    // header is short of room: ending in a visible ellipsis, or hidden whole. Never cut mid-word.
    if (el.closest(SECONDARY)) {
      if (el.matches(SECONDARY) && el.scrollWidth > el.clientWidth + 1) {
        const own = el.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(el);
        const em = parseFloat(getComputedStyle(el).fontSize);
        const hidden = Array.from(range.getClientRects()).every((r) => {
          const inset = Math.max(0, (r.height - em) / 2);  // the glyphs' em box, as below
          return r.width === 0 || r.bottom - inset <= own.top + tol
            || r.top + inset >= own.bottom - tol || r.right <= own.left + tol
            || r.left >= own.right - tol;
        });
        const ellipsis = getComputedStyle(el).textOverflow === 'ellipsis';
        const how = hidden ? 'hidden whole'
          : `${el.clientWidth} of ${el.scrollWidth} px shown, ending in an ellipsis`;
        if (hidden || ellipsis) result.shortened.push(`${label(el)}: ${how}`);
        else result.clipped.push(`${label(el)}: cut at ${el.clientWidth} of ${el.scrollWidth} px`
                                 + ' with no ellipsis');
      }
      continue;
    }
    // Wider than its box: an ellipsis, or text pushed through its padding to the edge.
    if (getComputedStyle(el).display !== 'inline' && el.scrollWidth > el.clientWidth + 1) {
      result.clipped.push(`${label(el)}: content ${el.scrollWidth} px wide in ${el.clientWidth}`);
    }
    // Each line of its own text (its glyphs' em box) inside every ancestor that clips.
    for (const node of el.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const fontSize = parseFloat(getComputedStyle(el).fontSize);
      for (const rect of range.getClientRects()) {
        // A text rect spans the font's whole ascent and descent (1.45 em for Noto CJK); the
        // glyphs fill about the middle em. Check that em box, so a tight line-height passes.
        const inset = Math.max(0, (rect.height - fontSize) / 2);
        const line = {left: rect.left, right: rect.right, top: rect.top + inset,
                      bottom: rect.bottom - inset};
        if (line.left < -tol || line.top < -tol || line.right > vw + tol
            || line.bottom > vh + tol) {
          result.cutOff.push(`${label(el)}: text at ${box(line)} outside the viewport`);
        }
        // The language switch (fixed in a corner) covers no text.
        if (lang && !switcher.contains(el) && line.right > lang.left + tol
            && line.left < lang.right - tol && line.bottom > lang.top + tol
            && line.top < lang.bottom - tol) {
          result.overlaps.push(`${label(el)} text at ${box(line)} under the language switch`
                               + ` at ${box(lang)}`);
        }
        // A header item's text stays in its own box (else it runs into its neighbour).
        const item = el.closest('.wall-header > *');
        const ib = item && item.getBoundingClientRect();
        if (ib && (line.left < ib.left - tol || line.right > ib.right + tol)) {
          result.cutOff.push(`${label(el)}: text at ${box(line)} runs out of ${label(item)}`
                             + ` at ${box(ib)}`);
        }
        // (The body's overflow applies to the viewport, checked above.)
        for (let a = el; a && a !== document.body; a = a.parentElement) {
          const st = getComputedStyle(a);
          if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
          const p = a.getBoundingClientRect();
          if (line.left < p.left - tol || line.top < p.top - tol || line.right > p.right + tol
              || line.bottom > p.bottom + tol) {
            result.cutOff.push(`${label(el)}: text at ${box(line)} cut by ${label(a)}`
                               + ` at ${box(p)}`);
            break;
          }
        }
      }
    }
  }
  // Header items side by side, none on top of another, all inside the header.
  const header = document.querySelector('.wall-header');
  const items = Array.from(header.children).map((el) => [el, shown(el)]).filter(([, r]) => r);
  const hr = header.getBoundingClientRect();
  result.header = items.map(([el, r]) => `${label(el)} at ${box(r)}`);
  items.forEach(([el, r], i) => {
    if (r.left < hr.left - tol || r.right > hr.right + tol) {
      result.cutOff.push(`${label(el)} at ${box(r)} outside the header ${box(hr)}`);
    }
    items.slice(i + 1).forEach(([other, q]) => {
      const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (w > tol && h > tol) {
        result.overlaps.push(`${label(el)} ${box(r)} / ${label(other)} ${box(q)}`);
      }
    });
  });
  return result;
}
"""


def map_points(page: Any, graph_id: str) -> dict:
    """One map's traces (point counts, codes), rendered circles and its current view."""
    return page.evaluate(_POINTS_JS, graph_id)


def category_traces(info: dict, kind: str) -> list[dict]:
    """The traces holding a map's points, one per category (not outlines, names, links)."""
    return [info["traces"][slot] for slot in SPECS[kind].category_slots]


def point_codes(info: dict, kind: str) -> list[str]:
    return [code for tr in category_traces(info, kind) for code in tr["customdata"]]


def kf_value(page: Any, key: str) -> str:
    return page.inner_text(f"#{ids.FIGURES} [data-key={key}] .kf-value").strip()


def open_wall(
    new_page: Callable[..., Any],
    base_url: str,
    query: str = "",
    size: tuple[int, int] = (1920, 1080),
) -> tuple[Any, dict[str, float]]:
    """A page showing the wall, once its four maps have drawn; and when each was drawn."""
    page = new_page(*size)
    sign_in(page, base_url)
    page.goto(f"{base_url}/wall{query}", wait_until="domcontentloaded")
    page.wait_for_selector(f"#{GRAPHS[0]} .js-plotly-plot", timeout=DRAW_TIMEOUT * 1000)
    drawn = wait_for_maps_drawn(page, GRAPHS, timeout=DRAW_TIMEOUT)
    return page, drawn


def open_walls(
    new_page: Callable[..., Any], base_urls: list[str], token: str | None = None
) -> list[Any]:
    """Walls of several servers, loaded side by side (faster than one after the other);
    signed in as the admin, or by a wall URL's ``token``."""
    pages = [new_page() for _ in base_urls]
    for page, base_url in zip(pages, base_urls, strict=True):
        if token is None:
            sign_in(page, base_url)
        page.goto(f"{base_url}/wall" + (f"?token={token}" if token else ""), wait_until="commit")
    for page in pages:
        page.wait_for_selector(f"#{GRAPHS[0]} .js-plotly-plot", timeout=DRAW_TIMEOUT * 1000)
        wait_for_maps_drawn(page, GRAPHS, timeout=DRAW_TIMEOUT)
    return pages


def shoot(page: Any, name: str) -> Path:
    """The whole screen, plus the header and the key figures at full resolution."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path))
    for part, selector in (("header", ".wall-header"), ("figures", f"#{ids.FIGURES}")):
        element = page.query_selector(selector)
        if element is not None:
            element.screenshot(path=str(OUTPUT / f"{name}-{part}.png"))
    return path


def assert_layout_fits(page: Any) -> dict:
    """No scrollbar, nothing outside the viewport, no overlap, no clipped text."""
    found = page.evaluate(_LAYOUT_JS)
    (doc_w, doc_h), (body_w, body_h) = found["scroll"]["doc"], found["scroll"]["body"]
    vw, vh = found["scroll"]["viewport"]
    assert doc_w <= vw and doc_h <= vh and body_w <= vw and body_h <= vh, (
        f"the page scrolls: document {doc_w}x{doc_h}, body {body_w}x{body_h}, viewport {vw}x{vh}"
    )
    assert not found["outside"], "elements outside the viewport:\n" + "\n".join(found["outside"])
    assert not found["overlaps"], (
        "overlapping:\n" + "\n".join(found["overlaps"]) + "\nheader: " + "; ".join(found["header"])
    )
    assert not found["clipped"], "text cut off (content larger than its box):\n" + "\n".join(
        found["clipped"]
    )
    assert not found["cutOff"], "text cut off by a clipping parent:\n" + "\n".join(found["cutOff"])
    if found["shortened"]:
        print("shortened by design:", "; ".join(found["shortened"]))
    return found


def assert_maps_have_points(page: Any) -> dict[str, dict]:
    """Every map holds points in its category traces and MapLibre has drawn them."""
    infos = {}
    for kind, graph in zip(MAP_KINDS, GRAPHS, strict=True):
        info = map_points(page, graph)
        counts = {tr["name"]: tr["n"] for tr in category_traces(info, kind)}
        assert sum(counts.values()) > 0, f"{graph} holds no points: {counts}"
        for tr in category_traces(info, kind):
            assert tr["drawn"] == tr["n"], f"{graph} trace {tr['index']}: {tr}"
        assert info["circles"] > 0, f"{graph} holds points {counts} but MapLibre drew none"
        infos[kind] = info
    return infos


def assert_clock_is_now(page: Any, lang: str = "zh") -> None:
    shown = page.inner_text(f"#{ids.CLOCK} .clock-time").strip()
    date = page.inner_text(f"#{ids.CLOCK} .clock-date").strip()
    now = datetime.now(ZoneInfo(TZ))
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", shown), f"clock shows {shown!r}"
    h, m, s = (int(v) for v in shown.split(":"))
    diff = abs(h * 3600 + m * 60 + s - (now.hour * 3600 + now.minute * 60 + now.second))
    assert min(diff, 86400 - diff) <= 3, f"clock shows {shown}, it is {now:%H:%M:%S} in {TZ}"
    expected_date = f"{now:%Y/%m/%d}" if lang == "zh" else f"{now:%d/%m/%Y}"
    assert expected_date in date, f"clock date {date!r}, expected {expected_date}"


def assert_response_banner(page: Any, database_url: str, lang: str = "zh") -> None:
    store = Store(database_url)
    try:
        activation = store.current_activation()
    finally:
        store.engine.dispose()
    banner = page.query_selector(f"#{ids.RESPONSE} .response")
    assert banner is not None, "no response banner"
    classes = banner.get_attribute("class").split()
    if activation is None:
        assert "response-none" in classes
        assert banner.inner_text().strip() == t("no_response", lang)
        return
    level = activation["level"]
    expected = f"{level_label(level, lang)} {t('response_in_force', lang)}"
    assert f"response-{level}" in classes, (
        f"the banner says {banner.inner_text().strip()!r} but {expected!r} is in force"
    )
    assert page.inner_text(f"#{ids.RESPONSE} .response-level").strip() == expected
    colour = term(RESPONSE_LEVELS, str(level)).colour
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    background = banner.evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert background == f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})", (background, colour)


def assert_warning_banner(page: Any, database_url: str, lang: str = "zh") -> None:
    store = Store(database_url)
    try:
        warnings = store.current_warnings()
    finally:
        store.engine.dispose()
    banner = page.query_selector(f"#{ids.WARNING} .warning")
    if warnings.empty:
        assert banner is None, f"a warning banner {banner.inner_text()!r} with none in force"
        return
    row = warnings.iloc[0]
    event = row["event_en"] if lang == "en" and row["event_en"] else row["event"]
    assert banner is not None, f"no weather warning banner; {event} ({row['colour']}) is in force"
    assert f"warning-{row['colour']}" in banner.get_attribute("class").split()
    assert event in page.inner_text(f"#{ids.WARNING} .warning-level")


def header_and_figures(page: Any) -> dict[str, str]:
    """What a duty officer reads off the wall: banners and every key figure."""
    return page.evaluate("""() => {
        const text = (sel) => { const e = document.querySelector(sel);
                                return e ? e.innerText.trim() : null; };
        const out = {response: text('#response-banner'), warning: text('#weather-warning')};
        document.querySelectorAll('#key-figures [data-key]').forEach((e) => {
            out[e.getAttribute('data-key')] = e.querySelector('.kf-value').innerText.trim(); });
        return out; }""")


def assert_clean(page: Any, base_url: str) -> None:
    assert page.console_errors == [], f"console errors: {page.console_errors}"
    assert outside_requests(page, base_url) == [], (
        f"requests outside the app: {outside_requests(page, base_url)}"
    )
    assert page.query_selector(".unreachable") is None, "the 'database unreachable' page shows"


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def sqlite_wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One app on a fresh SQLite store (seeded with the demo on start): (base URL, DB URL).

    Shared by the tests that only read; they must not change its data.
    """
    folder = tmp_path_factory.mktemp("wall_sqlite")
    database_url = f"sqlite:///{folder / 'fourmaps.sqlite'}"
    with run_server(app_env(database_url), log_dir=folder / "logs") as base_url:
        yield base_url, database_url


def _sqlite_codes(database_url: str, table: str) -> dict[str, str | None]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT code, township_code FROM {table}")).all()
    finally:
        engine.dispose()
    return dict(rows)


def expected_points(database_url: str, township: str | None = None) -> dict[str, set[str]]:
    """The codes each map must draw at the response level in force (the wall's default):
    every risk point, and the depots, forces and command nodes mobilised at that level;
    of ``township`` only (and the chain of command above it) when one is given."""
    store = Store(database_url)
    try:
        activation = store.current_activation()
    finally:
        store.engine.dispose()
    level = activation["level"] if activation else 1
    engine = sa.create_engine(database_url)
    where = "" if township is None else " AND (township_code = :town{})"
    try:
        with engine.connect() as conn:

            def codes(table: str, mobilised: bool, above: bool = False) -> set[str]:
                sql = f"SELECT code FROM {table} WHERE 1 = 1"
                if mobilised:
                    sql += " AND mobilise_level >= :level"
                sql += where.format(" OR township_code IS NULL" if above else "")
                return set(conn.execute(sa.text(sql), {"level": level, "town": township}).scalars())

            return {
                "risk": codes("risk_points", False),
                "materials": codes("depots", True),
                "forces": codes("forces", True),
                "command": codes("command_nodes", True, above=True),
            }
    finally:
        engine.dispose()


def assert_maps_draw_exactly(infos: dict[str, dict], expected: dict[str, set[str]]) -> None:
    for kind, codes in expected.items():
        shown = point_codes(infos[kind], kind)
        assert len(shown) == len(set(shown)), f"{kind}: a point drawn twice"
        assert set(shown) == codes, (
            f"{kind} map: {len(set(shown) - codes)} points too many "
            f"({sorted(set(shown) - codes)[:5]}), {len(codes - set(shown))} missing "
            f"({sorted(codes - set(shown))[:5]})"
        )


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_wall_fills_the_screen(new_page, sqlite_wall, size) -> None:
    base_url, database_url = sqlite_wall
    started = time.monotonic()
    page, drawn = open_wall(new_page, base_url, size=size)
    elapsed = time.monotonic() - started
    shoot(page, f"wall-{size[0]}x{size[1]}")
    assert_layout_fits(page)
    infos = assert_maps_have_points(page)
    # Every risk point (not filtered by level), and what the level in force mobilises.
    assert_maps_draw_exactly(infos, expected_points(database_url))
    assert_clock_is_now(page)
    assert_response_banner(page, database_url)
    assert_warning_banner(page, database_url)
    # Chinese by default: map titles and the page's language.
    titles = page.eval_on_selector_all(".map-card h2", "els => els.map(e => e.innerText.trim())")
    assert titles == [t(SPECS[kind].title_key, "zh") for kind in MAP_KINDS]
    assert page.get_attribute(".wall", "lang") == "zh-CN"
    assert_clean(page, base_url)
    print(
        f"{size}: maps drawn at {max(drawn.values()):.1f} s after navigation "
        f"({elapsed:.1f} s with page creation)"
    )


# --------------------------------------------------------------------------- live changes


@dataclass
class ChangeSeen:
    seconds: float
    payload_bytes: int
    code: str


def _pick_non_major(engine: sa.Engine) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT code, grade FROM risk_points WHERE grade <> 'major' ORDER BY id LIMIT 1"
            )
        ).one()
    return row.code, row.grade


def _pan_and_zoom(page: Any, graph_id: str) -> dict:
    """Move one map as a person would leave it, through Plotly.relayout; return its view."""
    before = map_points(page, graph_id)
    lon, lat = before["center"]
    target = {
        "lon": round(lon + 0.045, 5),
        "lat": round(lat - 0.032, 5),
        "zoom": round(before["zoom"] + 1.6, 2),
    }
    page.evaluate(
        """([id, v]) => window.Plotly.relayout(
             document.getElementById(id).querySelector('.js-plotly-plot'),
             {'map.center': {lon: v.lon, lat: v.lat}, 'map.zoom': v.zoom})""",
        [graph_id, target],
    )
    wait_for_maps_drawn(page, [graph_id], timeout=DRAW_TIMEOUT)
    view = map_points(page, graph_id)
    assert view["center"] == pytest.approx([target["lon"], target["lat"]], abs=1e-4), view
    assert view["zoom"] == pytest.approx(target["zoom"], abs=1e-3), view
    return view


def change_appears_on_open_walls(pages: list[Any], engine: sa.Engine, shot: str) -> ChangeSeen:
    """Write one change through ``engine`` and check every open wall shows it by itself.

    The first page's risk map is panned and zoomed first; it must stay there.
    """
    watched = pages[0]
    code, old_grade = _pick_non_major(engine)
    before = []
    for n, page in enumerate(pages):
        marker = f"wall-{uuid.uuid4().hex}"
        page.evaluate("(m) => { window.__wallMarker = m; }", marker)
        risk = map_points(page, ids.map_graph("risk"))
        before.append(
            {
                "marker": marker,
                "major": int(kf_value(page, "grade-major").replace(",", "")),
                "old": int(kf_value(page, f"grade-{old_grade}").replace(",", "")),
                "major_points": category_traces(risk, "risk")[0]["n"],
                "status": page.inner_text(f"#{ids.STATUS}").strip(),
                "navigations": page.evaluate(
                    "() => performance.getEntriesByType('navigation').length"
                ),
            }
        )
        # Remember the other maps' data arrays: a map that is not re-sent keeps them.
        page.evaluate(
            """(graphs) => { window.__wallData = Object.fromEntries(graphs.map(
            (id) => [id, document.getElementById(id).querySelector('.js-plotly-plot').data])); }""",
            GRAPHS,
        )
        if n == 0:
            view = _pan_and_zoom(page, ids.map_graph("risk"))
    updates: list[Any] = []
    watched.on(
        "response", lambda r: updates.append(r) if "_dash-update-component" in r.url else None
    )
    shoot(watched, f"{shot}-before")

    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE risk_points SET grade = 'major', version = version + 1, "
                "updated_at = CURRENT_TIMESTAMP WHERE code = :code"
            ),
            {"code": code},
        )
    written = time.monotonic()
    written_at = datetime.now(ZoneInfo(TZ))

    seen_after = []
    for page, was in zip(pages, before, strict=True):
        left = max(0.5, CHANGE_LIMIT + 10 - (time.monotonic() - written))
        page.wait_for_function(
            """([expected, points]) => {
                 const v = document.querySelector('#key-figures [data-key=grade-major] .kf-value');
                 const gd = document.getElementById('map-risk').querySelector('.js-plotly-plot');
                 const major = gd.data.findIndex((t) => t.meta === 'cat:major');
                 const lon = gd._fullData && gd._fullData[major] && gd._fullData[major].lon;
                 return v && v.innerText.replace(/,/g, '').trim() === String(expected)
                        && lon && lon.length === points;
               }""",
            arg=[was["major"] + 1, was["major_points"] + 1],
            timeout=left * 1000,
            polling=100,
        )
        seen_after.append(time.monotonic() - written)
    seconds = max(seen_after)
    wait_for_maps_drawn(watched, GRAPHS, timeout=DRAW_TIMEOUT)
    shoot(watched, f"{shot}-after")

    assert seconds < CHANGE_LIMIT, f"the change took {seconds:.1f} s to show (limit {CHANGE_LIMIT})"
    for n, (page, was) in enumerate(zip(pages, before, strict=True)):
        assert page.evaluate("() => window.__wallMarker") == was["marker"], "the page reloaded"
        assert (
            page.evaluate("() => performance.getEntriesByType('navigation').length")
            == was["navigations"]
        )
        assert int(kf_value(page, f"grade-{old_grade}").replace(",", "")) == was["old"] - 1
        risk = map_points(page, ids.map_graph("risk"))
        assert code in category_traces(risk, "risk")[0]["customdata"], (
            f"{code} is not among the map's major risk points"
        )
        # Only the risk map was re-sent: the other three kept their very data arrays.
        kept = page.evaluate(
            """(graphs) => graphs.map((id) => window.__wallData[id]
            === document.getElementById(id).querySelector('.js-plotly-plot').data)""",
            GRAPHS,
        )
        assert kept == [g != ids.map_graph("risk") for g in GRAPHS], dict(
            zip(GRAPHS, kept, strict=True)
        )
        # The header says when the data changed: now.
        status = page.inner_text(f"#{ids.STATUS}").strip()
        assert status != was["status"], f"'updated' line did not move: {status}"
        stamps = {f"{written_at + timedelta(seconds=d):%m-%d %H:%M:%S}" for d in range(-3, 4)}
        assert any(s in status for s in stamps), f"status {status!r}, change written {written_at}"
        if n == 0:
            # The map the officer moved is where it was left.
            assert risk["center"] == pytest.approx(view["center"], abs=1e-6), (risk, view)
            assert risk["zoom"] == pytest.approx(view["zoom"], abs=1e-6), (risk, view)
            assert risk["layout"]["center"] == pytest.approx(view["layout"]["center"], abs=1e-6)
            assert risk["layout"]["zoom"] == pytest.approx(view["layout"]["zoom"], abs=1e-6)
        assert page.console_errors == [], f"console errors: {page.console_errors}"

    # What the poll sent: the risk map's patch and the figures; not the other maps.
    carried = []
    for response in updates:
        with contextlib.suppress(Exception):
            body = response.body()
            outputs = json.loads(body).get("response", {})
            if ids.map_graph("risk") in outputs:
                carried.append((len(body), sorted(outputs)))
    assert carried, "no update response carried the risk map"
    size, outputs = carried[-1]
    assert not set(outputs) & {g for g in GRAPHS if g != ids.map_graph("risk")}, outputs
    return ChangeSeen(seconds, size, code)


def test_change_shows_on_open_wall_sqlite(new_page, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("wall_change")
    database_url = f"sqlite:///{folder / 'fourmaps.sqlite'}"
    with run_server(app_env(database_url), log_dir=folder / "logs") as base_url:
        page, _ = open_wall(new_page, base_url)
        engine = sa.create_engine(database_url, connect_args={"timeout": 10})
        try:
            seen = change_appears_on_open_walls([page], engine, "change-sqlite")
        finally:
            engine.dispose()
        assert_clean(page, base_url)
    print(
        f"SQLite: change on the wall after {seen.seconds:.1f} s; "
        f"the update that carried it was {seen.payload_bytes:,} bytes"
    )


def _banner(page: Any, selector: str) -> tuple[str, str] | None:
    """(classes, text) of the banner in ``selector``, or None when it shows none."""
    return page.evaluate(
        """(sel) => { const e = document.querySelector(sel);
                      return e ? [e.className, e.innerText.trim()] : null; }""",
        selector,
    )


def _wait_banner(page: Any, selector: str, classes: str | None, seconds: float) -> float:
    """Seconds until the banner in ``selector`` has ``classes`` (None: no banner)."""
    started = time.monotonic()
    page.wait_for_function(
        """([sel, want]) => { const e = document.querySelector(sel);
                              return want === null ? !e : !!e && e.className === want; }""",
        arg=[selector, classes],
        timeout=seconds * 1000,
        polling=100,
    )
    return time.monotonic() - started


def _people(page: Any) -> int:
    return int(page.inner_text("[data-key=people] .kf-value").replace(",", ""))


def test_banners_follow_the_response_and_warning_on_an_open_wall(new_page, tmp_path_factory):
    """A warning issued, a response started, and both ending by the clock alone (no
    write): the open wall's banners follow each, with no reload."""
    folder = tmp_path_factory.mktemp("wall_banners")
    database_url = f"sqlite:///{folder / 'fourmaps.sqlite'}"
    response, warning = f"#{ids.RESPONSE} .response", f"#{ids.WARNING} .warning"
    with run_server(app_env(database_url), log_dir=folder / "logs") as base_url:
        page, _ = open_wall(new_page, base_url)
        page.evaluate("() => { window.__wallMarker = 'banners'; }")
        store = Store(database_url)
        try:
            in_force = store.current_activation()["level"]  # the demo's open-ended IV
            assert _banner(page, response)[0] == f"response response-{in_force}"
            people_at_iv = _people(page)
            # The demo's warning is in force whenever it was loaded: a newcomer sees one.
            assert _banner(page, warning)[0] == "warning warning-yellow"
            store.execute(
                sa.update(schema.weather_warnings).values(
                    expires_at=datetime.now(UTC) - timedelta(seconds=1)
                )
            )  # it ends, so the rest is about the warning issued below
            _wait_banner(page, warning, None, CHANGE_LIMIT)

            now = datetime.now(UTC)
            store.execute(
                sa.insert(schema.weather_warnings).values(
                    identifier="test-red-rainstorm", event="暴雨", colour="red",
                    headline="暴雨红色预警", issued_at=now - timedelta(seconds=1),
                    expires_at=now + timedelta(seconds=14),
                )
            )  # fmt: skip
            took = _wait_banner(page, warning, "warning warning-red", CHANGE_LIMIT)
            print(f"warning issued: banner after {took:.1f} s")
            assert "暴雨 红色预警" in _banner(page, warning)[1]
            assert _banner(page, response)[0] == f"response response-{in_force}"

            now = datetime.now(UTC)
            ends = now + timedelta(seconds=9)
            store.execute(
                sa.insert(schema.response_activations).values(
                    level=1, starts_at=now - timedelta(seconds=1), ends_at=ends, reason="特大暴雨"
                )
            )
            took = _wait_banner(page, response, "response response-1", CHANGE_LIMIT)
            print(f"level I started: banner after {took:.1f} s")
            assert _banner(page, response)[1].startswith("Ⅰ级 应急响应")
            # The wall follows the level in force: level I mobilises more, and no
            # "what-if" note says the wall shows a level that is no longer in force.
            page.wait_for_function(
                f"() => Number(document.querySelector('[data-key=people] .kf-value')"
                f".textContent.replace(/,/g, '')) > {people_at_iv}",
                timeout=CHANGE_LIMIT * 1000,
            )
            assert page.query_selector("[data-key=scope]") is None
            shoot(page, "banners-level-I")
        finally:
            store.engine.dispose()

        # Nothing is written from here on: the clock ends the response, then the warning.
        left = (ends - datetime.now(UTC)).total_seconds()
        assert left > 0, "too slow to see the level I banner before it ended"
        took = _wait_banner(page, response, f"response response-{in_force}", left + CHANGE_LIMIT)
        print(f"level I ended: banner back {took - left:.1f} s after its end")
        assert took > left - 1, "the response banner changed before the end time"
        assert _people(page) == people_at_iv  # back to level IV's forces
        took = _wait_banner(page, warning, None, 5 + CHANGE_LIMIT)
        print(f"warning expired: banner gone after {took:.1f} s")
        assert page.evaluate("() => window.__wallMarker") == "banners", "the page reloaded"
        assert_clean(page, base_url)


# --------------------------------------------------------------------------- PostGIS


@dataclass
class PostgisWalls:
    database_url: str  # straight to the server
    instance_a: str  # an app on the database directly
    instance_b: str  # an app on the database through the proxy
    proxy: TcpProxy


@pytest.fixture(scope="module")
def postgis_walls(postgis_server, tmp_path_factory) -> Iterator[PostgisWalls]:
    """A fresh PostGIS database with the demo, and two app instances sharing it.

    Instance B reaches the database through a :class:`TcpProxy` so a test can
    take the database away from it. The database is dropped at the end.
    """
    folder = tmp_path_factory.mktemp("wall_postgis")
    database_url = postgis_server.new_database_url()
    with contextlib.ExitStack() as stack:

        @stack.callback
        def drop() -> None:
            name = sa.make_url(database_url).database
            with postgis_server.admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        loaded = subprocess.run(
            [sys.executable, "manage.py", "load", "demo"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "DATABASE_URL": database_url},
        )
        assert loaded.returncode == 0, f"manage.py load demo failed:\n{loaded.stderr}"
        url = sa.make_url(database_url)
        proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
        proxy.start()
        stack.callback(proxy.stop)
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        instance_a = stack.enter_context(run_server(app_env(database_url), log_dir=folder))
        instance_b = stack.enter_context(run_server(app_env(proxied), log_dir=folder))
        yield PostgisWalls(database_url, instance_a, instance_b, proxy)


@pytest.mark.postgis
def test_change_shows_on_walls_of_two_instances_postgis(new_page, postgis_walls) -> None:
    """A write by a third connection shows on walls served by both app instances."""
    site = postgis_walls
    page_b, page_a = open_walls(new_page, [site.instance_b, site.instance_a])
    engine = sa.create_engine(site.database_url)
    try:
        seen = change_appears_on_open_walls([page_b, page_a], engine, "change-postgis")
    finally:
        engine.dispose()
    assert_clean(page_a, site.instance_a)
    assert_clean(page_b, site.instance_b)
    print(
        f"PostGIS: change on both instances' walls after {seen.seconds:.1f} s; "
        f"the update that carried it was {seen.payload_bytes:,} bytes"
    )


@pytest.mark.postgis
def test_database_goes_away_under_open_wall_postgis(new_page, postgis_walls) -> None:
    """Stale banner over the last data while the database is unreachable; it clears by itself.

    The outage is made by cutting instance B's TCP proxy, not by stopping
    PostgreSQL: the server is shared with other tests and sessions, and the
    proxy gives the same failure (pooled connections dropped, new ones refused).
    """
    site = postgis_walls
    page, _ = open_wall(new_page, site.instance_b)
    marker = uuid.uuid4().hex
    page.evaluate("(m) => { window.__wallMarker = m; }", marker)
    assert page.query_selector(f"#{ids.STATUS} .status.stale") is None
    last_ok = datetime.now(ZoneInfo(TZ))

    cut = time.monotonic()
    site.proxy.stop()
    try:
        page.wait_for_selector(f"#{ids.STATUS} .status.stale", timeout=(STALE_LIMIT + 10) * 1000)
        stale_after = time.monotonic() - cut
        banner = page.inner_text(f"#{ids.STATUS} .status.stale").strip()
        shown_at = datetime.now(ZoneInfo(TZ))
        # Let the next polls fail too, then look at the page as the officer would.
        page.wait_for_timeout(POLL_SECONDS * 1000 * 1.5)
        wait_for_maps_drawn(page, GRAPHS, timeout=DRAW_TIMEOUT)
        shoot(page, "stale")
        assert stale_after < STALE_LIMIT, f"stale banner after {stale_after:.1f} s"
        assert "未更新" in banner, banner
        times = {
            f"{last_ok + timedelta(minutes=m):%H:%M}"
            for m in range(-1, int((shown_at - last_ok).total_seconds() // 60) + 1)
        }
        assert any(hm in banner for hm in times), f"banner {banner!r}: expected one of {times}"
        assert page.is_visible(f"#{ids.STATUS} .status.stale")
        assert_maps_have_points(page)  # the last data stays on the maps
        assert_response_banner(page, site.database_url)  # and the response in force
        assert_warning_banner(page, site.database_url)
        assert page.query_selector(".unreachable") is None, "error page instead of the wall"
        assert page.evaluate("() => window.__wallMarker") == marker, "the page reloaded"
    finally:
        site.proxy.start()

    back = time.monotonic()
    page.wait_for_selector(f"#{ids.STATUS} .status:not(.stale)", timeout=(STALE_LIMIT + 10) * 1000)
    cleared_after = time.monotonic() - back
    shoot(page, "recovered")
    assert cleared_after < STALE_LIMIT, f"banner cleared after {cleared_after:.1f} s"
    assert t("data_updated", "zh") in page.inner_text(f"#{ids.STATUS}")
    assert page.evaluate("() => window.__wallMarker") == marker, "the page reloaded"
    assert_maps_have_points(page)
    assert_clean(page, site.instance_b)
    print(
        f"stale banner after {stale_after:.1f} s, cleared {cleared_after:.1f} s after the "
        f"database came back"
    )


@pytest.mark.postgis
def test_wall_loaded_while_database_is_away_postgis(new_page, postgis_walls) -> None:
    """A wall (re)loaded during an outage shows the last data, then recovers by itself.

    A wall PC that restarts, or a browser that reloads, while the database is
    down must show what a healthy wall shows (banners, key figures, points),
    marked stale; no error page, no blank maps, no other numbers. Instance B
    (behind the proxy, cut as in the test above) has read the data before;
    the same wall on instance A, which still reaches the database, is the
    reference. Both open a wall URL (``manage.py wall-url``) in a browser that
    kept no cookie: B cannot ask the store about the token, and lets the wall
    in on the token's signature.
    """
    site = postgis_walls
    store = Store(site.database_url)
    token = create_wall_token(store, system_principal("test"), "outage")
    store.engine.dispose()
    site.proxy.stop()
    try:
        page, healthy = open_walls(new_page, [site.instance_b, site.instance_a], token)
        shoot(page, "loaded-while-stale")
        assert page.query_selector(".unreachable") is None, "error page instead of the wall"
        assert page.is_visible(f"#{ids.STATUS} .status.stale"), (
            f"no stale banner: {page.inner_text(f'#{ids.STATUS}')!r}"
        )
        assert_maps_have_points(page)
        during, reference = header_and_figures(page), header_and_figures(healthy)
    finally:
        site.proxy.start()
    page.wait_for_selector(f"#{ids.STATUS} .status:not(.stale)", timeout=(STALE_LIMIT + 10) * 1000)
    page.wait_for_timeout(POLL_SECONDS * 1000 * 2)  # time for anything else to catch up
    wait_for_maps_drawn(page, GRAPHS, timeout=DRAW_TIMEOUT)
    shoot(page, "loaded-while-stale-recovered")
    after = header_and_figures(page)
    wrong = {}
    for when, shown in (("during the outage", during), ("after it", after)):
        diff = {
            key: (shown.get(key), value)
            for key, value in reference.items()
            if shown.get(key) != value
        }
        if diff:
            wrong[when] = diff
    assert not wrong, (
        "the wall loaded during the outage differs from a healthy wall "
        "(shown, healthy):\n" + "\n".join(f"{when}: {diff}" for when, diff in wrong.items())
    )
    assert_maps_have_points(page)
    assert_clean(page, site.instance_b)


# --------------------------------------------------------------------------- language, township


def test_wall_in_english(new_page, sqlite_wall) -> None:
    base_url, database_url = sqlite_wall
    page, _ = open_wall(new_page, base_url, "?lang=en")
    shoot(page, "wall-1920x1080-en")
    titles = page.eval_on_selector_all(".map-card h2", "els => els.map(e => e.innerText.trim())")
    assert titles == [t(SPECS[kind].title_key, "en") for kind in MAP_KINDS]
    assert titles[0] == "Risks and hidden dangers"
    assert page.get_attribute(".wall", "lang") == "en"
    # Every interface string is English: no hanzi on the page but the "中文" switch,
    # in the legends, or in the township names on the maps.
    text = page.evaluate("""() => { const wall = document.querySelector('.wall').cloneNode(true);
        wall.querySelectorAll('.lang-links').forEach((e) => e.remove());
        document.body.appendChild(wall); const s = wall.innerText; wall.remove(); return s; }""")
    assert not HAN.search(text), f"Chinese on the English wall: {sorted(set(HAN.findall(text)))}"
    for kind, graph in zip(MAP_KINDS, GRAPHS, strict=True):
        info = map_points(page, graph)
        names = [tr["name"] or "" for tr in info["traces"]] + info["traces"][1]["text"]
        assert not any(HAN.search(n) for n in names), f"{kind}: {names}"
    assert_layout_fits(page)
    assert_maps_have_points(page)
    assert_clock_is_now(page, "en")
    assert_response_banner(page, database_url, "en")
    assert_warning_banner(page, database_url, "en")
    assert_clean(page, base_url)


def test_wall_fixed_to_one_township(new_page, sqlite_wall) -> None:
    base_url, database_url = sqlite_wall
    risk_towns = _sqlite_codes(database_url, "risk_points")
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            code, name = conn.execute(
                sa.text(
                    "SELECT t.code, t.name FROM townships t JOIN risk_points r "
                    "ON r.township_code = t.code GROUP BY t.code, t.name "
                    "ORDER BY count(*) DESC, t.code LIMIT 1"
                )
            ).one()
    finally:
        engine.dispose()
    # With a code that names no township: ignored, and a note says so.
    page, _ = open_wall(new_page, base_url, f"?township={code},000000")
    shoot(page, "wall-1920x1080-township")
    assert page.inner_text(".wall-title h1").strip() == name
    infos = assert_maps_have_points(page)
    # Exactly that township's points, at the level in force; command nodes above the
    # township (no township) are the chain it reports to.
    assert_maps_draw_exactly(infos, expected_points(database_url, code))
    assert {risk_towns[c] for c in point_codes(infos["risk"], "risk")} == {code}
    assert page.is_visible(f"#{ids.URL_NOTE}")
    assert page.inner_text(f"#{ids.URL_NOTE}").strip() == (
        "已忽略网址参数：township=000000（无此乡镇编码）"
    )
    assert_layout_fits(page)
    assert_clean(page, base_url)
