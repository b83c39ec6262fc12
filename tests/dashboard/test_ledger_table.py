"""The ledger on the screens, without a browser: the wall's "due this week", the grid's
query from the desk's filter and the map's pick, and its rows in the page's words."""

from __future__ import annotations

from datetime import date

from dashboard.components import key_figures
from dashboard.ledger_table import column_defs, row_view, table_query
from dashboard.maps import filter_data
from layers import Filter
from layers.snapshot import snapshot
from tests.dashboard.test_components import cards


def test_the_wall_shows_what_is_overdue_and_due_this_week(demo_store):
    sel = snapshot(demo_store).select(Filter.of())
    wall = cards(key_figures(sel.figures, "zh", sel.filter, None, wall=True))
    assert wall["hidden-due-week"] == (str(sel.figures.hidden_due_week), "本周到期")
    assert wall["hidden-overdue"] == (str(sel.figures.hidden_overdue), "隐患逾期")
    assert sel.figures.hidden_overdue == 3  # the demo's three overdue hidden dangers
    desk = cards(key_figures(sel.figures, "zh", sel.filter, None))
    assert "hidden-due-week" not in desk


def test_the_grid_query_joins_the_desk_filter_the_pick_and_the_grid_models():
    flt = filter_data(Filter.of(["T1", "T2"], grades=["major", "larger"]))
    request = {"sortModel": [{"colId": "deadline", "sort": "desc"}],
               "filterModel": {"name": {"filterType": "text", "type": "contains", "filter": "堤"},
                               "geom": {"filter": "x"}}}  # fmt: skip
    q = table_query(flt, {"townships": ["T2", "T9"]}, ["found"], ["overdue"], request,
                    offset=200, limit=100)  # fmt: skip
    assert (q.townships, q.grades, q.statuses) == (["T2"], ["major", "larger"], ["found"])
    assert (q.sort, q.descending, q.contains, q.overdue) == ("deadline", True, {"name": "堤"}, True)
    assert (q.offset, q.limit, q.codes, q.supervised) == (200, 100, None, None)
    picked = table_query(None, {"codes": ["R1", "R2"]}, [], [], None)
    assert (picked.townships, picked.codes, picked.hidden_only) == (None, ["R1", "R2"], False)


def test_a_row_in_the_page_language_and_the_columns_the_server_can_sort():
    row = {
        "code": "R1", "name": "甲堤", "name_en": "Dike A", "township_code": "T1",
        "grade": "major", "kind": "hidden_danger", "status": "rectifying", "overdue": True,
        "supervised": True, "supervised_by": "王副区长",
        "rectification_deadline": date(2026, 12, 1),
        "responsible_person": "张三", "responsible_unit": "水利站", "measures": "加固",
        "next_inspection": None, "lon": 112.0, "lat": 30.0,
    }  # fmt: skip
    zh = row_view(row, "zh", {"T1": "甲镇"})
    assert (zh["township"], zh["grade"], zh["status"], zh["overdue"], zh["supervised"]) == (
        "甲镇", "重大风险", "整改中", "是", "王副区长",
    )  # fmt: skip
    assert (zh["deadline"], zh["overdue_flag"], zh["lon"]) == ("2026-12-01", True, 112.0)
    en = row_view(row, "en", {"T1": "Jia"})
    assert (en["name"], en["status"], en["overdue"]) == ("Dike A", "Rectifying", "yes")
    defs = {d["colId"]: d for d in column_defs("zh")}
    assert defs["code"]["headerName"] == "编号" and defs["code"]["pinned"] == "left"
    assert defs["deadline"]["sortable"] and defs["name"]["filter"] == "agTextColumnFilter"
    assert "filter" not in defs["status"]
