"""The tables beside the materials, forces and command maps, as a browser (or a
hand-made POST) reaches their callbacks: rows for the desk's filter and the map's pick,
and the export of the codes the grid shows, never to someone signed out."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook

from dashboard.maps import filter_data
from layers import Filter

DASH = "/_dash-update-component"


def rows_request(
    kind: str, flt: Filter, picked: dict | None = None, lang: str = "zh", opened: str = "true"
) -> dict:
    return {
        "output": f"..{kind}-table.rowData...{kind}-table-revs.data..",
        "outputs": [
            {"id": f"{kind}-table", "property": "rowData"},
            {"id": f"{kind}-table-revs", "property": "data"},
        ],
        "inputs": [
            {"id": "filter", "property": "data", "value": filter_data(flt)},
            {"id": "data-revisions", "property": "data", "value": {}},
            {"id": f"{kind}-table-picked", "property": "data", "value": picked},
            {"id": f"{kind}-table-toggle", "property": "aria-expanded", "value": opened},
        ],
        "changedPropIds": ["filter.data"],
        "state": [
            {"id": f"{kind}-table-revs", "property": "data", "value": None},
            {"id": "lang", "property": "data", "value": lang},
        ],
    }


def test_rows_for_the_filter_and_the_pick_over_http(site):
    forces = site.store.read("forces")
    town = forces["township_code"].iloc[0]
    got = site.client("viewer").post(DASH, json=rows_request("forces", Filter.of([town])))
    assert got.status_code == 200, got.data[:300]
    rows = got.json["response"]["forces-table"]["rowData"]
    assert len(rows) == int((forces["township_code"] == town).sum())
    assert {"code", "headcount", "status", "leader", "leader_phone", "lon", "lat"} <= set(rows[0])
    codes = sorted(forces["code"].iloc[[1, 7]])
    got = site.client("viewer").post(
        DASH, json=rows_request("command", Filter.of(), {"codes": ["nope"]}, "en")
    )
    assert got.json["response"]["command-table"]["rowData"] == []
    picked = rows_request("forces", Filter.of(), {"codes": codes})
    got = site.client("viewer").post(DASH, json=picked)
    assert sorted(r["code"] for r in got.json["response"]["forces-table"]["rowData"]) == codes
    assert site.client(None).post(DASH, json=picked).status_code == 401


def test_a_closed_table_is_sent_no_rows(site):
    closed = rows_request("forces", Filter.of(), opened="false")
    got = site.client("viewer").post(DASH, json=closed)
    assert got.status_code == 204  # nothing to draw: the rows come when it is opened


def test_the_export_writes_the_codes_the_grid_shows(site):
    depots = site.store.read("depots")
    shown = list(depots["code"].iloc[[9, 2, 4]])
    body = {
        "output": "materials-table-download.data",
        "outputs": {"id": "materials-table-download", "property": "data"},
        "inputs": [{"id": "materials-table-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["materials-table-export.n_clicks"],
        "state": [
            {"id": "materials-table-shown", "property": "data", "value": shown},
            {"id": "filter", "property": "data", "value": filter_data(Filter.of())},
            {"id": "materials-table-picked", "property": "data", "value": None},
            {"id": "lang", "property": "data", "value": "en"},
        ],
    }
    got = site.client("viewer").post(DASH, json=body)
    assert got.status_code == 200, got.data[:300]
    sent = got.json["response"]["materials-table-download"]["data"]
    assert sent["filename"].startswith("materials-") and sent["filename"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(base64.b64decode(sent["content"])), read_only=True)
    cells = list(book.active.values)
    assert cells[0][:2] == ("Code", "Name") and "Keeper" in cells[0]
    assert [r[0] for r in cells[1:]] == shown
    assert site.client(None).post(DASH, json=body).status_code == 401
