"""One map, one table, one list in headless Chromium: the table beside the forces map.

A row click centres the forces map on the team; a box drawn on the map lists only the
teams inside it; sorting and the column filters work in the browser; the export holds
the rows shown. Screenshots go to ``test-output/record-tables/``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from store import Store
from tests.browser.conftest import ROOT, outside_requests, run_server, sign_in, wait_for_maps_drawn

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
SHOTS = ROOT / "test-output" / "record-tables"
ROWS = "#forces-table .ag-center-cols-container .ag-row"
API = "dash_ag_grid.getApi('forces-table')"
COUNT = f"{API}.getDisplayedRowCount()"
CENTRE_JS = """() => {
  const gd = document.querySelector('#map-forces .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const c = m.getCenter();
  return {lon: c.lng, lat: c.lat, zoom: m.getZoom(),
          ringed: gd.data.some((t) => t.name === '__table_pick__')};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    db = tmp_path_factory.mktemp("records") / "fourmaps.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{db}", "FOURMAPS_POLL_SECONDS": "2"}
    with run_server(env, log_dir=tmp_path_factory.mktemp("logs")) as url:
        store = Store(f"sqlite:///{db}")
        yield url, store
        store.engine.dispose()


def displayed(page) -> list[dict]:
    """The rows the grid displays (after its filter and sort), in order."""
    return page.evaluate(
        f"() => {{ const out = []; {API}.forEachNodeAfterFilterAndSort("
        "(n) => out.push(n.data)); return out; }"
    )


def box_select(page, graph: str, x0: float, y0: float, x1: float, y1: float) -> None:
    """Draw a box on a map, in fractions of its size, as a mouse would."""
    page.evaluate(
        f"() => Plotly.relayout(document.querySelector('#{graph} .js-plotly-plot'),"
        " {dragmode: 'select'})"
    )
    box = page.locator(f"#{graph} .js-plotly-plot").bounding_box()
    ax, ay = box["x"] + box["width"] * x0, box["y"] + box["height"] * y0
    bx, by = box["x"] + box["width"] * x1, box["y"] + box["height"] * y1
    page.mouse.move(ax, ay)
    page.mouse.down()
    page.mouse.move((ax + bx) / 2, (ay + by) / 2, steps=5)
    page.mouse.move(bx, by, steps=5)
    page.mouse.up()


def test_the_forces_table_centres_its_map_and_a_box_on_the_map_filters_it(site, new_page):
    url, store = site
    forces = store.read("forces").set_index("code")
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/?level=all")
    wait_for_maps_drawn(page, MAPS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "first-screen.png"))  # the maps still fill 1920x1080
    page.locator("#forces-records").scroll_into_view_if_needed()
    page.wait_for_selector(ROWS + "[row-id]", timeout=30_000)
    assert page.evaluate(COUNT) == len(forces)
    heads = page.locator("#forces-table .ag-header-cell-text").all_inner_texts()
    assert heads[:4] == ["编号", "名称", "队伍类型", "所属乡镇"]
    assert "人数" in heads and "电话" in heads  # signed in: the leader and the phone
    for kind in ("materials", "command"):
        assert page.locator(f"#{kind}-table .ag-row[row-id]").count() > 0
    page.screenshot(path=str(SHOTS / "tables.png"), full_page=True)

    # Sorting and a column filter, in the browser.
    page.evaluate(
        f"() => {API}.applyColumnState({{state: [{{colId: 'headcount', sort: 'desc'}}]}})"
    )
    rows = displayed(page)
    assert rows[0]["headcount"] == forces["headcount"].max()
    assert [r["headcount"] for r in rows] == sorted((r["headcount"] for r in rows), reverse=True)
    page.evaluate(
        f"() => {API}.setFilterModel({{status: {{filterType: 'text', type: 'contains',"
        " filter: '已出动'}})"
    )
    page.wait_for_function(f"() => {COUNT} === {int((forces['status'] == 'deployed').sum())}")
    page.wait_for_selector("#forces-table-count:has-text('" + str(len(displayed(page))) + "')")
    # The export holds the rows shown, in the order shown.
    with page.expect_download() as download:
        page.click("#forces-table-export")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = [[c.value for c in r] for r in book.active.iter_rows()]
    assert [r[0] for r in cells[1:]] == [r["code"] for r in displayed(page)]
    assert cells[0][:2] == ["编号", "名称"] and "电话" in cells[0]
    page.evaluate(f"() => {API}.setFilterModel(null)")
    page.wait_for_function(f"() => {COUNT} === {len(forces)}")

    # A row click: the forces map centres on the team, zoomed in, with a ring on it.
    target = displayed(page)[5]["code"]
    page.locator(f"{ROWS}[row-id='{target}']").scroll_into_view_if_needed()
    page.click(f"{ROWS}[row-id='{target}'] .ag-cell[col-id='township']")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#map-forces .js-plotly-plot');"
        " return gd.data.some((t) => t.name === '__table_pick__'); }",
        timeout=10_000,
    )
    wait_for_maps_drawn(page, ["map-forces"])
    centre = page.evaluate(CENTRE_JS)
    point = forces.loc[target].geom
    assert abs(centre["lon"] - point.x) < 1e-3 and abs(centre["lat"] - point.y) < 1e-3
    assert centre["zoom"] >= 12.9 and centre["ringed"]
    page.locator("#map-forces").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "row-centred.png"))

    # Back to the whole district; a box drawn on the map lists only the teams inside.
    page.goto(url + "/?level=all")
    wait_for_maps_drawn(page, MAPS)
    box_select(page, "map-forces", 0.30, 0.30, 0.65, 0.70)
    page.wait_for_selector("#forces-table-picked-note:has-text('框选了')", timeout=10_000)
    note = page.locator("#forces-table-picked-note").inner_text()
    picked = int("".join(ch for ch in note if ch.isdigit()))
    assert 0 < picked < len(forces)
    page.wait_for_function(f"() => {COUNT} === {picked}", timeout=10_000)
    listed = {r["code"] for r in displayed(page)}
    selected = page.evaluate(
        "() => document.querySelector('#map-forces .js-plotly-plot').data"
        ".flatMap((t) => (t.selectedpoints || []).map((i) => (t.customdata || [])[i]))"
    )
    # (a box also selects the township outlines it crosses: they are no records)
    assert listed == {s for s in selected if s and not s.startswith("outline:")}
    page.locator("#forces-records").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "box-picked.png"))
    # the other tables are not touched by the forces map's pick
    assert page.evaluate("() => dash_ag_grid.getApi('materials-table').getDisplayedRowCount()") > (
        0
    )
    page.click("#forces-table-clear")
    page.wait_for_function(f"() => {COUNT} === {len(forces)}", timeout=10_000)
    assert page.console_errors == []
    assert outside_requests(page, url) == []


def test_english_headers_on_the_desk_and_no_tables_on_the_wall(site, new_page):
    url, _store = site
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/?lang=en&level=all")
    wait_for_maps_drawn(page, MAPS)
    page.locator("#command-records").scroll_into_view_if_needed()
    page.wait_for_selector("#command-table .ag-row[row-id]", timeout=30_000)
    heads = page.locator("#command-table .ag-header-cell-text").all_inner_texts()
    assert heads[:4] == ["Code", "Name", "Level", "Township"] and "Duty officer" in heads
    page.screenshot(path=str(SHOTS / "english.png"))
    page.goto(url + "/wall")
    wait_for_maps_drawn(page, MAPS)
    assert page.locator(".record-tables, .ag-root").count() == 0
    page.screenshot(path=str(SHOTS / "wall.png"))
    assert page.console_errors == []


def test_a_change_to_a_team_reaches_its_row_on_the_next_poll(site, new_page):
    url, store = site
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/?level=all")
    wait_for_maps_drawn(page, MAPS)
    page.wait_for_selector(ROWS + "[row-id]", timeout=30_000)
    code = displayed(page)[0]["code"]
    record = store.records.get("forces", code)
    store.records.update("forces", code, {"headcount": 987}, record["version"], "tests")
    page.wait_for_function(
        f"() => {API}.getRowNode('{code}').data.headcount === 987", timeout=15_000
    )
    assert page.console_errors == []
