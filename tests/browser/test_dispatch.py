"""A duty officer's dispatch in headless Chromium: incident, proposal, confirm, log, sheet.

Screenshots go to ``test-output/dispatch/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auth import system_principal
from auth.accounts import add_user
from dispatch.orders import close_incident
from store import Store
from tests.browser.conftest import (
    ROOT,
    outside_requests,
    record,
    run_server,
    sign_in,
    wait_for_maps_drawn,
)

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
SHOTS = ROOT / "test-output" / "dispatch"
PASSWORD = "browser officer password"


def field(name: str) -> str:
    return f'[id=\'{{"name":"{name}","type":"edit-field"}}\']'


def amount(item: str) -> str:
    return f'[id=\'{{"item":"{item}","type":"edit-stock"}}\']'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    db = tmp_path_factory.mktemp("dispatch") / "fourmaps.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{db}", "FOURMAPS_POLL_SECONDS": "2"}
    with run_server(env, log_dir=tmp_path_factory.mktemp("logs")) as url:
        store = Store(f"sqlite:///{db}")
        add_user(store, system_principal("tests"), "officer1", "duty_officer", PASSWORD)
        yield url, store
        store.engine.dispose()


def test_an_officer_opens_an_incident_and_dispatches_the_proposal(site, new_page):
    url, store = site
    page = new_page(1920, 1080)
    sign_in(page, url, "officer1", PASSWORD)
    page.goto(url + "/")
    wait_for_maps_drawn(page, MAPS)
    page.click("#edit-new")
    page.click("[role=option]:has-text('新建突发事件')")
    page.wait_for_selector("#edit-save")
    page.locator(field("type")).click()
    page.click("[role=option]:has-text('管涌渗漏')")
    page.fill(field("lon"), "东经112°12′")
    page.fill(field("lat"), "北纬30°21′36″")
    page.fill(amount("woven_bag"), "2000")
    page.fill(amount("force:flood_team"), "40")
    page.fill(amount("boats"), "2")
    page.click("#edit-save")
    page.wait_for_selector("#details .edit-done", timeout=15_000)
    (code,) = store.read("incidents")["code"]
    page.click("#details button:has-text('处置建议与调度')")
    page.wait_for_selector("#dispatch-confirm", timeout=20_000)
    page.screenshot(path=str(SHOTS / "1-proposal.png"))
    text = page.inner_text("#details")
    assert "按道路行程时间排序" in text and "指挥链" in text and "所需均可满足" in text
    before = store.read("depot_stock").set_index(["depot_code", "item_code"])["quantity"]
    page.click("#dispatch-confirm")
    page.wait_for_selector("#dispatch-result .edit-done", timeout=20_000)
    assert page.is_disabled("#dispatch-confirm")  # a second click cannot dispatch again
    page.screenshot(path=str(SHOTS / "2-dispatched.png"))
    orders = store.read("dispatch_orders")
    bags = orders[orders["item_code"] == "woven_bag"]
    assert bags["quantity"].sum() == 2000
    after = store.read("depot_stock").set_index(["depot_code", "item_code"])["quantity"]
    for row in bags.itertuples():
        assert (
            after[(row.depot_code, "woven_bag")]
            == before[(row.depot_code, "woven_bag")] - row.quantity
        )
    deployed = store.read("forces").set_index("code").loc[orders["force_code"].dropna(), "status"]
    assert (deployed == "deployed").all() and len(deployed) >= 1
    page.click("#dispatch-result button:has-text('调度记录')")
    page.wait_for_selector("#details ol.history", timeout=10_000)
    page.click("#details button:has-text('出发')")
    page.wait_for_selector("#details :text('在途')", timeout=10_000)
    page.screenshot(path=str(SHOTS / "3-log.png"))
    sheet = record(page.context.new_page())
    sheet.goto(f"{url}/incidents/{code}/sheet")
    assert sheet.locator("svg circle").count() >= 2
    assert "调度单" in sheet.inner_text("h1") and "平洲街道" in sheet.inner_text("body")
    sheet.screenshot(path=str(SHOTS / "4-sheet.png"), full_page=True)
    assert page.console_errors == []
    assert outside_requests(page, url) == [] and outside_requests(sheet, url) == []


LONLAT_XY_JS = """([id, lon, lat]) => {
  const map = document.getElementById(id).querySelector('.js-plotly-plot')._fullLayout.map
    ._subplot.map;
  const p = map.project([lon, lat]);
  const box = map.getCanvas().getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""


def test_an_officer_draws_a_flooded_area_and_sees_what_it_holds(site, new_page):
    url, store = site
    page = new_page(1920, 1080)
    sign_in(page, url, "officer1", PASSWORD)
    page.goto(url + "/")
    wait_for_maps_drawn(page, MAPS)
    page.click("#edit-new")
    page.click("[role=option]:has-text('划定危险区域')")
    page.wait_for_selector("#edit-save")
    page.fill(field("code"), "FLOOD-BROWSER")
    page.fill(field("name"), "城区低洼淹没区")
    page.click("#edit-draw")
    corners = [(112.17, 30.33), (112.23, 30.33), (112.23, 30.38), (112.17, 30.38)]
    for lon, lat in corners[:-1]:
        xy = page.evaluate(LONLAT_XY_JS, ["map-risk", lon, lat])
        page.mouse.click(xy["x"], xy["y"])
    xy = page.evaluate(LONLAT_XY_JS, ["map-risk", *corners[-1]])
    page.mouse.dblclick(xy["x"], xy["y"])
    page.wait_for_function(
        "(el) => el.value.split('\\n').length === 4",
        arg=page.locator(field("area")).element_handle(),
    )
    page.screenshot(path=str(SHOTS / "5-drawn.png"))
    page.click("#edit-save")
    page.wait_for_selector("#details :text('区域内')", timeout=15_000)
    page.screenshot(path=str(SHOTS / "6-inside.png"))
    area = store.records.get("hazard_areas", "FLOOD-BROWSER")
    assert area["updated_by"] == "officer1"
    west, south, east, north = area["geom"].bounds
    assert (west, south, east, north) == pytest.approx((112.17, 30.33, 112.23, 30.38), abs=0.003)
    risk = store.read("risk_points")
    inside = risk[risk.geometry.intersects(area["geom"])]
    assert f"风险隐患点 {len(inside)} 个" in page.inner_text("#details")
    assert page.console_errors == []


TRACE_POINTS_JS = """([id, meta]) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  const full = gd._fullData.find((t) => t.meta === meta);
  return full && full.lon ? full.lon.filter((v) => v !== null && v !== undefined).length : 0;
}"""


def test_the_wall_shows_the_incident_and_what_was_sent_until_it_closes(site, new_page):
    """After the first test's dispatch: the wall, untouched, draws and then drops it."""
    url, store = site
    (code,) = store.read("incidents", where={"status": "open"})["code"]
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/wall")
    wait_for_maps_drawn(page, MAPS)
    page.screenshot(path=str(SHOTS / "7-wall-incident.png"))
    for graph_id in MAPS:
        assert page.evaluate(TRACE_POINTS_JS, [graph_id, "incidents"]) == 1, graph_id
    orders = store.read("dispatch_orders")
    for graph_id, kind in (("map-materials", "depot_code"), ("map-forces", "force_code")):
        sent = orders[kind].dropna().nunique()
        assert sent >= 1
        # One line (two ends) per depot or team sent, from it to the incident.
        assert page.evaluate(TRACE_POINTS_JS, [graph_id, "dispatch"]) == 2 * sent, graph_id
    close_incident(store, system_principal("tests"), code)
    page.wait_for_function(f"({TRACE_POINTS_JS})(['map-risk', 'incidents']) === 0", timeout=20_000)
    assert page.evaluate(TRACE_POINTS_JS, ["map-materials", "dispatch"]) == 0
    assert page.console_errors == []
