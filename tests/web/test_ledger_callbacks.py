"""The table beside the risk map, as the grid's requests reach the server: each page is
filtered, sorted, counted and cut by the database, with the desk's filter and the map's
pick; the export writes the rows the table selects."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook

from dashboard.maps import filter_data
from layers import Filter

DASH = "/_dash-update-component"


def rows_request(request: dict, flt: Filter | None = None, picked: dict | None = None,
                 statuses: list | None = None, flags: list | None = None,
                 lang: str = "zh") -> dict:  # fmt: skip
    return {
        "output": "risk-table.getRowsResponse",
        "outputs": {"id": "risk-table", "property": "getRowsResponse"},
        "inputs": [{"id": "risk-table", "property": "getRowsRequest", "value": request}],
        "changedPropIds": ["risk-table.getRowsRequest"],
        "state": [
            {"id": "filter", "property": "data", "value": filter_data(flt or Filter.of())},
            {"id": "risk-table-picked", "property": "data", "value": picked},
            {"id": "risk-table-status", "property": "value", "value": statuses or []},
            {"id": "risk-table-flags", "property": "value", "value": flags or []},
            {"id": "lang", "property": "data", "value": lang},
        ],
    }


def page(site, role: str = "viewer", **kw) -> dict:
    got = site.client(role).post(DASH, json=rows_request(**kw))
    assert got.status_code == 200, got.data[:300]
    return got.json["response"]["risk-table"]["getRowsResponse"]


def test_pages_of_the_grid_come_from_the_server(site):
    first = page(site, request={"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}})
    assert first["rowCount"] == 107 and len(first["rowData"]) == 100  # every risk point
    row = first["rowData"][0]
    assert {"code", "name", "township", "grade", "status", "deadline", "lon", "lat"} <= set(row)
    rest = page(site, request={"startRow": 100, "endRow": 200})
    assert len(rest["rowData"]) == 7
    assert not {r["code"] for r in rest["rowData"]} & {r["code"] for r in first["rowData"]}


def test_sorting_text_filters_the_desk_filter_and_the_map_pick(site):
    by_grade = page(site, request={"startRow": 0, "endRow": 10,
                                   "sortModel": [{"colId": "grade", "sort": "asc"}]})  # fmt: skip
    assert [r["grade"] for r in by_grade["rowData"][:7]] == ["重大风险"] * 7
    text = page(site, request={"startRow": 0, "endRow": 100, "filterModel": {
        "name": {"filterType": "text", "type": "contains", "filter": "堤"}}})  # fmt: skip
    assert text["rowCount"] > 0 and all("堤" in r["name"] for r in text["rowData"])
    town = site.store.read("townships")["code"].iloc[0]
    one = page(site, request={"startRow": 0, "endRow": 100}, flt=Filter.of([town]))
    risk = site.store.read("risk_points")
    assert one["rowCount"] == int((risk["township_code"] == town).sum())
    picked = sorted(risk["code"].iloc[[3, 9, 27]])
    got = page(site, request={"startRow": 0, "endRow": 100}, picked={"codes": picked})
    assert sorted(r["code"] for r in got["rowData"]) == picked
    late = page(site, request={"startRow": 0, "endRow": 100}, flags=["overdue"])
    assert late["rowCount"] == 3 and {r["overdue"] for r in late["rowData"]} == {"是"}
    majors = page(site, request={"startRow": 0, "endRow": 100}, flt=Filter.of(grades=["major"]))
    assert majors["rowCount"] == 7
    english = page(site, request={"startRow": 0, "endRow": 5}, lang="en")
    assert english["rowData"][0]["kind"] in ("Risk source", "Hidden danger")


def test_nobody_signed_in_gets_no_page(site):
    got = site.client(None).post(DASH, json=rows_request({"startRow": 0, "endRow": 10}))
    assert got.status_code == 401


def test_the_export_writes_the_rows_the_table_selects(site):
    body = {
        "output": "risk-table-download.data",
        "outputs": {"id": "risk-table-download", "property": "data"},
        "inputs": [{"id": "risk-table-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["risk-table-export.n_clicks"],
        "state": [
            {"id": "filter", "property": "data", "value": filter_data(Filter.of())},
            {"id": "risk-table-picked", "property": "data", "value": None},
            {"id": "risk-table-status", "property": "value", "value": ["rectified"]},
            {"id": "risk-table-flags", "property": "value", "value": []},
            {"id": "risk-table", "property": "getRowsRequest", "value": None},
            {"id": "lang", "property": "data", "value": "zh"},
        ],
    }
    got = site.client("viewer").post(DASH, json=body)
    assert got.status_code == 200, got.data[:300]
    sent = got.json["response"]["risk-table-download"]["data"]
    assert sent["filename"].endswith(".xlsx") and sent["base64"]
    book = load_workbook(io.BytesIO(base64.b64decode(sent["content"])), read_only=True)
    rows = list(book["隐患台账"].values)[2:]
    accounts = site.store.read("hidden_dangers")
    risk = site.store.read("risk_points").set_index("code")
    waiting = accounts["verified_at"].isna() & (
        risk.loc[accounts["code"], "rectification_status"].to_numpy() == "rectified"
    )
    assert len(rows) == int(waiting.sum()) > 0  # rectified, not yet verified
    assert {r[18] for r in rows} == {"已整改待验收"}


def step_request(code: str, to: str, note: str = "", measures: str = "",
                 photo: str | None = None) -> dict:  # fmt: skip
    """The desk's step button, as any browser could send it."""
    return {
        "output": "..ledger-step-result.children...ledger-step-photo.contents..",
        "outputs": [{"id": "ledger-step-result", "property": "children"},
                    {"id": "ledger-step-photo", "property": "contents"}],
        "inputs": [{"id": "ledger-step-go", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["ledger-step-go.n_clicks"],
        "state": [
            {"id": "ledger-item-code", "property": "data", "value": code},
            {"id": "ledger-step-to", "property": "value", "value": to},
            {"id": "ledger-step-note", "property": "value", "value": note},
            {"id": "ledger-step-measures", "property": "value", "value": measures},
            {"id": "ledger-step-verifier", "property": "value", "value": None},
            {"id": "ledger-step-on", "property": "value", "value": None},
            {"id": "ledger-step-photo", "property": "contents", "value": photo},
            {"id": "lang", "property": "data", "value": "zh"},
        ],
    }  # fmt: skip


def said(response) -> str:
    assert response.status_code == 200, response.data[:300]
    return response.json["response"]["ledger-step-result"]["children"]["props"]["children"]


def test_the_desk_step_is_the_operation_with_its_role_check(site):
    from store import ledger as store_ledger

    rows = page(site, request={"startRow": 0, "endRow": 100}, statuses=["rectifying"])
    code = rows["rowData"][0]["code"]
    for role in ("viewer", "planner"):
        forged = site.client(role).post(DASH, json=step_request(code, "rectified", "x", "y"))
        assert said(forged) == "当前角色不能办理整改（需值班员或管理员）"
    assert store_ledger.steps(site.store.engine, code) == []
    officer = site.client("duty_officer")
    missing = said(officer.post(DASH, json=step_request(code, "rectified", "", "清淤")))
    assert missing == "未办理：这一步须填写说明"
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 8).decode()
    done = said(officer.post(DASH, json=step_request(code, "rectified", "已整改", "清淤", png)))
    assert done == f"{code}：已整改待验收"
    (step,) = store_ledger.steps(site.store.engine, code)
    assert (step["actor"], step["note"], step["photo_id"] is not None) == (
        "user-duty_officer", "已整改", True,
    )  # fmt: skip
    own = said(officer.post(DASH, json=step_request(code, "verified")))
    assert own == "未办理：整改人 user-duty_officer 不能验收自己的整改，须由他人验收"
