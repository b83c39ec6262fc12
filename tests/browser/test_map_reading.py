"""The four maps as a duty officer reads them (issue 17), on the demo in headless Chromium.

* What matters is on top and answers the mouse: a hover at the position of
  each major risk, each city and county depot and the district headquarters
  returns that point (not the village depot or grid member beside it), and a
  click there shows its record.
* Every township is named at district zoom, on every map, in both languages.
* Command nodes off duty and resting or deployed teams are drawn apart, with
  a legend entry; overdue hidden dangers too.

Screenshots go to ``test-output/reading/``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard import ids
from dashboard.figures import SLOT_ANCHOR, SPECS
from dashboard.labels import map_name
from layers.risks import is_overdue
from store import Store
from tests.browser.conftest import ROOT, outside_requests, run_server, sign_in, wait_for_maps_drawn

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
SHOTS = ROOT / "test-output" / "reading"

# Hover the page at a point's position (MapLibre's own projection) and say what plotly
# picked: the customdata of the hovered point, or null.
HOVER_AT_JS = """
async ([id, lon, lat]) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const map = gd._fullLayout.map._subplot.map;
  const p = map.project([lon, lat]);
  const box = map.getCanvas().getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y, inside: p.x >= 0 && p.y >= 0
          && p.x <= box.width && p.y <= box.height};
}
"""
HOVERED_JS = """(id) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const hover = gd._hoverdata || [];
  return hover.length ? hover[0].customdata : null;
}"""
RENDERED_NAMES_JS = """(id) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const map = gd._fullLayout.map._subplot.map;
  return map.queryRenderedFeatures().filter((f) => f.layer.type === 'symbol')
    .map((f) => f.properties.text);
}"""
TRACE_JS = """([id, meta]) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const i = gd.data.findIndex((t) => t.meta === meta);
  const full = gd._fullData[i];
  const len = (a) => (a && a.length) || 0;
  return {n: len(full.lon), name: full.name, showlegend: full.showlegend,
          legend: Array.from(document.querySelectorAll(`#${id} .legendtext`))
                    .map((el) => el.textContent)};
}"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reading") / "fourmaps.sqlite"


@pytest.fixture(scope="module")
def server(db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "DATABASE_URL": f"sqlite:///{db_path}",
        "FOURMAPS_POLL_SECONDS": "30",
        "FOURMAPS_LANG": "",
        "FOURMAPS_TILE_URL": "",
    }
    with run_server(env, log_dir=tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture(scope="module")
def store(server: str, db_path: Path) -> Store:
    return Store(f"sqlite:///{db_path}")  # the demo the app seeded on its first start


def open_page(new_page: Any, server: str, path: str, size: tuple[int, int] = (1920, 1080)) -> Any:
    page = new_page(*size)
    sign_in(page, server)
    page.goto(server + path)
    page.wait_for_selector("#map-risk .js-plotly-plot", timeout=120_000)
    wait_for_maps_drawn(page, MAPS, timeout=120)
    return page


def hovered_at(page: Any, graph_id: str, lon: float, lat: float, expect: str) -> str | None:
    page.locator(f"#{graph_id}").scroll_into_view_if_needed()
    where = page.evaluate(HOVER_AT_JS, [graph_id, lon, lat])
    assert where["inside"], f"({lon}, {lat}) is not in view on {graph_id}"
    page.mouse.move(where["x"] + 40, where["y"] + 40)  # leave, so the hover is fresh
    page.mouse.move(where["x"], where["y"])
    # Plotly throttles hover and MapLibre answers it a frame later: on a loaded machine
    # that is more than a fixed 60 ms, so give the expected point a moment to answer;
    # a point drawn over it never lets it, and is what this returns.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"({HOVERED_JS})({graph_id!r}) === {expect!r}", timeout=1_500)
    return page.evaluate(HOVERED_JS, graph_id)


UIREVISION_JS = "() => document.querySelector('#map-risk .js-plotly-plot').layout.uirevision"


def add_township(page: Any, town: pd.Series) -> None:
    """Add a township to the filter as a person does; return once the maps got their
    new figures (their uirevision names the townships shown)."""
    old = page.evaluate(UIREVISION_JS)
    page.click("#filter-townships")
    page.keyboard.type(town["name"])
    page.get_by_role("option", name=town["name"], exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function(f"(old) => ({UIREVISION_JS})() !== old", arg=old, timeout=30_000)


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1080p", "laptop"])
def test_what_matters_answers_a_hover_at_its_position(new_page, server, store, size):
    page = open_page(new_page, server, "/?level=all", size)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"desk-all-levels-{size[0]}.png"))
    risks = store.read("risk_points")
    depots = store.read("depots")
    nodes = store.read("command_nodes")
    wanted = {
        "map-risk": risks[risks["grade"] == "major"],
        "map-materials": depots[depots["level"].isin(["city", "county"])],
        "map-command": nodes[nodes["level"] == "county"],
    }
    assert len(wanted["map-risk"]) == 7 and len(wanted["map-materials"]) == 12
    missed = []
    for graph_id, rows in wanted.items():
        for row in rows.itertuples():
            got = hovered_at(page, graph_id, row.geom.x, row.geom.y, row.code)
            if got != row.code:
                missed.append(f"{graph_id}: {row.code} ({row.name}) hovered as {got}")
    assert not missed, "\n".join(missed)

    # A click there shows that point's record: the district flood headquarters.
    hq = wanted["map-command"].iloc[0]
    page.locator("#map-command").scroll_into_view_if_needed()
    where = page.evaluate(HOVER_AT_JS, ["map-command", hq.geom.x, hq.geom.y])
    page.mouse.click(where["x"], where["y"])
    page.wait_for_selector(f"#details h3:has-text('{hq['name']}')", timeout=10_000)
    assert page.console_errors == []
    assert outside_requests(page, server) == []


@pytest.mark.parametrize(
    ("path", "size", "lang"),
    [
        ("/", (1920, 1080), "zh"),
        ("/?lang=en", (1920, 1080), "en"),
        ("/wall", (1920, 1080), "zh"),
        ("/wall?lang=en", (3840, 2160), "en"),
        ("/wall", (5760, 1080), "zh"),
    ],
    ids=["desk", "desk-en", "wall-1080p", "wall-4k-en", "wall-5760"],
)
def test_every_township_is_named_at_district_zoom(new_page, server, store, path, size, lang):
    page = open_page(new_page, server, path, size)
    towns = store.read("townships")
    names = {map_name(row, lang) for row in towns.to_dict("records")}
    for graph_id in MAPS:
        # MapLibre places names over a few frames after the map is drawn (later on a
        # loaded machine): give it a few seconds before calling a name missing.
        for _ in range(20):
            shown = set(page.evaluate(RENDERED_NAMES_JS, graph_id))
            if names <= shown:
                break
            page.wait_for_timeout(250)
        assert names <= shown, f"{graph_id} at {size}: not drawn {sorted(names - shown)}"


def test_states_are_drawn_apart_with_a_legend_entry(new_page, server, store):
    page = open_page(new_page, server, "/?level=all")
    nodes = store.read("command_nodes")
    forces = store.read("forces")
    risks = store.read("risk_points")
    cases = [
        ("map-command", "dot:off_duty", int((nodes["status"] == "off_duty").sum()), "离岗"),
        ("map-forces", "dot:off_duty", int((forces["status"] == "off_duty").sum()), "休整"),
        ("map-forces", "ring:deployed", int((forces["status"] == "deployed").sum()), "已出动"),
        ("map-risk", "ring:overdue", int(is_overdue(risks).sum()), "逾期"),
    ]
    for graph_id, meta, expected, word in cases:
        assert expected > 0, f"the demo has no {meta} on {graph_id}"
        trace = page.evaluate(TRACE_JS, [graph_id, meta])
        assert trace["n"] == expected, f"{graph_id} {meta}: {trace['n']} drawn, {expected} expected"
        assert any(word in text for text in trace["legend"]), (graph_id, trace["legend"])
    # The key figure's "on duty" count is what the map's grey centres leave.
    on_duty = page.inner_text("[data-key=nodes-on-duty] .kf-value")
    assert on_duty == f"{int((nodes['status'] == 'on_duty').sum())}/{len(nodes)}"
    assert SPECS["command"].slots["dot:off_duty"] > max(SPECS["command"].category_slots)


FITS_JS = """() => {
  const bad = [];
  document.querySelectorAll('.kf .kf-value').forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1) {
      bad.push(`${el.innerText}: ${el.scrollWidth}>${el.clientWidth}`);
    }
  });
  const overlaps = [];
  document.querySelectorAll('.map-graph').forEach((graph) => {
    const bar = graph.querySelector('.modebar');
    if (!bar) return;
    const b = bar.getBoundingClientRect();
    graph.querySelectorAll('.legend .traces').forEach((entry) => {
      const r = entry.getBoundingClientRect();
      if (r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top) {
        overlaps.push(`${graph.id}: ${entry.textContent}`);
      }
    });
  });
  const titles = Array.from(document.querySelectorAll('.modebar-btn[data-title]'))
    .map((el) => el.getAttribute('data-title'));
  return {bad, overlaps, titles};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1080p", "laptop"])
def test_figures_say_what_they_count(new_page, server, store, size):
    page = open_page(new_page, server, "/", size)
    page.hover("#map-risk")  # the toolbar shows on hover
    found = page.evaluate(FITS_JS)
    assert not found["bad"], found["bad"]
    assert not found["overlaps"], f"the toolbar covers legend entries: {found['overlaps']}"
    assert "放大" in found["titles"] and "Zoom in" not in found["titles"]

    # Unticking major risks: the card says they are not shown, not that there are none.
    page.get_by_label("重大风险").uncheck()
    page.wait_for_selector("[data-key=grade-major].kf-off", timeout=20_000)
    assert page.inner_text("[data-key=grade-major] .kf-value") == "—"
    assert "未选" in page.inner_text("[data-key=grade-major] .kf-label")
    assert "仅统计" in page.inner_text("[data-key=scope]")

    # A level that is not the one in force is a what-if.
    page.click("#filter-level")
    page.get_by_role("option", name="Ⅰ级", exact=True).click()
    page.wait_for_function(
        "() => (document.querySelector('[data-key=scope]') || {}).innerText?.includes('推演')",
        timeout=20_000,
    )
    assert "现行Ⅳ级" in page.inner_text("[data-key=scope]")
    page.click("#filter-townships")
    assert page.locator("input[placeholder='搜索'], .dash-dropdown-search").count() >= 1
    text = page.inner_text("body")
    assert "Select All" not in text and "Search" not in text
    page.screenshot(path=str(SHOTS / f"desk-filters-{size[0]}.png"))
    assert page.console_errors == []


def test_a_township_pick_fetches_only_the_stores_own_characters(new_page, server, store):
    """Fonts: the page and its maps fetch the subset of the store's characters
    (~170 KB), never GB2312's 2.4 MB file, and nothing from outside."""
    page = new_page()
    fonts: dict[str, int] = {}

    def on_response(response: Any) -> None:
        url = response.url.split("?")[0]
        if url.endswith(".woff2") and url not in fonts:
            fonts[url] = len(response.body())

    page.on("response", on_response)
    sign_in(page, server)
    page.goto(server + "/")
    wait_for_maps_drawn(page, MAPS, timeout=120)
    town = store.read("townships").iloc[6]
    add_township(page, town)
    wait_for_maps_drawn(page, MAPS, timeout=120)
    names = {url: size for url, size in fonts.items() if "/_fourmaps/fonts/" in url}
    assert len(names) == 1, fonts
    assert not any(url.endswith("/cjk.woff2") for url in fonts), fonts
    assert sum(names.values()) <= 300_000, fonts
    shown = set(page.evaluate(RENDERED_NAMES_JS, "map-risk"))
    assert town["name"] in shown
    assert outside_requests(page, server) == []
    assert page.console_errors == []


def test_filters_live_in_the_url_through_a_language_switch_and_back(new_page, server, store):
    page = open_page(new_page, server, "/")
    town = store.read("townships").iloc[4]
    add_township(page, town)
    page.wait_for_function("() => location.search.includes('township=')", timeout=20_000)
    page.get_by_label("低风险").uncheck()
    page.wait_for_function("() => !location.search.includes('low')", timeout=20_000)
    assert f"township={town['code']}" in page.url

    page.click("#lang-en")
    page.wait_for_selector("text=Risks and hidden dangers", timeout=30_000)
    wait_for_maps_drawn(page, MAPS, timeout=120)
    assert "lang=en" in page.url and f"township={town['code']}" in page.url
    assert page.inner_text("#filter-townships").strip().startswith(town["name_en"])
    assert not page.get_by_label("Low", exact=True).is_checked()
    assert page.get_by_label("Major", exact=True).is_checked()
    risks = store.read("risk_points")
    shown = risks[(risks["township_code"] == town["code"]) & (risks["grade"] == "larger")]
    assert page.inner_text("[data-key=grade-larger] .kf-value") == str(len(shown))

    page.go_back()
    page.wait_for_selector("text=风险隐患图", timeout=30_000)
    wait_for_maps_drawn(page, MAPS, timeout=120)
    assert "lang=en" not in page.url and f"township={town['code']}" in page.url
    assert page.inner_text("#filter-townships").strip().startswith(town["name"])
    # Plotly's own race when Back replaces a page whose graph was mid-redraw (seen once in
    # CI, on a loaded machine): the new page draws fine, as asserted above. Anything else
    # is an error.
    race = "reading '_rangeSliderData'"
    assert [e for e in page.console_errors if race not in e] == []


WALL_READING_JS = (Path(__file__).with_name("wall_reading.js")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "size", [(1920, 1080), (3840, 2160), (5760, 1080)], ids=["1080p", "4k", "5760"]
)
def test_the_wall_reads_from_five_metres(new_page, server, size):
    """Text and markers sized for the distance, the district filling its panel, legends
    off the data (sizes in px of the screen; 4K doubles 1080p)."""
    page = open_page(new_page, server, "/wall", size)
    found = page.evaluate(WALL_READING_JS)
    scale = min(size[0] / 1920, size[1] / 1080)
    print(size, found)
    assert found["kfValue"] >= 28 * scale and found["kfLabel"] >= 18 * scale, found
    assert found["title"] >= 22 * scale, found
    for graph_id, seen in found["maps"].items():
        assert seen["legendOverlapPx"] == 0, (graph_id, seen)
        assert seen["fill"] >= 80, (graph_id, seen)  # the district fills its panel
        assert seen["names"] >= 18 * scale and seen["legendFont"] >= 18 * scale, seen
        assert seen["biggest"] >= 22 * scale, (graph_id, seen)
    page.screenshot(path=str(SHOTS / f"wall-{size[0]}x{size[1]}.png"))


def _far_from_points(towns: Any, points: Any) -> tuple[int, float, float]:
    """The township, and the spot inside it, farthest from every one of ``points``."""
    tree = shapely.STRtree(points)
    best = (0.0, 0, 0.0, 0.0)
    for n, town in enumerate(towns.geometry):
        xmin, ymin, xmax, ymax = town.bounds
        xs, ys = np.meshgrid(np.linspace(xmin, xmax, 40), np.linspace(ymin, ymax, 40))
        spots = shapely.points(xs.ravel(), ys.ravel())
        spots = spots[shapely.contains(town, spots)]
        _, distance = tree.query_nearest(spots, return_distance=True, all_matches=False)
        i = int(np.argmax(distance))
        best = max(best, (float(distance[i]), n, spots[i].x, spots[i].y))
    return best[1:]


def test_a_click_inside_a_townships_outline_picks_it(new_page, server, store):
    page = open_page(new_page, server, "/")
    towns = store.read("townships")
    nodes = store.read("command_nodes")
    n, lon, lat = _far_from_points(towns, nodes.geom.to_numpy())
    town = towns.iloc[n]
    # At district zoom the command map's 300 nodes leave no spot 20 px from them all
    # (plotly's hover distance, which keeps points easy to hit): zoom in as one would.
    page.evaluate(
        """([lon, lat]) => {
          const gd = document.querySelector('#map-command .js-plotly-plot');
          return Plotly.relayout(gd, {'map.center': {lon, lat},
                                      'map.zoom': gd._fullLayout.map.zoom + 2});
        }""",
        [lon, lat],
    )
    page.wait_for_timeout(1_000)
    # Away from any point, the township answers the mouse with its name...
    assert hovered_at(page, "map-command", lon, lat, f"outline:{town['code']}") == (
        f"outline:{town['code']}"
    )
    # ...and a click picks it, as the township filter would.
    where = page.evaluate(HOVER_AT_JS, ["map-command", lon, lat])
    page.mouse.click(where["x"], where["y"])
    page.wait_for_function(
        f"() => location.search.includes('township={town['code']}')", timeout=20_000
    )
    assert page.inner_text("#filter-townships").strip().startswith(town["name"])
    wait_for_maps_drawn(page, MAPS, timeout=120)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "outline-click-picks-township.png"))
    # A hover on a point still answers with the point, never its township.
    node = nodes[nodes["township_code"] == town["code"]].iloc[0]
    assert hovered_at(page, "map-command", node.geom.x, node.geom.y, node["code"]) == node["code"]
    assert page.console_errors == []


MAP_VIEW_JS = """(id) => {
  const map = document.querySelector(`#${id} .js-plotly-plot`)._fullLayout.map;
  return [map.center.lon, map.center.lat, map.zoom];
}"""


def test_a_maps_view_lives_in_the_url_through_a_language_switch(new_page, server):
    page = open_page(new_page, server, "/")
    lon, lat, zoom = page.evaluate(MAP_VIEW_JS, "map-forces")
    moved = [round(lon + 0.02, 5), round(lat - 0.01, 5), round(zoom + 1.5, 2)]
    page.evaluate(
        """([lon, lat, zoom]) => Plotly.relayout(
             document.querySelector('#map-forces .js-plotly-plot'),
             {'map.center': {lon, lat}, 'map.zoom': zoom})""",
        moved,
    )
    page.wait_for_function("() => location.search.includes('view=forces')", timeout=20_000)
    assert page.get_attribute("#lang-en", "href").count("view=forces") == 1

    page.click("#lang-en")
    page.wait_for_selector("text=Risks and hidden dangers", timeout=30_000)
    wait_for_maps_drawn(page, MAPS, timeout=120)
    assert page.evaluate(MAP_VIEW_JS, "map-forces") == pytest.approx(moved, abs=1e-4)
    # The other maps were not moved: they still frame the district (for the English legend).
    assert abs(page.evaluate(MAP_VIEW_JS, "map-risk")[2] - zoom) < 0.5
    assert page.query_selector("#url-note") is None
    # A new filter re-frames the maps: the view the URL held goes with it.
    page.get_by_label("Low", exact=True).uncheck()
    page.wait_for_function("() => !location.search.includes('view=')", timeout=20_000)
    assert page.console_errors == []


# From now on, record the layers each map removes.
WATCH_LAYERS_JS = """(ids) => {
  window.__removed = {};
  for (const id of ids) {
    const map = document.querySelector(`#${id} .js-plotly-plot`)._fullLayout.map._subplot.map;
    window.__removed[id] = [];
    if (!map.__watched) {
      map.__watched = true;
      const remove = map.removeLayer.bind(map);
      map.removeLayer = (layer) => { window.__removed[id].push(layer); return remove(layer); };
    }
  }
}"""
# A map's traces (meta, uid, drawn), its layers bottom to top (the meta of a trace's
# shown layer, null for a hidden one, or the anchor's id), and the layers it removed.
LAYERS_JS = """(id) => {
  const gd = document.querySelector(`#${id} .js-plotly-plot`);
  const map = gd._fullLayout.map._subplot.map;
  const traces = gd._fullData.map((t) => ({meta: t.meta, uid: t.uid, drawn: t.visible === true}));
  const meta = Object.fromEntries(traces.map((t) => [t.uid, t.meta]));
  const shown = (layer) => (layer.layout || {}).visibility !== 'none';
  const layers = map.getStyle().layers.map((layer) => {
    const m = layer.id.match(/^plotly-trace-layer-([^-]+)-/);
    return m ? (shown(layer) ? meta[m[1]] : null) : layer.id;
  });
  return {traces, layers, removed: (window.__removed || {})[id] || []};
}"""


def test_a_township_pick_keeps_every_drawn_traces_layers_in_place(new_page, server, store):
    """plotly removed and re-added every trace's MapLibre layers on each update (and
    MapLibre then reloaded each source) whenever two traces shared a ``below``: each
    trace has an anchor of its own, hidden ones too. Through picks, a trace drawn
    before and after keeps its layers, and each trace's layers lie between its anchor
    and the one under it, so what matters stays on top."""
    page = open_page(new_page, server, "/")
    towns = store.read("townships")
    for town in (towns.iloc[3], towns.iloc[9]):
        before = {id_: page.evaluate(LAYERS_JS, id_) for id_ in MAPS}
        page.evaluate(WATCH_LAYERS_JS, MAPS)
        add_township(page, town)
        wait_for_maps_drawn(page, MAPS, timeout=120)
        for id_ in MAPS:
            got = page.evaluate(LAYERS_JS, id_)
            was = {t["uid"] for t in before[id_]["traces"] if t["drawn"]}
            kept = {t["uid"] for t in got["traces"] if t["drawn"]} & was
            assert len(kept) >= 3, (id_, got["traces"])  # outlines, names and points at least
            prefix = "plotly-trace-layer-"  # (not the page's own text warm-up layer)
            removed = {
                layer.removeprefix(prefix).split("-")[0]
                for layer in got["removed"]
                if layer.startswith(prefix)
            }
            assert removed.isdisjoint(kept), (id_, got["removed"])
            layers = got["layers"]
            for n, trace in enumerate(got["traces"]):
                if not trace["drawn"]:
                    assert trace["meta"] not in layers, (id_, trace)
                    continue
                at = [i for i, name in enumerate(layers) if name == trace["meta"]]
                assert at, (id_, trace)
                low = layers.index(f"{SLOT_ANCHOR}{n - 1}") if n else -1
                high = layers.index(f"{SLOT_ANCHOR}{n}")
                assert low < min(at) and max(at) < high, (id_, trace)
    assert page.console_errors == []


def test_a_township_pick_draws_the_maps_before_the_panels(new_page, server, store):
    """The maps are what a pick is for: the page asks the server for them alone and draws
    them, and only then asks for the panels beside them (the ledger's figures and
    trend, its rows, the tables), for the township picked."""
    page = open_page(new_page, server, "/")
    seen: list[tuple[str, dict]] = []

    def record(what: str) -> Any:
        def on(request: Any) -> None:
            if "/_dash-update-component" in request.url:
                seen.append((what, json.loads(request.post_data or "{}")))

        return on

    page.on("request", record("asked"))
    page.on("requestfinished", record("answered"))
    town = store.read("townships").iloc[3]
    add_township(page, town)
    wait_for_maps_drawn(page, MAPS, timeout=120)

    def at(what: str) -> list[int]:
        outputs = (ids.RISK_TABLE_FIGURES, "-table.rowData", "risk-table.getRows")
        return [
            n
            for n, (w, body) in enumerate(seen)
            if w == what and any(out in body["output"] for out in outputs)
        ]

    for _ in range(150):  # the panels' five answers: the ledger's figures, rows, 3 tables
        if len(at("answered")) >= 5:
            break
        page.wait_for_timeout(100)
    maps_answered = [n for n, (w, body) in enumerate(seen)
                     if w == "answered" and "map-risk.figure" in body["output"]]  # fmt: skip
    panels = at("asked")
    order = [(w, body["output"][:60]) for w, body in seen]
    assert maps_answered and len(panels) == 5, order
    assert min(panels) > maps_answered[0], order
    for n in panels:
        for given in seen[n][1]["inputs"]:
            if given["id"] == ids.FILTER_LATE:
                assert given["value"]["townships"] == [town["code"]], order[n]
    assert page.console_errors == []


def test_only_a_move_asks_for_a_maps_content_again(new_page, server):
    """A graph reports each of its resizes as relayoutData ({"autosize": true}): four at
    the end of every first render, more when the window changes. Only a pan or a zoom
    asks the server for the map's content again."""
    page = new_page(1920, 1080)
    sign_in(page, server)
    asked: list[str] = []
    page.on(
        "request",
        lambda r: (
            asked.append(json.loads(r.post_data or "{}")["output"])
            if "/_dash-update-component" in r.url
            else None
        ),
    )
    page.goto(server + "/")
    wait_for_maps_drawn(page, MAPS, timeout=120)
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_function(
        "() => document.querySelector('#map-forces .js-plotly-plot')._fullLayout.width < 700"
    )
    wait_for_maps_drawn(page, MAPS, timeout=120)
    views = [out for out in asked if "view-" in out]
    assert views == [], views
    lon, lat, zoom = page.evaluate(MAP_VIEW_JS, "map-forces")
    page.evaluate(
        """([lon, lat, zoom]) => Plotly.relayout(
             document.querySelector('#map-forces .js-plotly-plot'),
             {'map.center': {lon, lat}, 'map.zoom': zoom})""",
        [lon + 0.02, lat, zoom + 1],
    )
    page.wait_for_function("() => location.search.includes('view=forces')", timeout=20_000)
    wait_for_maps_drawn(page, MAPS, timeout=120)
    views = [out for out in asked if "view-" in out]
    assert len(views) == 1 and "view-forces" in views[0], views
    assert page.console_errors == []
