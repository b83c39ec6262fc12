"""Importing files on both stores: what the planner sees, and that a rejection writes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import prcoords
import pytest
import shapely
import sqlalchemy as sa
from geopandas.testing import assert_geodataframe_equal

import store.imports as imports
from auth import Forbidden, Principal
from files.imports import import_file
from layers import _cache
from layers.risks import risk_points
from store import Store, schema
from store.records import RecordError, StaleRecord
from tests.conftest import STORE_KINDS, _fresh_store
from tests.files.makers import (
    RISK_HEADER,
    RISK_ROWS,
    csv_bytes,
    gbk_shapefile_zip,
    legacy_geojson,
    messy_xlsx,
    risk_frame,
    write,
)
from tests.handmade import handmade_frames

PLANNER = Principal(name="planner-1", role="planner", kind="user")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path_factory) -> Store:
    """The hand-made district on each store, that a test may change."""
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(handmade_frames())
    yield store
    store.engine.dispose()


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in (
                ("risk_points", schema.risk_points),
                ("depots", schema.depots),
                ("depot_stock", schema.depot_stock),
                ("history", schema.history),
                ("imports", schema.imports),
            )
        }


def run(store: Store, layer: str, path: Path, **options) -> dict:
    return import_file(store, PLANNER, layer, path, **options).as_json()


def csv_file(tmp_path: Path, rows: list[list[str]], header=RISK_HEADER, encoding="gbk") -> Path:
    return write(tmp_path / "risks.csv", csv_bytes(header, rows, encoding))


def test_gbk_csv_with_chinese_headers_is_added_with_its_history(store, tmp_path):
    got = run(store, "risk_points", csv_file(tmp_path, RISK_ROWS))
    assert got["encoding"] == "gb18030"
    assert got["added"] == ["RN1", "RN2"] and got["rejected"] == [] and got["committed"]
    record = store.records.get("risk_points", "RN1")
    assert record["name"] == "江堤管涌点" and record["kind"] == "hidden_danger"
    assert record["grade"] == "major" and record["township_code"] == "T1"
    assert record["updated_by"] == "planner-1"
    (entry,) = store.records.history("risk_points", "RN1")
    assert entry["action"] == "create" and entry["note"] == f"import #{got['import']}: risks.csv"


def test_a_row_of_a_known_code_updates_it_and_a_same_row_changes_nothing(store, tmp_path):
    before = store.records.get("risk_points", "R1")
    rows = [["R1", "风险点R1", "flood", "hidden_danger", "major", "112.01", "30.01", "王五"]]
    got = run(store, "risk_points", csv_file(tmp_path, rows))
    assert got["updated"] == ["R1"] and got["added"] == []
    after = store.records.get("risk_points", "R1")
    assert after["responsible_person"] == "王五" and after["version"] == before["version"] + 1
    again = run(store, "risk_points", csv_file(tmp_path, rows))
    assert again["unchanged"] == ["R1"] and again["updated"] == []
    assert store.records.get("risk_points", "R1")["version"] == after["version"]


def test_messy_workbook(store, tmp_path):
    rows = [[*r[:5], float(r[5]), float(r[6]), r[7]] for r in RISK_ROWS]
    got = run(store, "risk_points", messy_xlsx(tmp_path / "r.xlsx", RISK_HEADER, rows))
    assert got["added"] == ["RN1", "RN2"], got
    assert any("totals row" in n for n in got["notes"])


def test_gbk_shapefile_zip(store, tmp_path):
    got = run(store, "risk_points", gbk_shapefile_zip(tmp_path / "r.zip", risk_frame()))
    assert got["added"] == ["RG1", "RG2"], got
    assert store.records.get("risk_points", "RG1")["name"] == "滑坡点甲"


@pytest.mark.parametrize("epsg", [3857, 4490])
def test_geojson_in_another_crs_is_reprojected(store, tmp_path, epsg):
    got = run(store, "risk_points", legacy_geojson(tmp_path / "r.geojson", risk_frame(), epsg))
    assert got["added"] == ["RG1", "RG2"], got
    point = store.records.get("risk_points", "RG1")["geom"]
    assert point.distance(shapely.Point(112.03, 30.04)) < 1e-5


def test_geopackage_in_cgcs2000(store, tmp_path):
    path = tmp_path / "r.gpkg"
    risk_frame("EPSG:4490").to_file(path, driver="GPKG")
    got = run(store, "risk_points", path)
    assert got["added"] == ["RG1", "RG2"] and "4490" in got["crs"]


def test_gcj02_on_request(store, tmp_path):
    lat, lon = prcoords.wgs_gcj((30.04, 112.03))  # what a web map shows for the true point
    rows = [
        ["RJ1", "网图坐标点", "flood", "hidden_danger", "major", f"{lon:.7f}", f"{lat:.7f}", ""]
    ]
    got = run(store, "risk_points", csv_file(tmp_path, rows), crs="gcj02")
    assert got["crs"] == "gcj02" and got["added"] == ["RJ1"]
    point = store.records.get("risk_points", "RJ1")["geom"]
    assert abs(point.x - 112.03) < 1e-6 and abs(point.y - 30.04) < 1e-6


def test_dms_with_chinese_hemispheres(store, tmp_path):
    rows = [
        ["RD1", "度分秒点", "flood", "hidden_danger", "major", "东经112°1′48″", "北纬30°2′24″", ""]
    ]
    got = run(store, "risk_points", csv_file(tmp_path, rows))
    assert got["added"] == ["RD1"], got
    point = store.records.get("risk_points", "RD1")["geom"]
    assert abs(point.x - 112.03) < 1e-9 and abs(point.y - 30.04) < 1e-9


def test_script_and_sql_in_cells_are_stored_as_text(store, tmp_path):
    rows = [
        row("RS1", 名称="<script>alert(1)</script>"),
        row("RS2", x="112.04", 名称="'; DROP TABLE risk_points; --"),
    ]
    got = run(store, "risk_points", csv_file(tmp_path, rows, encoding="utf-8"))
    assert got["added"] == ["RS1", "RS2"]
    assert store.records.get("risk_points", "RS1")["name"] == "<script>alert(1)</script>"
    assert store.records.get("risk_points", "RS2")["name"] == "'; DROP TABLE risk_points; --"
    assert counts(store)["risk_points"] == 9


def row(code: str, x: str = "112.03", y: str = "30.04", **changes: str) -> list[str]:
    values = [code, "名称", "flood", "hidden_danger", "major", x, y, ""]
    cells = dict(zip(RISK_HEADER, values, strict=True))
    cells.update(changes)
    return list(cells.values())


REJECTIONS = [
    # rows, (row, field, reason) expected
    ([row("RX1", 名称="")], (2, "名称", "required")),
    ([row("RX1", x="30.04", y="112.03")], (2, "经度/纬度", "longitude and latitude look swapped")),
    (
        [row("RX1", x="113.5", y="30.5")],
        (2, "经度/纬度", "the point lies outside the jurisdiction"),
    ),
    ([row("RX1", x="", y="")], (2, "经度/纬度", "the location is empty")),
    ([row("RX1"), row("RX1", x="112.04")], (3, "编号", "code RX1 is also in row 3")),
    ([row("RX1", 风险等级="极大")], (2, "风险等级", "must be one of: major, larger, general, low")),
    ([row("RX1", x="abc")], (2, "经度/纬度", "not a coordinate: “abc”")),
    ([[*row("RX1"), "", "多余"]], (2, "#10", "the row has 10 cells, the header 8")),
]


def test_a_last_line_cut_short_names_the_first_column_it_lacks(store, tmp_path):
    before = counts(store)
    got = run(store, "risk_points", csv_file(tmp_path, [row("RK1"), row("RX1")[:6]]))
    assert not got["committed"]
    cut = [r for r in got["rejected"] if r["reason"] == "the row has 6 cells, the header 8"]
    assert [(r["row"], r["field"]) for r in cut] == [(3, RISK_HEADER[6])]  # 纬度
    assert counts(store) == before


@pytest.mark.parametrize(("rows", "expected"), REJECTIONS)
def test_a_rejected_row_names_row_and_field_and_nothing_is_written(store, tmp_path, rows, expected):
    before = counts(store)
    got = run(store, "risk_points", csv_file(tmp_path, [row("RK1"), *rows]))
    assert not got["committed"]
    shifted = (expected[0] + 1, expected[1], expected[2])  # the good row RK1 is row 2
    assert (
        got["rejected"][0]["row"],
        got["rejected"][0]["field"],
        got["rejected"][0]["reason"],
    ) == shifted
    assert counts(store) == before


def test_wrong_geometry_type_and_null_geometry(store, tmp_path):
    frame = risk_frame()
    frame.loc[0, "geometry"] = shapely.box(112.01, 30.01, 112.02, 30.02)
    frame.loc[1, "geometry"] = None
    path = tmp_path / "r.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")
    before = counts(store)
    got = run(store, "risk_points", path)
    assert [(r["row"], r["reason"]) for r in got["rejected"]] == [
        (1, "must be a point"),
        (2, "the location is empty"),
    ]
    assert counts(store) == before


DEPOT_HEADER = ["编号", "名称", "级别", "经度", "纬度", "编织袋(条)", "砂石料(立方米)", "铁锹(把)"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["200", "5", ""], None),
        (["-3", "5", ""], ("编织袋(条)", "cannot be negative")),
        (["很多", "5", ""], ("编织袋(条)", "must be a number")),
        (["200", "5", "10"], ("铁锹(把)", "no catalogue item “铁锹(把)”")),
    ],
)
def test_depot_stock_in_wide_columns(store, tmp_path, cells, expected):
    rows = [["DN1", "新仓库", "township", "112.05", "30.05", *cells]]
    before = counts(store)
    got = run(store, "depots", csv_file(tmp_path, rows, header=DEPOT_HEADER))
    if expected is None:
        assert got["added"] == ["DN1"], got
        assert store.records.get("depots", "DN1")["stock"] == {"woven_bag": 200, "sand": 5}
    else:
        assert [(r["field"], r["reason"]) for r in got["rejected"]] == [expected]
        assert counts(store) == before


def test_a_depot_update_keeps_items_the_file_does_not_name(store, tmp_path):
    header = ["编号", "名称", "级别", "经度", "纬度", "砂石料(立方米)"]
    rows = [["D3", "仓库D3", "village", "112.13", "30.03", "20"]]
    got = run(store, "depots", csv_file(tmp_path, rows, header=header))
    assert got["updated"] == ["D3"], got
    assert store.records.get("depots", "D3")["stock"] == {"woven_bag": 50, "sand": 20}


def test_accept_partial_commits_the_rest_and_the_import_lists_what_was_left_out(store, tmp_path):
    rows = [row("RP1"), row("RP2", x="30.04", y="112.03")]
    refused = run(store, "risk_points", csv_file(tmp_path, rows))
    assert not refused["committed"] and store.records.get("risk_points", "RP1") is None
    got = run(store, "risk_points", csv_file(tmp_path, rows), accept_partial=True)
    assert got["committed"] and got["added"] == ["RP1"]
    (entry,) = store.imports.recent(1)
    assert entry["partial"] and entry["actor"] == "planner-1"
    assert entry["left_out"] == [
        {"row": 3, "code": "RP2", "field": "经度/纬度",
         "reason": "longitude and latitude look swapped"}
    ]  # fmt: skip


def test_a_record_changed_since_the_preview_stops_the_whole_import(store):
    seen = store.records.get("risk_points", "R1")
    store.records.update("risk_points", "R1", {"name": "别人改了"}, seen["version"], "someone")
    before = counts(store)
    added = {
        "code": "RZ1", "name": "新点", "category": "flood", "kind": "risk_source",
        "grade": "low", "township_code": "T1", "geom": shapely.Point(112.05, 30.05),
    }  # fmt: skip
    with pytest.raises(StaleRecord):
        store.imports.commit(
            "risk_points", [added], [(seen, {"name": "导入的名字"})], "planner-1",
            file="r.csv", format="csv", encoding="utf-8", crs="wgs84",
        )  # fmt: skip
    assert counts(store) == before
    assert store.records.get("risk_points", "R1")["name"] == "别人改了"


def test_dry_run_writes_nothing(store, tmp_path):
    before = counts(store)
    got = run(store, "risk_points", csv_file(tmp_path, RISK_ROWS), dry_run=True)
    assert got["added"] == ["RN1", "RN2"] and not got["committed"]
    assert counts(store) == before


def test_a_file_refused_whole_says_why(store, tmp_path):
    got = run(store, "risk_points", write(tmp_path / "r.xlsx", b"code,name\n"))
    assert got["error"] == "the file is named .xlsx but holds plain text"
    assert not got["committed"]


def test_only_a_planner_imports(store, tmp_path):
    viewer = Principal(name="v", role="viewer", kind="user")
    with pytest.raises(Forbidden):
        import_file(store, viewer, "risk_points", csv_file(tmp_path, RISK_ROWS))


KILLER = """
import sys, time
from auth import Principal
from files.imports import import_file
from store import open_store
store = open_store(sys.argv[1])
def pause(done):
    print("HALF", done, flush=True)
    time.sleep(60)
import_file(store, Principal("p", "planner", "user"), "risk_points", sys.argv[2], progress=pause)
"""


def test_an_import_killed_half_way_leaves_the_store_as_it_was(store, tmp_path):
    rows = [row(f"RB{n}", x=f"{112.001 + n * 0.00001:.5f}") for n in range(5000)]
    path = csv_file(tmp_path, rows)
    before = counts(store)
    url = store.engine.url.render_as_string(hide_password=False)
    with subprocess.Popen(
        [sys.executable, "-c", KILLER, url, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as child:
        try:
            line = child.stdout.readline()
            assert line.startswith("HALF"), line
            child.send_signal(signal.SIGKILL)  # 2,000 of 5,000 rows written, uncommitted
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
    time.sleep(0.2)
    assert counts(store) == before


@pytest.mark.parametrize("column", ["几何", "wkt", "geometry"])
def test_townships_from_csv_with_a_wkt_column(store, tmp_path, column):
    header = ["编号", "名称", "所属辖区", column]
    north = "POLYGON ((112 30.1, 112.2 30.1, 112.2 30.2, 112 30.2, 112 30.1))"
    path = write(tmp_path / "towns.csv", csv_bytes(header, [["T3", "北镇", "J", f'"{north}"']]))
    path.write_bytes(path.read_bytes().replace(b"J,", _jurisdiction(store).encode() + b","))
    got = run(store, "townships", path)
    assert got["added"] == ["T3"] and got["rejected"] == [] and got["committed"]
    town = store.records.get("townships", "T3")
    assert town["name"] == "北镇"
    assert shapely.equals(town["geom"], shapely.MultiPolygon([shapely.from_wkt(north)]))


def test_malformed_wkt_rejects_its_row_and_writes_nothing(store, tmp_path):
    jurisdiction = _jurisdiction(store)
    good = "MULTIPOLYGON (((112 30.1, 112.2 30.1, 112.2 30.2, 112 30.2, 112 30.1)))"
    rows = [
        ["T3", "北镇", jurisdiction, f'"{good}"'],
        ["T4", "南镇", jurisdiction, '"POLYGON ((112 29.9, 112.2 29.9"'],
        ["T5", "西镇", jurisdiction, "POINT (112 30)"],
    ]
    path = write(tmp_path / "towns.csv", csv_bytes(["编号", "名称", "所属辖区", "几何"], rows))
    before = counts(store)
    got = run(store, "townships", path)
    assert [(r["row"], r["code"], r["field"]) for r in got["rejected"]] == [
        (3, "T4", "几何"),
        (4, "T5", "几何"),
    ]
    assert all(r["reason"] == "must be a multi-polygon" for r in got["rejected"])
    assert not got["committed"] and store.records.get("townships", "T3") is None
    assert counts(store) == before


def _jurisdiction(store: Store) -> str:
    return str(store.read("jurisdictions")["code"].iloc[0])


LEDGER_HEADER = [*RISK_HEADER, "整改状态"]


def ledger_row(code: str, status: str, person: str = "") -> list[str]:
    """R2 of the hand-made district (a hidden danger, rectified) as a file would give it."""
    return [code, f"风险点{code}", "flood", "hidden_danger", "larger", "112.02", "30.02",
            person, status]  # fmt: skip


def test_an_import_cannot_move_a_hidden_dangers_rectification_status(store, tmp_path):
    before = counts(store)
    rows = [ledger_row("R2", "open", "王五"), ledger_row("RL1", "")]
    path = csv_file(tmp_path, rows, header=LEDGER_HEADER)
    got = run(store, "risk_points", path)
    assert not got["committed"] and counts(store) == before
    assert got["rejected"] == [
        {"row": 2, "code": "R2", "field": "整改状态",
         "reason": "the rectification status changes only by a step in the hidden-danger ledger"}
    ]  # fmt: skip
    zh = import_file(store, PLANNER, "risk_points", path).rejected("zh")
    assert zh[0]["reason"] == "整改状态只能在隐患台账中按步骤更改"
    partial = run(store, "risk_points", path, accept_partial=True)
    assert partial["committed"] and partial["added"] == ["RL1"] and partial["updated"] == []
    assert store.records.get("risk_points", "R2")["rectification_status"] == "rectified"
    assert store.records.get("risk_points", "RL1")["rectification_status"] == "open"


def test_an_import_leaving_the_status_out_or_repeating_it_keeps_it(store, tmp_path):
    rows = [ledger_row("R2", "", "王五"), ledger_row("R7", "in_progress", "赵六")]
    got = run(store, "risk_points", csv_file(tmp_path, rows, header=LEDGER_HEADER))
    assert got["committed"] and got["updated"] == ["R2", "R7"], got
    r2, r7 = (store.records.get("risk_points", c) for c in ("R2", "R7"))
    assert (r2["rectification_status"], r2["responsible_person"]) == ("rectified", "王五")
    assert (r7["rectification_status"], r7["responsible_person"]) == ("in_progress", "赵六")
    (entry, *_) = store.records.history("risk_points", "R2")
    assert "rectification_status" not in entry["changes"]


def test_a_risk_source_becoming_a_hidden_danger_by_import_starts_its_ledger(store, tmp_path):
    rows = [["R4", "风险点R4", "flood", "hidden_danger", "low", "112.14", "30.04", "", ""]]
    got = run(store, "risk_points", csv_file(tmp_path, rows, header=LEDGER_HEADER))
    assert got["updated"] == ["R4"] and got["committed"], got
    assert store.records.get("risk_points", "R4")["rectification_status"] == "open"


def test_a_bulk_import_stores_what_one_create_stores(store, tmp_path):
    """Records and history go in by COPY / one prepared executemany: the same values,
    dates and geometry as the store's one-record write."""
    header = [*LEDGER_HEADER, "整改期限", "最近巡查"]
    rows = [[*ledger_row("RQ1", "in_progress", "王五"), "2026-12-31", "2026-11-02"]]
    got = import_file(store, PLANNER, "risk_points", csv_file(tmp_path, rows, header=header))
    assert got.committed
    (planned,) = got.plan.rows
    store.records.create("risk_points", {**planned.values, "code": "RQ2"}, "planner-1")
    imported, created = (store.records.get("risk_points", c) for c in ("RQ1", "RQ2"))
    assert imported["rectification_deadline"].isoformat() == "2026-12-31"
    for record in (imported, created):
        for name in ("id", "code", "updated_at"):
            record.pop(name)
    assert imported == created
    (one,), (two,) = (store.records.history("risk_points", c) for c in ("RQ1", "RQ2"))
    assert one["changes"].pop("code") == [None, "RQ1"]
    assert two["changes"].pop("code") == [None, "RQ2"]
    assert one["changes"] == two["changes"]
    with store.engine.connect() as conn:
        raw = conn.execute(
            sa.select(schema.risk_points.c.rectification_deadline, schema.risk_points.c.geom)
            .where(schema.risk_points.c.code.in_(["RQ1", "RQ2"]))
        ).all()  # fmt: skip
    assert raw[0] == raw[1]


def test_a_row_the_store_refuses_in_a_bulk_chunk_writes_nothing(store):
    before = counts(store)
    good = {
        "code": "RZ1", "name": "新点", "category": "flood", "kind": "risk_source",
        "grade": "low", "township_code": "T1", "geom": shapely.Point(112.05, 30.05),
    }  # fmt: skip
    bad = {**good, "code": "RZ2", "township_code": "NO-SUCH-TOWN"}
    with pytest.raises(RecordError):
        store.imports.commit(
            "risk_points", [good, bad], [], "planner-1",
            file="r.csv", format="csv", encoding="utf-8", crs="wgs84",
        )  # fmt: skip
    assert counts(store) == before


def test_accept_partial_with_every_row_rejected_writes_nothing_and_is_not_committed(
    store, tmp_path
):
    """Found by the fuzz: it wrote an import record of no rows and said 'committed'."""
    before = counts(store)
    rows = [row("RP1", x="30.04", y="112.03"), row("RP2", 名称="")]
    got = run(store, "risk_points", csv_file(tmp_path, rows), accept_partial=True)
    assert not got["committed"] and "import" not in got
    assert len(got["rejected"]) == 2
    assert counts(store) == before


def test_a_code_with_a_nul_byte_is_a_rejected_row_on_both_stores(store, tmp_path):
    """Found by the import fuzz: PostgreSQL refuses a NUL even in the lookup of the
    file's codes, and the import failed with a RecordError instead of a report."""
    before = counts(store)
    got = run(
        store, "risk_points", csv_file(tmp_path, [row("R\x001"), row("RK1")], encoding="utf-8")
    )
    assert [(r["row"], r["field"], r["reason"]) for r in got["rejected"]] == [
        (2, "编号", "a code: letters, digits, - and _ (at most 40)")
    ]
    assert not got["committed"] and counts(store) == before


def test_an_import_updates_as_an_edit_does(store):
    """Updates go in chunks of a few statements: the same record, version and history
    as the store's one-record update, and a depot's stock with them."""
    values = {"name": "导入改名", "grade": "major", "geom": shapely.Point(112.061, 30.052)}
    seen = {c: store.records.get("risk_points", c) for c in ("R1", "R2")}
    depot = store.records.get("depots", "D1")
    stock = {**depot["stock"], "woven_bag": 4321}
    store.imports.commit(
        "risk_points", [], [(seen["R1"], values)], "planner-1",
        file="r.csv", format="csv", encoding="utf-8", crs="wgs84",
    )  # fmt: skip
    store.imports.commit(
        "depots", [], [(depot, {"stock": stock})], "planner-1",
        file="d.csv", format="csv", encoding="utf-8", crs="wgs84",
    )  # fmt: skip
    store.records.update("risk_points", "R2", values, seen["R2"]["version"], "planner-1")
    imported, edited = (store.records.get("risk_points", c) for c in ("R1", "R2"))
    assert imported["version"] == seen["R1"]["version"] + 1
    for record in (imported, edited):
        for name in ("id", "code", "updated_at", "township_code"):
            record.pop(name)
    same_before = {k for k in imported if seen["R1"][k] == seen["R2"][k]}
    assert {k: imported[k] for k in same_before} == {k: edited[k] for k in same_before}
    assert imported["name"] == "导入改名" and imported["geom"].equals(values["geom"])
    (one, *_), (two, *_) = (store.records.history("risk_points", c) for c in ("R1", "R2"))
    assert (one["action"], one["version"], one["actor"]) == ("update", imported["version"],
                                                           "planner-1")  # fmt: skip
    assert one["note"].startswith("import #")
    changed = {"name", "geom"} | ({"grade"} if seen["R1"]["grade"] != "major" else set())
    assert set(one["changes"]) == changed  # what changed, no more
    assert {f: two["changes"][f][1] for f in changed} == {f: one["changes"][f][1] for f in changed}
    assert one["changes"]["name"] == [seen["R1"]["name"], "导入改名"]
    assert store.records.get("depots", "D1")["stock"]["woven_bag"] == 4321
    (entry, *_) = store.records.history("depots", "D1")
    assert entry["changes"]["stock"][1] == {"woven_bag": 4321}


def test_imported_points_are_stamped_for_the_layers_incremental_read(store, tmp_path):
    """An import stamps its rows once a chunk (SQLite's per-row trigger skips them): a
    map holding the risk layer re-reads just those rows, and sees what a whole read does."""
    held = risk_points(store)
    revs = schema.layer_revisions
    read_revision = sa.select(revs.c.revision).where(revs.c.layer == "risk")

    def scalar(query):
        with store.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    before = scalar(read_revision)
    known = ["R1", "风险点R1", "flood", "hidden_danger", "major", "112.01", "30.01", "王五"]
    rows = [*RISK_ROWS, known]
    got = run(store, "risk_points", csv_file(tmp_path, rows))
    assert got["added"] == ["RN1", "RN2"] and got["updated"] == ["R1"] and got["committed"]
    after = scalar(read_revision)
    rp = schema.risk_points
    with store.engine.connect() as conn:
        stamps = dict(
            conn.execute(
                sa.select(rp.c.code, rp.c.row_revision).where(rp.c.row_revision > before)
            ).all()
        )
    assert set(stamps) == {"RN1", "RN2", "R1"} and before < min(stamps.values()) <= after
    patched = risk_points(store)
    assert patched is not held and len(patched) == len(held) + 2
    assert patched.loc[patched["code"] == "R1", "responsible_person"].iloc[0] == "王五"
    _cache.clear()
    assert_geodataframe_equal(patched, risk_points(store))


def test_a_large_import_builds_its_indexes_again_as_they_were(store, monkeypatch):
    """SQLite sets a table's plain indexes aside while more rows go in than it holds, and
    builds them after: the same indexes; an import the store refuses half-way leaves
    them, and the rows, as they were."""
    monkeypatch.setattr(imports, "REBUILD_FROM", 1)

    def indexes() -> list:
        inspector = sa.inspect(store.engine)
        return sorted((i["name"], i["column_names"], i["unique"]) for i in
                      inspector.get_indexes("risk_points"))  # fmt: skip

    held, before = counts(store)["risk_points"], indexes()
    many = [
        {"code": f"RB{n:03d}", "name": f"批量{n}", "category": "flood", "kind": "risk_source",
         "grade": "low", "township_code": "T1", "geom": shapely.Point(112.05, 30.05)}
        for n in range(held + 3)
    ]  # fmt: skip
    bad = {**many[0], "code": "RB-BAD", "township_code": "NO-SUCH-TOWN"}
    with pytest.raises(RecordError):
        store.imports.commit(
            "risk_points", [*many, bad], [], "planner-1",
            file="r.csv", format="csv", encoding="utf-8", crs="wgs84",
        )  # fmt: skip
    assert indexes() == before and counts(store)["risk_points"] == held
    store.imports.commit(
        "risk_points", many, [], "planner-1",
        file="r.csv", format="csv", encoding="utf-8", crs="wgs84",
    )  # fmt: skip
    assert indexes() == before
    low = store.read("risk_points", where={"grade": "low"})
    assert set(low["code"]) >= {m["code"] for m in many}
    assert store.records.get("risk_points", "RB001")["name"] == "批量1"
