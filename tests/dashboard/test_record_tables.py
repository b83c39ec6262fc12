"""The tables beside the materials, forces and command maps, without a browser: the
rows are the layer's rows with the map's filter and pick, in the page's words, and
people's names and phones are there only for a signed-in principal."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from auth import Principal
from dashboard import ids
from dashboard.maps import filter_data
from dashboard.record_tables import (
    SPECS,
    column_defs,
    layer_changed,
    layer_revs,
    picked_from,
    table_rows,
    visible,
    workbook,
)
from layers import Filter
from layers.snapshot import snapshot

VIEWER = Principal("viewer1", "viewer", user_id=2)
PRIVATE = {"keeper", "keeper_phone", "leader", "leader_phone", "duty_officer", "duty_phone"}


@pytest.mark.parametrize("kind", ["materials", "forces", "command"])
def test_the_rows_are_the_layers_rows_with_the_maps_filter(demo_store, kind):
    snap = snapshot(demo_store)
    town = sorted(snap.towns["code"])[2]
    flt = Filter.of([town], level=3)
    expected = getattr(snap.select(flt), kind)
    assert 0 < len(expected) < len(getattr(snap, kind))
    got = table_rows(SPECS[kind], snap, filter_data(flt), None, "zh", VIEWER)
    assert [r["code"] for r in got] == list(expected["code"])
    # each row is where its point is, and the columns are the grid's columns
    first = expected.iloc[0]
    assert (got[0]["lon"], got[0]["lat"]) == (
        round(first.geom.x, 6),
        round(first.geom.y, 6),
    )
    fields = {d["field"] for d in column_defs(SPECS[kind], "zh", True)}
    assert fields == set(got[0]) - {"lon", "lat"}


def test_a_box_on_the_map_narrows_the_rows_to_the_points_or_townships_it_picked(demo_store):
    snap = snapshot(demo_store)
    forces = snap.forces
    codes = list(forces["code"].iloc[[3, 10, 40]])
    selected = {"points": [{"customdata": c} for c in codes] + [{"customdata": "incident:I1"}]}
    picked = picked_from(selected)
    assert picked == {"codes": sorted(codes)}
    got = table_rows(SPECS["forces"], snap, None, picked, "zh", VIEWER)
    assert sorted(r["code"] for r in got) == sorted(codes)
    town = forces["township_code"].iloc[0]
    towns = picked_from({"points": [{"customdata": [f"township:{town}"]}]})
    assert towns == {"townships": [town]}
    got = table_rows(SPECS["forces"], snap, None, towns, "zh", VIEWER)
    assert len(got) == int((forces["township_code"] == town).sum())
    assert picked_from(None) is None and picked_from({"points": []}) == {"codes": []}


def test_cells_in_the_page_language_with_headers_from_i18n(demo_store):
    snap = snapshot(demo_store)
    force = snap.forces.iloc[0]
    zh = table_rows(SPECS["forces"], snap, None, {"codes": [force.code]}, "zh", VIEWER)[0]
    en = table_rows(SPECS["forces"], snap, None, {"codes": [force.code]}, "en", VIEWER)[0]
    assert (zh["headcount"], zh["status"], zh["name"]) == (force.headcount, "待命", force["name"])
    assert en["status"] == "Available" and en["name"] == (force.name_en or force["name"])
    assert zh["leader"] == force.leader and zh["leader_phone"] == force.leader_phone
    heads = {d["colId"]: d["headerName"] for d in column_defs(SPECS["forces"], "en", True)}
    assert (heads["code"], heads["headcount"], heads["type"]) == ("Code", "Headcount", "Type")
    heads = {d["colId"]: d["headerName"] for d in column_defs(SPECS["materials"], "zh", True)}
    assert heads["stock_woven_bag"] == "编织袋（条）" and heads["keeper"] == "保管员"
    node = snap.command[snap.command["level"] == "village"].iloc[0]
    row = table_rows(SPECS["command"], snap, None, {"codes": [node.code]}, "zh", VIEWER)[0]
    parent = snap.command.set_index("code").loc[node.parent_code, "name"]
    assert (row["level"], row["parent"], row["duty_officer"]) == (
        "村级应急站",
        parent,
        node.duty_officer,
    )
    depot = snap.materials.iloc[0]
    row = table_rows(SPECS["materials"], snap, None, {"codes": [depot.code]}, "zh", VIEWER)[0]
    boats = depot.stock_assault_boat + depot.stock_rubber_boat
    assert (row["stock_woven_bag"], row["stock_boats"]) == (depot.stock_woven_bag, boats)


@pytest.mark.parametrize("kind", ["materials", "forces", "command"])
def test_names_and_phones_are_hidden_when_signed_out(demo_store, kind):
    snap = snapshot(demo_store)
    out = table_rows(SPECS[kind], snap, None, None, "zh", None)
    inside = table_rows(SPECS[kind], snap, None, None, "zh", VIEWER)
    assert len(out) == len(inside) > 0
    assert not PRIVATE & {key for row in out for key in row}
    assert PRIVATE & set(inside[0])
    assert not PRIVATE & {d["field"] for d in column_defs(SPECS[kind], "zh", False)}
    book = load_workbook(io.BytesIO(workbook(SPECS[kind], out, "zh", False)))
    headers = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert "电话" not in headers and len(list(book.active.iter_rows())) == len(out) + 1


def test_the_export_holds_the_rows_the_grid_shows_in_its_order(demo_store):
    snap = snapshot(demo_store)
    every = table_rows(SPECS["forces"], snap, None, None, "en", VIEWER)
    # the browser sends the codes it shows after its filter and sort, in that order
    shown = [every[5]["code"], every[2]["code"], "FORCE-NOT-THERE", {"code": "junk"}]
    rows = visible(every, shown)
    assert [r["code"] for r in rows] == [every[5]["code"], every[2]["code"]]
    assert rows[0]["leader"] == every[5]["leader"]
    book = load_workbook(io.BytesIO(workbook(SPECS["forces"], rows, "en", True)))
    cells = [[c.value for c in r] for r in book.active.iter_rows()]
    assert cells[0][:3] == ["Code", "Name", "Type"] and "Phone" in cells[0]
    assert [r[0] for r in cells[1:]] == [every[5]["code"], every[2]["code"]]
    assert visible(every, None) == every


def test_only_a_change_of_the_tables_own_layer_or_the_townships_resends_its_rows():
    drawn = layer_revs("forces", {"forces": 3, "townships": 1, "risk": 7})
    assert drawn == [3, 1]
    assert not layer_changed("forces", {"revs": {"forces": 3, "townships": 1, "risk": 8}}, drawn)
    assert layer_changed("forces", {"revs": {"forces": 4, "townships": 1}}, drawn)
    assert layer_changed("forces", {"revs": {"forces": 3, "townships": 2}}, drawn)
    assert layer_changed("forces", {"revs": {"forces": 3}}, None)  # nothing drawn yet: send


def test_every_table_has_its_own_ids_and_the_risk_ledger_shares_the_scheme():
    assert ids.table("forces") == "forces-table"
    assert ids.table_part("risk", "picked") == ids.RISK_TABLE_PICKED == "risk-table-picked"
    assert ids.RISK_TABLE == "risk-table" and ids.RISK_TABLE_CLEAR == "risk-table-clear"
