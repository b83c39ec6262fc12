"""Layers return the right rows for every filter, on both stores."""

from __future__ import annotations

import geopandas as gpd
import pytest

from layers import Filter, LayerError
from layers.command import chain_of_command
from layers.filters import require_columns
from layers.snapshot import snapshot


@pytest.fixture(scope="module")
def snap(demo_store):
    return snapshot(demo_store)


def test_every_layer_is_wgs84_and_complete(snap, demo_frames):
    for layer, table in [
        ("risk", "risk_points"),
        ("materials", "depots"),
        ("forces", "forces"),
        ("command", "command_nodes"),
    ]:
        frame = getattr(snap, layer)
        assert isinstance(frame, gpd.GeoDataFrame)
        assert frame.crs.to_epsg() == 4326
        assert len(frame) == len(demo_frames[table])
    assert len(snap.towns) == 16


def test_township_filter_keeps_exactly_that_townships_rows(snap, demo_store):
    town = snap.towns["code"].iloc[5]
    sel = snap.select(Filter.of([town]))
    for layer, table in [("risk", "risk_points"), ("materials", "depots"), ("forces", "forces")]:
        frame = getattr(sel, layer)
        assert set(frame["township_code"]) == {town}
        direct = demo_store.read(table, townships=[town])
        assert sorted(frame["code"]) == sorted(direct["code"])


def test_higher_response_level_mobilises_everything_lower_levels_do(snap):
    shown = {
        level: set(snap.select(Filter.of(level=level)).forces["code"]) for level in (4, 3, 2, 1)
    }
    assert shown[4] <= shown[3] <= shown[2] <= shown[1] == set(snap.forces["code"])
    assert shown[4] < shown[1]
    expected_ii = set(snap.forces.loc[snap.forces["mobilise_level"] >= 2, "code"])
    assert shown[2] == expected_ii


def test_level_filter_does_not_hide_risk_points(snap):
    assert len(snap.select(Filter.of(level=4)).risk) == len(snap.risk)


def test_grade_filter(snap):
    sel = snap.select(Filter.of(grades=["major", "larger"]))
    assert set(sel.risk["grade"]) <= {"major", "larger"}
    assert len(sel.risk) == int(snap.risk["grade"].isin(["major", "larger"]).sum())


def test_command_filter_keeps_the_chain_above_the_township(snap):
    town = snap.towns["code"].iloc[0]
    nodes = snap.select(Filter.of([town])).command
    assert {"ministry", "province", "city", "county", "township"} <= set(nodes["level"])
    assert set(nodes["township_code"].dropna()) == {town}


def test_chain_of_command_runs_from_village_to_ministry(snap):
    village = snap.command[snap.command["level"] == "village"]["code"].iloc[0]
    chain = chain_of_command(snap.command, village)
    assert [n["level"] for n in chain] == [
        "village",
        "township",
        "county",
        "city",
        "province",
        "ministry",
    ]


def test_key_figures_are_exact(snap):
    town = snap.towns["code"].iloc[2]
    sel = snap.select(Filter.of([town], 3))
    fig = sel.figures
    assert sum(fig.points_by_grade.values()) == len(sel.risk)
    hidden = sel.risk[sel.risk["kind"] == "hidden_danger"]
    assert fig.hidden_open + fig.hidden_rectified == len(hidden)
    assert fig.materials["woven_bag"] == pytest.approx(sel.materials["stock_woven_bag"].sum())
    assert fig.materials["boats"] == pytest.approx(
        (sel.materials["stock_assault_boat"] + sel.materials["stock_rubber_boat"]).sum()
    )
    assert fig.people == sel.forces["headcount"].sum()
    assert fig.nodes_total == len(sel.command)


def test_filter_rejects_a_level_that_does_not_exist():
    with pytest.raises(ValueError, match="1-4"):
        Filter.of(level=7)


def test_a_layer_missing_a_column_raises_a_named_error(snap):
    with pytest.raises(LayerError, match="grade"):
        require_columns(snap.risk.drop(columns="grade"), ["grade"], "risk")
