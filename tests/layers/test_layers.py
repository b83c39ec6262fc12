"""Layers return the right rows for every filter, on both stores."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from layers import Filter, LayerError
from layers.aggregate import by_township
from layers.command import chain_of_command, command_links
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


def grouped(frame, sums=(), count_where=None):
    """Township totals the straightforward way: a pandas group-by."""
    data = pd.DataFrame({"township_code": frame["township_code"].astype(object)})
    for column in sums:
        data[column] = frame[column].to_numpy()
    for name, (column, value) in (count_where or {}).items():
        data[name] = (frame[column] == value).to_numpy()
    groups = data.dropna(subset=["township_code"]).groupby("township_code")
    extra = [*sums, *(count_where or {})]
    out = groups.size().rename("count").to_frame()
    return out.join(groups[extra].sum()) if extra else out


@pytest.mark.parametrize(
    ("layer", "sums", "count_where"),
    [
        ("risk", (), {"major": ("grade", "major")}),
        ("materials", ("stock_sand", "stock_lines"), None),
        ("forces", ("headcount", "boats"), {"deployed": ("status", "deployed")}),
        ("command", (), {"on_duty": ("status", "on_duty")}),  # nodes above townships have none
    ],
)
@pytest.mark.parametrize("categorical", [True, False])
def test_township_totals_match_a_group_by(snap, layer, sums, count_where, categorical):
    town = snap.towns["code"].iloc[4]
    sel = snap.select(Filter.of(list(snap.towns["code"].iloc[:6]), 3))
    frame = getattr(sel, layer)
    if not categorical:
        frame = frame.astype({"township_code": object})
    got = by_township(frame, sel.towns, sums=sums, count_where=count_where)
    expected = grouped(frame, sums, count_where)
    assert list(got.index) == [c for c in sel.towns["code"] if c in expected.index]
    assert list(got.columns) == ["name", "name_en", "x", "y", "count", *sums, *(count_where or {})]
    pd.testing.assert_frame_equal(
        got.drop(columns=["name", "name_en", "x", "y"]),
        expected.loc[got.index],
        check_names=False,
        check_exact=True,
    )
    assert got.loc[town, "name"] == sel.towns.set_index("code").loc[town, "name"]
    empty = by_township(frame.iloc[:0], sel.towns, sums=sums, count_where=count_where)
    assert empty.empty
    assert list(empty.columns) == list(got.columns)


def test_command_links_join_each_shown_node_to_its_parent(snap):
    nodes = snap.select(Filter.of([snap.towns["code"].iloc[1]], 2)).command
    links = command_links(nodes, snap.command)
    every = snap.command.set_index("code")
    shown = nodes[nodes["parent_code"].notna()]
    assert list(links["code"]) == list(shown["code"])
    assert list(links["parent_code"]) == list(shown["parent_code"])
    parents = every.loc[links["parent_code"]]
    assert links["x0"].tolist() == parents.geometry.x.tolist()
    assert links["y0"].tolist() == parents.geometry.y.tolist()
    assert links["x1"].tolist() == shown.geometry.x.tolist()
    assert links["y1"].tolist() == shown.geometry.y.tolist()
    # without ``every`` a node whose parent is filtered out has no link
    inside = command_links(nodes)
    assert set(inside["parent_code"]) <= set(nodes["code"])
    assert len(inside) == int(shown["parent_code"].isin(nodes["code"]).sum())


def test_filter_rejects_a_level_that_does_not_exist():
    with pytest.raises(ValueError, match="1-4"):
        Filter.of(level=7)


def test_a_layer_missing_a_column_raises_a_named_error(snap):
    with pytest.raises(LayerError, match="grade"):
        require_columns(snap.risk.drop(columns="grade"), ["grade"], "risk")
