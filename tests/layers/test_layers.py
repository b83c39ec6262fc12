"""Layers return the right rows for every filter, on both stores."""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import pandas as pd
import pytest

from layers import Filter, LayerError
from layers import snapshot as snapshot_module
from layers.aggregate import by_township
from layers.command import chain_of_command, command_links
from layers.filters import require_columns
from layers.snapshot import snapshot
from tests.conftest import statements
from tests.handmade import T1, T2, handmade_frames, utc


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
    villages = snap.command[snap.command["level"] == "village"]
    for village in (villages["code"].iloc[0], villages["code"].iloc[-1]):
        chain = chain_of_command(snap.command, village)
        assert [n["level"] for n in chain] == [
            "village",
            "township",
            "county",
            "city",
            "province",
            "ministry",
        ]
        # each node the one its predecessor reports to; the village's own township's
        codes = [n["code"] for n in chain]
        assert [n["parent_code"] for n in chain[:-1]] == codes[1:]
        assert chain[1]["township_code"] == chain[0]["township_code"]


@pytest.fixture(scope="module")
def tiny(handmade_store):
    return snapshot(handmade_store)


def test_chain_of_command_goes_through_the_villages_own_township(tiny):
    def chain(code):
        return [node["code"] for node in chain_of_command(tiny.command, code)]

    assert chain("V1") == ["V1", "N1", "K", "C", "P", "M"]
    assert chain("V2") == ["V2", "N2", "K", "C", "P", "M"]
    assert chain("K") == ["K", "C", "P", "M"]
    assert chain("nobody") == []


# What each response level mobilises in the hand-made district (tests/handmade.py).
MOBILISED = {
    4: ({"D4"}, {"F4"}, {"M", "P", "C", "K", "N1", "N2"}),
    3: ({"D4", "D3"}, {"F4", "F3"}, {"M", "P", "C", "K", "N1", "N2", "V1"}),
    2: ({"D4", "D3", "D2"}, {"F4", "F3", "F2"}, {"M", "P", "C", "K", "N1", "N2", "V1", "V2"}),
    1: ({"D4", "D3", "D2", "D1"}, {"F4", "F3", "F2", "F1"}, {"M", "P", "C", "K", "N1", "N2",
                                                               "V1", "V2"}),
}  # fmt: skip
ALL_RISKS = {"R1", "R2", "R3", "R4", "R5", "R6", "R7"}


@pytest.mark.parametrize("level", [4, 3, 2, 1])
def test_each_level_mobilises_its_depots_forces_and_command_nodes(tiny, level):
    sel = tiny.select(Filter.of(level=level))
    depots, forces, nodes = MOBILISED[level]
    assert set(sel.materials["code"]) == depots
    assert set(sel.forces["code"]) == forces
    assert set(sel.command["code"]) == nodes
    assert set(sel.risk["code"]) == ALL_RISKS  # risk points are not mobilised
    assert sel.figures.counts == {
        "risk": 7,
        "materials": len(depots),
        "forces": len(forces),
        "command": len(nodes),
    }


def test_level_and_township_together(tiny):
    sel = tiny.select(Filter.of(["T2"], 2))
    assert set(sel.materials["code"]) == {"D3"}
    assert set(sel.forces["code"]) == {"F3"}
    assert set(sel.command["code"]) == {"M", "P", "C", "K", "N2", "V2"}
    assert set(sel.risk["code"]) == {"R3", "R4", "R6"}


def test_key_figures_of_the_handmade_district(tiny):
    fig = tiny.select(Filter.of(level=3)).figures
    assert fig.points_by_grade == {"major": 2, "larger": 2, "general": 1, "low": 2}
    # Five hidden dangers: R2, R3, R6 rectified; R1 open and R7 in progress are not.
    assert (fig.hidden_open, fig.hidden_rectified) == (2, 3)
    assert fig.rectification_rate == pytest.approx(3 / 5)
    # D4 and D3 at level III; F4 and F3; on duty: all but N2 of the seven nodes.
    assert fig.materials == {
        "woven_bag": 150.0,
        "sand": 10.0,
        "life_jacket": 0.0,
        "boats": 0.0,
        "pump": 0.0,
    }
    assert (fig.people, fig.vehicles, fig.boats) == (50, 6, 1)
    assert (fig.nodes_on_duty, fig.nodes_total) == (6, 7)
    every = tiny.select(Filter.of()).figures
    assert every.materials["boats"] == 3.0  # D2's assault and rubber boats
    assert (every.people, every.vehicles, every.boats) == (110, 7, 6)
    assert (every.nodes_on_duty, every.nodes_total) == (6, 8)
    t1 = tiny.select(Filter.of(["T1"])).figures
    assert (t1.hidden_open, t1.hidden_rectified) == (2, 1)  # R1, R7 open; R2 rectified
    assert t1.rectification_rate == pytest.approx(1 / 3)
    no_hidden = tiny.select(Filter.of(["T1"], grades=["major"])).figures
    assert no_hidden.rectification_rate == pytest.approx(0.0)  # R1 open, R5 a risk source
    assert tiny.select(Filter.of(grades=[])).figures.rectification_rate is None


def test_key_figures_are_exact(snap):
    town = snap.towns["code"].iloc[1]
    sel = snap.select(Filter.of([town], 3))
    fig = sel.figures
    assert sum(fig.points_by_grade.values()) == len(sel.risk)
    hidden = sel.risk[sel.risk["kind"] == "hidden_danger"]
    rectified = int((hidden["rectification_status"] == "rectified").sum())
    assert 0 < rectified < len(hidden) and 2 * rectified != len(hidden)  # a swap would show
    assert (fig.hidden_open, fig.hidden_rectified) == (len(hidden) - rectified, rectified)
    assert fig.rectification_rate == pytest.approx(rectified / len(hidden))
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


class Clock(datetime):
    """``datetime`` whose ``now()`` is what the test says."""

    moment: datetime

    @classmethod
    def now(cls, tz=None):
        return cls.moment


def test_what_is_in_force_follows_the_clock_with_no_write(empty_store, monkeypatch):
    """An activation ending or a warning being issued changes the snapshot at that
    second, not at the next write or the next minute; in between, nothing is re-read."""
    empty_store.replace_all(
        handmade_frames(
            [
                (1, 4, utc(2026, 6, 1, 0), None, [T1]),
                (2, 2, utc(2026, 7, 1, 10), utc(2026, 7, 1, 10, 0, 30), [T2]),
            ],
            [("W2", "red", utc(2026, 7, 1, 10, 0, 20), None)],
        )
    )
    monkeypatch.setattr(snapshot_module, "datetime", Clock)

    def at(*hms):
        Clock.moment = utc(2026, 7, 1, *hms)
        snap = snapshot(empty_store)
        return snap.activation["id"], list(snap.warnings["identifier"]), snap.response_due

    assert at(10, 0, 10) == (2, [], utc(2026, 7, 1, 10, 0, 20))
    sent = statements(empty_store)
    assert at(10, 0, 15) == (2, [], utc(2026, 7, 1, 10, 0, 20))
    assert len(sent) == 1, sent  # the revisions; the rest from the cache
    assert at(10, 0, 25) == (2, ["W2"], utc(2026, 7, 1, 10, 0, 30))
    assert at(10, 0, 40) == (1, ["W2"], None)
