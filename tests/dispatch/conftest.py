"""A hand-made river town whose answers are known, in a fresh store of each kind.

South bank (lat < 30.05) and north bank, a river between, one bridge at the
east end (lon 112.09). The incident is on the south bank at the west end
(112.01, 30.04). Depot A sits right across the river (2.2 km as the crow
flies, ~17 km by road over the bridge); depot B is on the incident's bank
(4.9 km away, 7 km by road). Roads run at 36 km/h (10 m/s).

    7 A ──── 6 ──── 5          north bank (30.06)
                    │ bridge
    1 ────── 2 ──── 3          south bank (30.04)
    ^incident│
             4 B                (30.01)
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.conftest import STORE_KINDS, _fresh_store

NODES = {
    1: (112.01, 30.04),
    2: (112.05, 30.04),
    3: (112.09, 30.04),
    4: (112.05, 30.01),
    5: (112.09, 30.06),
    6: (112.05, 30.06),
    7: (112.01, 30.06),
}
EDGES = [(1, 2, False), (2, 3, False), (2, 4, False), (3, 5, True), (5, 6, False), (6, 7, False)]
INCIDENT = (112.01, 30.04)
A, B = NODES[7], NODES[4]


def _gdf(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geom", crs="EPSG:4326")


def river_frames() -> dict[str, pd.DataFrame]:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    south = shapely.box(112.0, 30.0, 112.1, 30.05)
    north = shapely.box(112.0, 30.05, 112.1, 30.1)
    town = {"jurisdiction_code": "999001"}
    roads = []
    for n, (a, b, bridge) in enumerate(EDGES, start=1):
        line = shapely.LineString([NODES[a], NODES[b]])
        length = geod.geometry_length(line)
        roads.append({"id": n, "u": a, "v": b, "kind": "bridge" if bridge else "county",
                      "bridge": bridge, "length_m": length, "speed_kmh": 36.0, "geom": line,
                      "name": "", "oneway": False})  # fmt: skip

    def depot(code: str, xy: tuple, town: str) -> dict:
        return {"code": code, "name": f"仓库{code}", "name_en": "", "level": "township",
                "township_code": town, "geom": shapely.Point(xy), "keeper": "", "keeper_phone": "",
                "mobilise_level": 4}  # fmt: skip

    def force(code: str, xy: tuple, town: str, kind: str, heads: int, boats: int = 0) -> dict:
        return {"code": code, "name": f"队伍{code}", "name_en": "", "type": kind,
                "township_code": town, "geom": shapely.Point(xy), "headcount": heads,
                "vehicles": 1, "boats": boats, "leader": "", "leader_phone": "",
                "status": "available", "mobilise_level": 4}  # fmt: skip

    def node(code: str, level: str, parent: str | None, town: str | None, xy: tuple) -> dict:
        return {"code": code, "name": f"节点{code}", "name_en": "", "level": level,
                "parent_code": parent, "township_code": town, "geom": shapely.Point(xy),
                "duty_officer": f"值班{code}", "duty_phone": "0716-1234567", "channels": "phone",
                "status": "on_duty", "mobilise_level": 4}  # fmt: skip

    return {
        "jurisdictions": _gdf(
            [
                {
                    "code": "999001",
                    "name": "河城区",
                    "name_en": "River Town",
                    "level": "county",
                    "geom": shapely.MultiPolygon([shapely.box(112, 30, 112.1, 30.1)]),
                }
            ]
        ),
        "townships": _gdf(
            [
                {
                    "code": "S",
                    "name": "南岸镇",
                    "name_en": "South",
                    "geom": shapely.MultiPolygon([south]),
                    **town,
                },
                {
                    "code": "N",
                    "name": "北岸镇",
                    "name_en": "North",
                    "geom": shapely.MultiPolygon([north]),
                    **town,
                },
            ]
        ),
        "depots": _gdf([depot("A", A, "N"), depot("B", B, "S")]),
        "depot_stock": pd.DataFrame(
            [
                {"depot_code": "A", "item_code": "woven_bag", "quantity": 100.0},
                {"depot_code": "B", "item_code": "woven_bag", "quantity": 60.0},
                {"depot_code": "A", "item_code": "sand", "quantity": 30.0},
            ]
        ),
        "forces": _gdf(
            [
                force("FA", A, "N", "flood_team", 20, boats=2),
                force("FB", B, "S", "flood_team", 15),
                force("GB", B, "S", "grid", 5),
            ]
        ),
        "command_nodes": _gdf(
            [
                node("C", "county", None, "S", NODES[2]),
                node("TS", "township", "C", "S", NODES[2]),
                node("TN", "township", "C", "N", NODES[6]),
                node("VS", "village", "TS", "S", NODES[1]),
                node("VN", "village", "TN", "N", NODES[7]),
            ]
        ),
        "roads": gpd.GeoDataFrame(pd.DataFrame(roads), geometry="geom", crs="EPSG:4326"),
    }


@pytest.fixture(params=STORE_KINDS)
def river_town(request, tmp_path_factory) -> Iterator:
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(river_frames())
    yield store
    store.engine.dispose()


def bridge_cut() -> shapely.Polygon:
    """A flooded area over the bridge."""
    return shapely.box(112.085, 30.045, 112.095, 30.055)
