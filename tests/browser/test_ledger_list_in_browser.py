"""One map, one table, one list in headless Chromium: the table beside the risk map
(opened by the button on the map's title, right of the map on the same row).

A row click centres the risk map on its point; a box drawn on the map lists only
the points inside it; sorting asks the server again. Screenshots go to
``test-output/ledger/``.
"""

from __future__ import annotations

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
SHOTS = ROOT / "test-output" / "ledger"
ROWS = "#risk-table .ag-center-cols-container .ag-row"

# How many rows the grid holds (the server's count; it draws only those in view).
COUNT = "dash_ag_grid.getApi('risk-table').getDisplayedRowCount()"
CENTRE_JS = centre_js("risk")


def rows_shown(page) -> list[dict]:
    """The rows the grid has drawn: their code and cells, in order."""
    return page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel))
             .sort((a, b) => +a.getAttribute('row-index') - +b.getAttribute('row-index'))
             .map((r) => ({id: r.getAttribute('row-id'),
                           cells: Array.from(r.querySelectorAll('.ag-cell'))
                                       .map((c) => c.innerText)}))""",
        ROWS,
    )


def test_a_row_click_centres_the_map_and_a_box_on_the_map_filters_the_table(desk_site, new_page):
    url, store = desk_site
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/")
    wait_for_maps_drawn(page, MAPS)
    open_table(page, "risk")
    map_box = page.locator("#map-risk").bounding_box()
    grid_box = page.locator("#risk-table .ag-root-wrapper").bounding_box()
    assert grid_box["x"] >= map_box["x"] + map_box["width"]  # beside the risk map
    assert grid_box["y"] < map_box["y"] + map_box["height"] <= 1080
    first = rows_shown(page)
    codes = [r["id"] for r in first]
    assert len(codes) >= 6 and all(c.startswith("RISK-") for c in codes)
    assert page.locator("#risk-table .ag-header-cell-text").first.inner_text() == "编号"
    assert "排查隐患" in page.locator("#risk-table-figures").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "table.png"))

    # A row click: the map centres on that point, zoomed in, with a ring on it.
    risk = store.read("risk_points").set_index("code")
    target = codes[3]
    page.click(f"{ROWS}[row-id='{target}'] .ag-cell[col-id='name']")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#map-risk .js-plotly-plot');"
        " return gd.data.some((t) => t.name === '__table_pick__'); }",
        timeout=10_000,
    )
    wait_for_maps_drawn(page, ["map-risk"])
    centre = page.evaluate(CENTRE_JS)
    point = risk.loc[target].geom
    assert abs(centre["lon"] - point.x) < 1e-3 and abs(centre["lat"] - point.y) < 1e-3
    assert centre["zoom"] >= 12.9 and centre["ringed"]
    page.screenshot(path=str(SHOTS / "row-centred.png"))

    # Back to the whole district; a box drawn on the map lists only the points inside.
    page.goto(url + "/")
    wait_for_maps_drawn(page, MAPS)
    open_table(page, "risk")
    wait_for_maps_drawn(page, MAPS)
    box_select(page, "map-risk", 0.30, 0.30, 0.65, 0.70)
    page.wait_for_selector("#risk-table-picked-note:has-text('框选了')", timeout=10_000)
    note = page.locator("#risk-table-picked-note").inner_text()
    picked = int("".join(ch for ch in note if ch.isdigit()))
    assert 0 < picked < len(risk)
    page.wait_for_function(f"() => {COUNT} === {picked}", timeout=10_000)
    page.screenshot(path=str(SHOTS / "box-picked.png"))
    listed = {r["id"] for r in rows_shown(page)}
    assert 0 < len(listed) <= picked
    # every listed point lies inside the box the map selected
    selected = page.evaluate(
        "() => document.querySelector('#map-risk .js-plotly-plot').data"
        ".flatMap((t) => (t.selectedpoints || []).map((i) => (t.customdata || [])[i]))"
    )
    assert listed <= set(selected) | {None}

    # Clearing the pick lists every row again.
    page.click("#risk-table-clear")
    page.wait_for_function(f"() => {COUNT} === {len(risk)}", timeout=10_000)
    assert page.console_errors == []
    assert outside_requests(page, url) == []


def test_an_officer_reports_an_overdue_item_rectified_from_the_list(desk_site, new_page):
    url, _store = desk_site
    page = new_page(1920, 1080)
    sign_in(page, url)  # the first admin: may take ledger steps
    page.goto(url + "/")
    wait_for_maps_drawn(page, MAPS)
    open_table(page, "risk")
    page.check("#risk-table-flags input[value='overdue']")
    page.wait_for_function(f"() => {COUNT} === 3", timeout=10_000)
    page.wait_for_selector(ROWS + "[row-id]")
    code = rows_shown(page)[0]["id"]
    page.click(f"{ROWS}[row-id='{code}'] .ag-cell[col-id='name']")
    page.wait_for_selector(f"#ledger-item h3:has-text('{code}')", timeout=10_000)
    assert "整改状态" in page.locator("#ledger-item").inner_text()
    page.fill("#ledger-step-measures", "清淤疏通，加固堤脚")
    page.fill("#ledger-step-note", "已按期整改，请验收")
    page.click("#ledger-step-go")
    page.wait_for_selector(f"#ledger-step-result:has-text('{code}：已整改待验收')", timeout=10_000)
    # the item's steps say who did it; the list (on the next poll) no longer holds it
    page.wait_for_selector("#ledger-item .ledger-steps li:has-text('admin')", timeout=10_000)
    page.wait_for_function(f"() => {COUNT} === 2", timeout=15_000)
    page.locator("#ledger-item").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "step-done.png"))
    assert page.console_errors == []
