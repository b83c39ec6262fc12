"""A synthetic road network over the demo (or city) data: deterministic, and said to be so.

Real deployments load an OpenStreetMap extract (``manage.py load roads
FILE.osm.pbf``); the demo has no real roads, so this draws a plausible
network from the data itself:

* a river (synthetic) runs across the jurisdiction from west to east; roads
  cross it only at a few bridges, so the nearest depot as the crow flies can
  be the furthest by road;
* trunk roads (60 km/h) join the township centres on each bank, a spanning
  tree plus the shorter extra links that make loops;
* county and village roads (40 and 30 km/h) reach every depot, force base and
  command node in the jurisdiction (the province's and ministry's are far
  off): each joins the nearest place already on the network on its
  own bank, and a second link when one is near, so one closed road seldom cuts
  a place off;
* long segments are split into pieces of at most ``max_segment_m`` (more
  nodes, as a real network has), for the city-scale benchmark.

Every depot, force base and command node in the jurisdiction sits exactly on a node.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree

SPEEDS = {"trunk": 60.0, "county": 40.0, "village": 30.0, "bridge": 40.0}
EARTH_M = 6_371_000.0


def _metres(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    """Local planar coordinates in metres (fine over a city)."""
    k = np.pi / 180 * EARTH_M
    return np.column_stack([lon * k * np.cos(np.radians(lat0)), lat * k])


def river_line(region: shapely.Geometry) -> shapely.LineString:
    """A gentle S-curve across ``region`` from west to east, through its middle."""
    west, south, east, north = region.bounds
    xs = np.linspace(west - 0.05, east + 0.05, 80)
    t = (xs - west) / (east - west)
    ys = south + (north - south) * (0.48 + 0.08 * np.sin(2.2 * np.pi * t))
    return shapely.LineString(np.column_stack([xs, ys]))


def _north_of(river: shapely.LineString, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    coords = np.asarray(river.coords)
    return lat > np.interp(lon, coords[:, 0], coords[:, 1])


def build_roads(
    frames: dict[str, pd.DataFrame],
    *,
    bridges: int = 2,
    max_segment_m: float | None = None,
    seed: int = 7,
) -> gpd.GeoDataFrame:
    """The ``roads`` table for a data set's townships, depots, forces and command nodes."""
    rng = np.random.default_rng(seed)
    towns = frames["townships"]
    region = shapely.union_all(towns.geometry.values)
    river = river_line(region)
    anchors = towns.geometry.representative_point()
    places = [np.column_stack([anchors.x, anchors.y])]
    for table in ("depots", "forces", "command_nodes"):
        geom = frames[table].geometry
        places.append(np.column_stack([geom.x, geom.y]))
    xy = np.unique(np.vstack(places), axis=0)  # one node per distinct place
    # The province's and the ministry's nodes sit far away: reached by phone, not road.
    west, south, east, north_edge = region.buffer(0.05).bounds
    xy = xy[
        (xy[:, 0] >= west) & (xy[:, 0] <= east) & (xy[:, 1] >= south) & (xy[:, 1] <= north_edge)
    ]
    town_xy = np.column_stack([anchors.x, anchors.y])
    lat0 = float(xy[:, 1].mean())
    north = _north_of(river, xy[:, 0], xy[:, 1])
    is_town = np.zeros(len(xy), bool)
    is_town[cKDTree(xy).query(town_xy)[1]] = True
    edges: list[tuple[int, int, str]] = []

    # Bridges: a node on each bank, joined across the river.
    coords = np.asarray(river.coords)
    bridge_x = np.linspace(coords[0, 0], coords[-1, 0], bridges + 2)[1:-1]
    extra = []
    for bx in bridge_x:
        by = float(np.interp(bx, coords[:, 0], coords[:, 1]))
        extra += [(bx, by + 0.004), (bx, by - 0.004)]
    if extra:
        first = len(xy)
        xy = np.vstack([xy, np.array(extra)])
        north = np.concatenate([north, np.tile([True, False], bridges)])
        is_town = np.concatenate([is_town, np.ones(len(extra), bool)])  # trunk ends
        edges += [(first + 2 * b, first + 2 * b + 1, "bridge") for b in range(bridges)]
    metres = _metres(xy[:, 0], xy[:, 1], lat0)

    for bank in (True, False):
        members = np.flatnonzero(north == bank)
        hubs = members[is_town[members]]
        if len(hubs) == 0:
            continue
        # Trunk: a spanning tree of the bank's hubs, plus short extra links (loops).
        if len(hubs) > 1:
            d = np.linalg.norm(metres[hubs][:, None] - metres[hubs][None, :], axis=2)
            tree = minimum_spanning_tree(d).tocoo()
            edges += [(hubs[a], hubs[b], "trunk") for a, b in zip(tree.row, tree.col, strict=True)]
            order = np.argsort(d, axis=1)
            for a in range(len(hubs)):
                for b in order[a, 1:3]:
                    if a < b and d[a, b] < 1.6 * np.median(d[d > 0]):
                        edges.append((hubs[a], hubs[b], "trunk"))
        # Everything else joins the nearest place already on the network, nearest first.
        others = members[~is_town[members]]
        if len(others) == 0:
            continue
        start = cKDTree(metres[hubs]).query(metres[others])[0]
        placed = list(hubs)
        pending = others[np.argsort(start)]
        tree_of = cKDTree(metres[hubs])
        batch = max(64, len(pending) // 40)
        for lo in range(0, len(pending), batch):
            chunk = pending[lo : lo + batch]
            dist, near = tree_of.query(metres[chunk], k=min(2, len(placed)))
            dist, near = np.atleast_2d(dist.T).T, np.atleast_2d(near.T).T
            for i, node in enumerate(chunk):
                target = placed[int(near[i, 0])]
                kind = "county" if dist[i, 0] > 3000 else "village"
                edges.append((target, node, kind))
                if near.shape[1] > 1 and dist[i, 1] < 2500 and rng.random() < 0.6:
                    edges.append((placed[int(near[i, 1])], node, "village"))
            placed += list(chunk)
            tree_of = cKDTree(metres[placed])
    edges = _off_the_river(xy, metres, north, edges, river)
    return _segments(xy, metres, edges, max_segment_m)


def _off_the_river(
    xy: np.ndarray,
    metres: np.ndarray,
    north: np.ndarray,
    edges: list[tuple[int, int, str]],
    river: shapely.LineString,
) -> list[tuple[int, int, str]]:
    """Drop the links that cross the river anywhere but at a bridge (a straight link
    between two places on one bank can still cut a bend), and join again what that
    cut off, by the nearest link that stays on its bank."""
    lines = shapely.linestrings(np.stack([xy[[a for a, _, _ in edges]],
                                          xy[[b for _, b, _ in edges]]], axis=1))  # fmt: skip
    crossing = shapely.intersects(lines, river)
    kept = [e for e, c in zip(edges, crossing, strict=True) if e[2] == "bridge" or not c]
    n = len(xy)
    for _ in range(50):
        a = np.array([e[0] for e in kept])
        b = np.array([e[1] for e in kept])
        graph = csr_matrix((np.ones(len(kept)), (a, b)), shape=(n, n))
        count, label = connected_components(graph, directed=False)
        if count == 1:
            return kept
        main = np.bincount(label).argmax()
        for comp in range(count):
            if comp == main:
                continue
            members = np.flatnonzero(label == comp)
            bank = north[members[0]]
            targets = np.flatnonzero((label == main) & (north == bank))
            dist, near = cKDTree(metres[targets]).query(metres[members], k=min(8, len(targets)))
            dist, near = np.atleast_2d(dist.T).T, np.atleast_2d(near.T).T
            for i in np.argsort(dist[:, 0]):
                done = False
                for j in range(near.shape[1]):
                    link = shapely.LineString([xy[members[i]], xy[targets[near[i, j]]]])
                    if not link.intersects(river):
                        kept.append((int(targets[near[i, j]]), int(members[i]), "village"))
                        done = True
                        break
                if done:
                    break
    return kept


def _segments(
    xy: np.ndarray, metres: np.ndarray, edges: list[tuple[int, int, str]], max_m: float | None
) -> gpd.GeoDataFrame:
    rows = []
    next_node = len(xy)
    seen: set[tuple[int, int]] = set()
    for a, b, kind in edges:
        key = (min(a, b), max(a, b))
        if a == b or key in seen:
            continue
        seen.add(key)
        length = max(float(np.linalg.norm(metres[a] - metres[b])), 1.0)  # two places a step apart
        pieces = 1 if not max_m else max(1, int(np.ceil(length / max_m)))
        nodes = [a, *list(range(next_node, next_node + pieces - 1)), b]
        next_node += pieces - 1
        points = [xy[a] + (xy[b] - xy[a]) * k / pieces for k in range(pieces + 1)]
        for k in range(pieces):
            rows.append(
                (
                    nodes[k],
                    nodes[k + 1],
                    kind,
                    kind == "bridge",
                    length / pieces,
                    SPEEDS[kind],
                    shapely.LineString([points[k], points[k + 1]]),
                )
            )
    frame = pd.DataFrame(
        rows, columns=["u", "v", "kind", "bridge", "length_m", "speed_kmh", "geom"]
    )
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["name"] = ""
    frame["oneway"] = False
    return gpd.GeoDataFrame(frame, geometry="geom", crs="EPSG:4326")
