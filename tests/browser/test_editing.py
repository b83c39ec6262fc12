"""Editing as planners and viewers see it, in headless Chromium.

* a planner clicks a depot, opens its form, moves it by clicking the map and
  changes its stock; the wall open beside shows the depot where it was put,
  with no reload;
* a viewer finds no way to write: no add menu, no edit or delete button;
* a depot named ``<img src=x onerror=alert(1)>`` is shown as text on the desk
  (details, hover, form, history) and the wall, and runs nothing.

Screenshots go to ``test-output/editing/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auth import system_principal
from auth.accounts import add_user
from editing.records import create_record
from store import Store
from tests.browser.conftest import ROOT, outside_requests, run_server, sign_in, wait_for_maps_drawn

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
SHOTS = ROOT / "test-output" / "editing"
PASSWORD = "browser planner password"
POLL_SECONDS = 2
XSS = "<img src=x onerror=alert(1)>"

# Where a point of a map is drawn, in page pixels, and what it is.
POINT_XY_JS = """([id, code]) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const map = gd._fullLayout.map._subplot.map;
  for (const [i, trace] of gd._fullData.entries()) {
    const at = (trace.customdata || []).indexOf(code);
    if (at >= 0) {
      const p = map.project([trace.lon[at], trace.lat[at]]);
      const box = map.getCanvas().getBoundingClientRect();
      return {x: box.left + p.x, y: box.top + p.y};
    }
  }
  return null;
}"""
# Where a lon/lat is on a map, in page pixels.
LONLAT_XY_JS = """([id, lon, lat]) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const map = gd._fullLayout.map._subplot.map;
  const p = map.project([lon, lat]);
  const box = map.getCanvas().getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""
# How many degrees of longitude a pixel spans on a map.
PIXEL_JS = """(id) => {
  const map = document.getElementById(id).querySelector('.js-plotly-plot')._fullLayout.map
    ._subplot.map;
  return map.unproject([101, 100]).lng - map.unproject([100, 100]).lng;
}"""
LAT = '[id=\'{"name":"lat","type":"edit-field"}\']'
# The lon/lat a map draws a point at.
POINT_AT_JS = """([id, code]) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  for (const trace of gd._fullData) {
    const at = (trace.customdata || []).indexOf(code);
    if (at >= 0) return [trace.lon[at], trace.lat[at]];
  }
  return null;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    """A server on a fresh demo (seeded at its first start), with a planner and a viewer."""
    db = tmp_path_factory.mktemp("editing") / "fourmaps.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{db}", "FOURMAPS_POLL_SECONDS": str(POLL_SECONDS)}
    with run_server(env, log_dir=tmp_path_factory.mktemp("logs")) as url:
        store = Store(f"sqlite:///{db}")
        add_user(store, system_principal("tests"), "planner1", "planner", PASSWORD)
        add_user(store, system_principal("tests"), "viewer1", "viewer", PASSWORD)
        add_user(store, system_principal("tests"), "officer1", "duty_officer", PASSWORD)
        yield url, store
        store.engine.dispose()


def open_desk(new_page, url: str, name: str) -> object:
    page = new_page(1920, 1080)
    sign_in(page, url, name, PASSWORD)
    page.goto(url + "/")
    wait_for_maps_drawn(page, MAPS)
    return page


def click_point(page, graph: str, code: str) -> None:
    xy = page.evaluate(POINT_XY_JS, [graph, code])
    assert xy, f"{code} is not drawn on {graph}"
    page.mouse.move(xy["x"], xy["y"])
    page.mouse.click(xy["x"], xy["y"])


def a_lone_depot(store: Store) -> dict:
    """A village depot far from any other depot, so a click lands on it."""
    depots = store.read("depots")
    xy = depots.geometry.get_coordinates().to_numpy()
    gap = [((xy - p) ** 2).sum(axis=1) for p in xy]
    loneliest = max(range(len(xy)), key=lambda i: sorted(gap[i])[1])
    return store.records.get("depots", depots["code"].iloc[loneliest])


def test_a_planner_moves_a_depot_by_clicking_the_map_and_the_wall_follows(site, new_page):
    url, store = site
    depot = a_lone_depot(store)
    wall = new_page(1920, 1080)
    sign_in(wall, url)
    wall.goto(url + "/wall")
    wait_for_maps_drawn(wall, MAPS)
    before = wall.evaluate(POINT_AT_JS, ["map-materials", depot["code"]])
    assert before == pytest.approx([depot["geom"].x, depot["geom"].y], abs=1e-4)

    page = open_desk(new_page, url, "planner1")
    click_point(page, "map-materials", depot["code"])
    page.wait_for_selector(f"#details h3:has-text('{depot['name']}')", timeout=10_000)
    page.click("#details button:has-text('编辑')")
    page.wait_for_selector("#edit-save", timeout=10_000)
    page.screenshot(path=str(SHOTS / "1-form.png"))

    # Move it: pick on the map, click a place ~1.5 km away in the same township.
    target = (depot["geom"].x + 0.012, depot["geom"].y + 0.008)
    page.click("#edit-pick")
    page.wait_for_selector("#edit-pick-status:has-text('请在任一地图上点击')")
    xy = page.evaluate(LONLAT_XY_JS, ["map-materials", *target])
    page.mouse.click(xy["x"], xy["y"])
    lon = page.locator('[id=\'{"name":"lon","type":"edit-field"}\']')
    page.wait_for_function(
        "([el, lon]) => el.value !== '' && Math.abs(parseFloat(el.value) - lon) < 0.002",
        arg=[lon.element_handle(), target[0]],
        timeout=10_000,
    )
    # Edit its stock: 1,234 woven bags.
    bags = page.locator('[id=\'{"item":"woven_bag","type":"edit-stock"}\']')
    bags.fill("1,234")
    bags.press("Tab")
    page.screenshot(path=str(SHOTS / "2-moved-and-stocked.png"))
    picked = [float(lon.input_value()), float(page.locator(LAT).input_value())]
    # a click is as exact as a pixel: a few of them at this zoom
    pixel = page.evaluate(PIXEL_JS, "map-materials")
    assert picked == pytest.approx(target, abs=4 * pixel)
    page.click("#edit-save")
    page.wait_for_selector("#details .edit-done", timeout=10_000)
    page.screenshot(path=str(SHOTS / "3-saved.png"))
    saved = store.records.get("depots", depot["code"])
    assert saved["stock"]["woven_bag"] == 1234
    assert [saved["geom"].x, saved["geom"].y] == pytest.approx(picked, abs=1e-6)
    assert saved["updated_by"] == "planner1"
    (entry,) = store.records.history("depots", depot["code"])
    assert set(entry["changes"]) >= {"geom", "stock"}

    # The wall, untouched, shows the depot where it now is within a few polls.
    wall.wait_for_function(
        """([code, lon]) => {
          const gd = document.getElementById('map-materials').querySelector('.js-plotly-plot');
          for (const trace of gd._fullData) {
            const at = (trace.customdata || []).indexOf(code);
            if (at >= 0) return Math.abs(trace.lon[at] - lon) < 1e-5;
          }
          return false;
        }""",
        arg=[depot["code"], saved["geom"].x],
        timeout=(POLL_SECONDS * 5 + 10) * 1000,
    )
    wall.screenshot(path=str(SHOTS / "4-wall-after.png"))
    for p in (page, wall):
        assert p.console_errors == []
        assert outside_requests(p, url) == []


def test_a_viewer_finds_no_way_to_write(site, new_page):
    url, store = site
    depot = a_lone_depot(store)
    page = open_desk(new_page, url, "viewer1")
    assert page.locator("#edit-new").count() == 0
    click_point(page, "map-materials", depot["code"])
    page.wait_for_selector(f"#details h3:has-text('{depot['name']}')", timeout=10_000)
    buttons = page.locator("#details button").all_inner_texts()
    assert buttons == ["修改记录"]  # history only: no edit, no delete
    assert "viewer1（查看）" in page.inner_text("#signed-in-as")
    page.screenshot(path=str(SHOTS / "5-viewer.png"))


def test_a_name_that_looks_like_html_is_shown_as_text_everywhere(site, new_page):
    url, store = site
    planner = system_principal("tests")
    depot = a_lone_depot(store)
    saved = create_record(
        store,
        planner,
        "depots",
        {
            "code": "XSS-1",
            "name": XSS,
            "keeper": "<script>alert(2)</script>",
            "level": "village",
            "geom": {"type": "Point", "coordinates": [depot["geom"].x, depot["geom"].y + 0.006]},
            "township_code": depot["township_code"],
            "mobilise_level": 4,
        },
    ).record
    dialogs: list[str] = []
    page = open_desk(new_page, url, "planner1")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    click_point(page, "map-materials", saved["code"])
    page.wait_for_selector("#details h3", timeout=10_000)
    assert page.inner_text("#details h3") == XSS
    assert "<script>alert(2)</script>" in page.inner_text("#details")
    page.click("#details button:has-text('编辑')")
    page.wait_for_selector("#edit-save")
    assert page.locator('[id=\'{"name":"name","type":"edit-field"}\']').input_value() == XSS
    page.click("#edit-cancel")
    wall = new_page(1920, 1080)
    wall.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(wall, url)
    wall.goto(url + "/wall")
    wait_for_maps_drawn(wall, MAPS)
    xy = page.evaluate(POINT_XY_JS, ["map-materials", "XSS-1"])
    page.mouse.move(xy["x"], xy["y"])
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "6-xss-hover.png"))
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0 and wall.locator("img[src=x]").count() == 0
    assert page.console_errors == [] and wall.console_errors == []


def test_a_duty_officer_raises_the_response_and_the_banner_follows(site, new_page):
    url, store = site
    page = open_desk(new_page, url, "officer1")
    assert page.locator("#edit-new").count() == 1  # may declare responses and warnings
    page.click("#response-edit")
    page.wait_for_selector("#edit-save", timeout=10_000)
    level = page.locator('[id=\'{"name":"level","type":"edit-field"}\']')
    level.click()
    page.click(".dash-dropdown-option:has-text('Ⅱ级'), [role=option]:has-text('Ⅱ级')")
    page.click("#edit-save")
    page.wait_for_selector("#details .edit-done", timeout=10_000)
    page.wait_for_selector("#response-banner .response-2", timeout=(POLL_SECONDS * 5 + 10) * 1000)
    page.screenshot(path=str(SHOTS / "7-response-raised.png"))
    assert store.current_activation()["level"] == 2
    assert page.console_errors == []
