"""Recommendations on a network whose answer is known, on the demo's against networkx,
and what hazard areas, the response level and a missing network change."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from auth import system_principal
from dispatch.graph import RoadGraph
from dispatch.recommend import Needs, recommend, road_graph, travel_times
from editing.records import create_record
from layers.snapshot import snapshot
from tests.dispatch.conftest import EDGES, INCIDENT, NODES, bridge_cut

OFFICER = system_principal("tests")
BAGS = Needs.of({"items": {"woven_bag": 100}, "forces": {"flood_team": 30}})


def road_seconds(path: list[int], store) -> float:
    roads = store.read("roads")
    total = 0.0
    for a, b in itertools.pairwise(path):
        row = roads[((roads.u == a) & (roads.v == b)) | ((roads.u == b) & (roads.v == a))].iloc[0]
        total += row.length_m / (row.speed_kmh / 3.6)
    return total


def test_the_nearest_depot_by_road_comes_first_not_the_nearest_as_the_crow_flies(river_town):
    got = recommend(river_town, *INCIDENT, BAGS)
    assert got.routing == "road"
    assert [d["code"] for d in got.depots] == ["B", "A"]
    assert got.depots[0]["take"] == {"woven_bag": 60}  # B holds 60: A gives the other 40
    assert got.depots[1]["take"] == {"woven_bag": 40}
    assert got.depots[0]["travel_s"] == pytest.approx(road_seconds([4, 2, 1], river_town), abs=0.1)
    assert got.depots[1]["travel_s"] == pytest.approx(
        road_seconds([7, 6, 5, 3, 2, 1], river_town), abs=0.1
    )
    assert [f["code"] for f in got.forces] == ["FB", "FA"]  # 15 + 20 flood fighters >= 30
    assert got.short == {}
    assert [n["code"] for n in got.chain] == ["TS", "C"]
    assert got.station["code"] == "VS"


def test_what_no_depot_can_cover_is_short(river_town):
    needs = {"items": {"woven_bag": 500, "sand": 10, "pump": 2}, "forces": {"fire_rescue": 6}}
    got = recommend(river_town, *INCIDENT, Needs.of(needs))
    assert got.short == {"woven_bag": 340, "pump": 2, "fire_rescue": 6}
    assert {d["code"]: d["take"] for d in got.depots} == {
        "B": {"woven_bag": 60},
        "A": {"woven_bag": 100, "sand": 10},
    }


def test_a_flooded_bridge_cuts_the_far_bank_off(river_town):
    create_record(river_town, OFFICER, "hazard_areas", {
        "code": "FLOOD-1", "name": "桥头淹没区", "kind": "flooded",
        "geom": shapely.geometry.mapping(bridge_cut()),
    })  # fmt: skip
    got = recommend(river_town, *INCIDENT, BAGS)
    assert got.closed_roads == 1
    assert [d["code"] for d in got.depots] == ["B"]
    assert got.short == {"woven_bag": 40, "flood_team": 15}
    times, _ = travel_times(river_town, *INCIDENT)
    depots = snapshot(river_town).materials["code"].tolist()
    assert np.isinf(times["materials"][depots.index("A")])


def test_without_roads_it_says_straight_line_and_uses_the_detour_factor(river_town):
    river_town.execute(__import__("store.schema", fromlist=["roads"]).roads.delete())
    got = recommend(river_town, *INCIDENT, BAGS)
    assert got.routing == "straight-line"
    assert got.as_json()["detour_factor"] == 1.4
    # as the crow flies A is nearer, and holds all 100 bags
    assert [(d["code"], d["take"]) for d in got.depots] == [("A", {"woven_bag": 100})]


def test_only_what_the_response_in_force_mobilises_unless_widened(river_town):
    from store import schema

    river_town.execute(schema.depots.update().where(schema.depots.c.code == "A")
                       .values(mobilise_level=1))  # fmt: skip
    create_record(river_town, OFFICER, "response_activations",
                  {"level": 3, "starts_at": "2020-01-01 00:00"})  # fmt: skip
    got = recommend(river_town, *INCIDENT, BAGS)
    assert got.level == 3 and [d["code"] for d in got.depots] == ["B"]
    assert got.short["woven_bag"] == 40
    wide = recommend(river_town, *INCIDENT, BAGS, widen=True)
    assert wide.level is None and [d["code"] for d in wide.depots] == ["B", "A"]


def test_travel_times_equal_networkx_on_the_demo_network(demo_store):
    snap = snapshot(demo_store)
    roads = demo_store.read("roads")
    graph = nx.Graph()
    for row in roads.itertuples():
        seconds = row.length_m / (row.speed_kmh / 3.6)
        if not graph.has_edge(row.u, row.v) or graph[row.u][row.v]["s"] > seconds:
            graph.add_edge(row.u, row.v, s=seconds)
    ours = road_graph(demo_store, snap.revisions)
    node_id = np.unique(np.concatenate([roads.u.to_numpy(), roads.v.to_numpy()]))
    rng = np.random.default_rng(3)
    for depot in snap.materials.sample(3, random_state=1).itertuples():
        lon, lat = depot.geom.x, depot.geom.y  # an incident at a depot: exactly on a node
        times, routing = travel_times(demo_store, lon, lat)
        assert routing == "road"
        (target,), _ = ours.snap(np.array([lon]), np.array([lat]))
        expected = nx.single_source_dijkstra_path_length(graph, node_id[target], weight="s")
        for i in rng.choice(len(snap.forces), 25, replace=False):
            (node,), (off,) = ours.snap(
                np.array([snap.forces.geom.iloc[i].x]), np.array([snap.forces.geom.iloc[i].y])
            )
            assert off == 0  # every force base sits on a node
            assert times["forces"][i] == pytest.approx(expected[node_id[node]], rel=1e-9)


def test_every_demo_place_is_on_the_network_and_reachable(demo_store):
    snap = snapshot(demo_store)
    graph = road_graph(demo_store, snap.revisions)
    centre = snap.towns.geometry.iloc[0].representative_point()
    times, _ = travel_times(demo_store, centre.x, centre.y)
    local = snap.command["level"].isin(["county", "township", "village"]).to_numpy()
    for kind, frame, mask in (("materials", snap.materials, None), ("forces", snap.forces, None),
                              ("command", snap.command, local)):  # fmt: skip
        _, off = graph.snap(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())
        keep = slice(None) if mask is None else mask
        assert (off[keep] == 0).all(), kind
        assert np.isfinite(times[kind][keep]).all(), kind


@pytest.fixture(scope="module")
def small_graph() -> RoadGraph:
    import geopandas as gpd
    import pandas as pd

    rng = np.random.default_rng(5)
    xy = rng.uniform([112.0, 30.0], [112.2, 30.2], (60, 2))
    rows = []
    for a in range(60):
        for b in np.argsort(((xy - xy[a]) ** 2).sum(1))[1:4]:
            rows.append({"u": a, "v": int(b), "length_m": float(rng.uniform(100, 3000)),
                         "speed_kmh": 30.0, "oneway": bool(rng.random() < 0.2),
                         "geom": shapely.LineString([xy[a], xy[b]])})  # fmt: skip
    return RoadGraph.from_roads(gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geom"))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_closing_roads_never_shortens_a_time(small_graph, data):
    closed = np.array(data.draw(st.lists(st.booleans(), min_size=len(small_graph.seconds),
                                         max_size=len(small_graph.seconds))))  # fmt: skip
    target = data.draw(st.integers(0, small_graph.nodes - 1))
    before = small_graph.times_to(small_graph.reversed_matrix(), target)
    after = small_graph.times_to(small_graph.reversed_matrix(closed), target)
    assert (after >= before - 1e-9).all()


def test_a_one_way_road_counts_only_its_own_way():
    import geopandas as gpd
    import pandas as pd

    line = shapely.LineString([(112.0, 30.0), (112.01, 30.0)])
    row = {"u": 1, "v": 2, "length_m": 1000.0, "speed_kmh": 36.0, "oneway": True, "geom": line}
    roads = gpd.GeoDataFrame(pd.DataFrame([row]), geometry="geom")
    graph = RoadGraph.from_roads(roads)
    to_v = graph.times_to(graph.reversed_matrix(), 1)  # node index 1 is v
    to_u = graph.times_to(graph.reversed_matrix(), 0)
    assert to_v[0] == pytest.approx(100.0) and np.isinf(to_u[1])


def test_nodes_and_edges_of_the_river_town(river_town):
    graph = road_graph(river_town, river_town.revisions())
    assert graph.nodes == len(NODES) and len(graph.seconds) == len(EDGES)


def test_the_command_chain_for_a_point_in_each_demo_township(demo_store):
    snap = snapshot(demo_store)
    for town in snap.towns.itertuples():
        point = town.geom.representative_point()
        got = recommend(demo_store, point.x, point.y, Needs())
        levels = [n["level"] for n in got.chain]
        assert levels == ["township", "county", "city", "province", "ministry"], town.code
        head = snap.command.set_index("code").loc[got.chain[0]["code"]]
        assert head["township_code"] == town.code
        assert got.chain[0]["duty_officer"] == head["duty_officer"]
        assert got.station is not None
