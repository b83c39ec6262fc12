"""One map, one table, one list in headless Chromium: the table beside the forces map.

The table opens beside its map, in the same panel row, both on a 1920x1080 screen; its
headers are whole and the grid's own words (filter menu, "no rows") are Chinese.

A row click centres the forces map on the team; a box drawn on the map lists only the
teams inside it; sorting and the column filters work in the browser; the export holds
the rows shown. Screenshots go to ``test-output/record-tables/``.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from tests.browser.conftest import (
    ROOT,
    box_select,
    centre_js,
    open_table,
    outside_requests,
    sign_in,
    wait_for_maps_drawn,
)

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
SHOTS = ROOT / "test-output" / "record-tables"
ROWS = "#forces-table .ag-center-cols-container .ag-row"
API = "dash_ag_grid.getApi('forces-table')"
COUNT = f"{API}.getDisplayedRowCount()"
CENTRE_JS = centre_js("forces")


def headers(page, kind: str) -> list[str]:
    """Every column's header, drawn or scrolled out of the table's width."""
    return page.evaluate(
        f"() => dash_ag_grid.getApi('{kind}-table').getAllDisplayedColumns()"
        ".map((c) => c.getColDef().headerName)"
    )


CUT_JS = """async (kind) => {
  const api = dash_ag_grid.getApi(kind + '-table');
  const cut = [];
  for (const col of api.getAllDisplayedColumns()) {
    api.ensureColumnVisible(col);
    await new Promise((r) => setTimeout(r, 100));
    const el = document.querySelector(
      `#${kind}-table .ag-header-cell[col-id="${col.getColId()}"] .ag-header-cell-text`);
    if (!el || el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      cut.push(col.getColId());
    }
  }
  api.ensureIndexVisible(0);
  api.ensureColumnVisible(api.getAllDisplayedColumns()[1]);
  return cut;
}"""


def cut_headers(page, kind: str) -> list[str]:
    """The columns of a table whose header is cut off (each scrolled into view in turn)."""
    return page.evaluate(CUT_JS, kind)


def beside(page, kind: str) -> tuple[dict, dict]:
    """The bounding boxes of map ``kind`` and of its table's grid."""
    return (
        page.locator(f"#map-{kind}").bounding_box(),
        page.locator(f"#{kind}-table .ag-root-wrapper").bounding_box(),
    )


def displayed(page) -> list[dict]:
    """The rows the grid displays (after its filter and sort), in order."""
    return page.evaluate(
        f"() => {{ const out = []; {API}.forEachNodeAfterFilterAndSort("
        "(n) => out.push(n.data)); return out; }"
    )


def test_the_forces_table_centres_its_map_and_a_box_on_the_map_filters_it(desk_site, new_page):
    url, store = desk_site
    forces = store.read("forces").set_index("code")
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/?level=all")
    wait_for_maps_drawn(page, MAPS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "first-screen.png"))  # the four maps fill 1920x1080
    assert page.locator("#forces-table-panel").is_hidden()
    open_table(page, "forces")
    wait_for_maps_drawn(page, MAPS)
    assert page.evaluate(COUNT) == len(forces)
    # The table is beside its map: right of it, on the same row, both whole on the screen.
    map_box, table_box = beside(page, "forces")
    assert table_box["x"] >= map_box["x"] + map_box["width"]
    assert abs(table_box["y"] - map_box["y"]) < 120 and map_box["width"] >= 700
    for box in (map_box, table_box):
        assert box["y"] >= 0 and box["y"] + box["height"] <= 1080
        assert box["x"] + box["width"] <= 1920
    page.screenshot(path=str(SHOTS / "forces-beside.png"))
    heads = headers(page, "forces")
    assert heads[:4] == ["编号", "名称", "队伍类型", "所属乡镇"]
    assert "人数" in heads and "电话" in heads  # signed in: the leader and the phone
    assert cut_headers(page, "forces") == []  # every header whole
    for kind in ("materials", "command"):  # closed tables were sent no rows
        assert page.locator(f"#{kind}-table .ag-row[row-id]").count() == 0
    page.screenshot(path=str(SHOTS / "tables.png"), full_page=True)

    # The grid's own words are Chinese: its filter menu, and "no rows".
    page.click("#forces-table .ag-header-cell[col-id='name'] .ag-header-cell-filter-button")
    page.wait_for_selector(".ag-filter", timeout=10_000)
    menu = page.locator(".ag-filter").first
    words = (
        menu.inner_text()
        + " "
        + " ".join(
            menu.locator("input").evaluate_all("(els) => els.map((e) => e.placeholder || '')")
        )
    )
    assert "包含" in words and "筛选" in words and "Contains" not in words
    page.screenshot(path=str(SHOTS / "filter-menu.png"))
    page.keyboard.press("Escape")
    page.evaluate(
        f"() => {API}.setFilterModel({{name: {{filterType: 'text', type: 'contains',"
        " filter: '没有这样的队伍'}})"
    )
    empty = "#forces-table .ag-overlay:has-text('没有符合筛选的记录')"
    page.wait_for_selector(empty, timeout=10_000)
    page.evaluate(f"() => {API}.setFilterModel(null)")

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
    page.screenshot(path=str(SHOTS / "row-centred.png"))

    # Back to the whole district; a box drawn on the map lists only the teams inside.
    page.goto(url + "/?level=all")
    wait_for_maps_drawn(page, MAPS)
    open_table(page, "forces")
    open_table(page, "materials")  # opening a table fetches its rows
    wait_for_maps_drawn(page, MAPS)
    depots = "() => dash_ag_grid.getApi('materials-table').getDisplayedRowCount()"
    depots_listed = page.evaluate(depots)
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
    page.screenshot(path=str(SHOTS / "box-picked.png"))
    # the other tables are not touched by the forces map's pick
    assert page.evaluate(depots) == depots_listed
    page.click("#forces-table-clear")
    page.wait_for_function(f"() => {COUNT} === {len(forces)}", timeout=10_000)
    assert page.console_errors == []
    assert outside_requests(page, url) == []


def test_english_headers_on_the_desk_and_no_tables_on_the_wall(desk_site, new_page):
    url, _store = desk_site
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/?lang=en&level=all")
    wait_for_maps_drawn(page, MAPS)
    open_table(page, "command")
    wait_for_maps_drawn(page, MAPS)
    map_box, table_box = beside(page, "command")
    assert table_box["x"] >= map_box["x"] + map_box["width"] and table_box["y"] < 1080
    heads = headers(page, "command")
    assert cut_headers(page, "command") == []
    page.reload()  # the tab remembers the open table
    wait_for_maps_drawn(page, MAPS)
    page.wait_for_selector("#command-card.with-table #command-table .ag-row[row-id]")
    assert page.locator("#forces-card.with-table").count() == 0
    assert heads[:4] == ["Code", "Name", "Level", "Township"] and "Duty officer" in heads
    page.screenshot(path=str(SHOTS / "english.png"))
    page.goto(url + "/wall")
    wait_for_maps_drawn(page, MAPS)
    assert page.locator(".map-table, .table-toggle, .ag-root").count() == 0
    page.screenshot(path=str(SHOTS / "wall.png"))
    assert page.console_errors == []


def test_a_change_to_a_team_reaches_its_row_on_the_next_poll(desk_site, new_page):
    url, store = desk_site
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/?level=all")
    wait_for_maps_drawn(page, MAPS)
    open_table(page, "forces")
    code = displayed(page)[0]["code"]
    record = store.records.get("forces", code)
    store.records.update("forces", code, {"headcount": 987}, record["version"], "tests")
    page.wait_for_function(
        f"() => {API}.getRowNode('{code}').data.headcount === 987", timeout=15_000
    )
    assert page.console_errors == []
