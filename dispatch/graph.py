"""The road network as a graph, and travel times along it to one place.

Built once per roads revision (a sparse matrix of travel seconds, length over
speed, the shortest of parallel segments), with a k-d tree to find the node
nearest a place. Hazard areas close the segments they touch: the searched
graph is rebuilt without them (the mask changes, the arrays do not), so a
flooded road is never used, however short. Times *to* the incident are
searched on the reversed graph from it, so one-way roads count the right way.

A place off the network (an incident in a field, a depot of an OpenStreetMap
extract) joins its nearest open node at :data:`ACCESS_KMH` over the straight
line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

ACCESS_KMH = 15.0  # the last stretch, off the mapped roads
EARTH_M = 6_371_000.0
# Searched within these many seconds first; wider only when what is found falls short.
LIMITS = (900.0, 2700.0, 7200.0, np.inf)


def _metres(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    k = np.pi / 180 * EARTH_M
    return np.column_stack([np.asarray(lon) * k * np.cos(np.radians(lat0)), np.asarray(lat) * k])


@dataclass
class RoadGraph:
    """Nodes (lon/lat), segments (node indexes, seconds), and what closes them."""

    node_xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    seconds: np.ndarray
    oneway: np.ndarray
    lines: np.ndarray  # shapely LineStrings, one per segment
    lat0: float
    _tree: cKDTree = field(repr=False, default=None)  # type: ignore[assignment]
    _lines_tree: shapely.STRtree = field(repr=False, default=None)  # type: ignore[assignment]

    @classmethod
    def from_roads(cls, roads: gpd.GeoDataFrame) -> RoadGraph:
        """From the ``roads`` table (``u``, ``v``, ``length_m``, ``speed_kmh``, ``oneway``)."""
        ids = np.unique(np.concatenate([roads["u"].to_numpy(), roads["v"].to_numpy()]))
        u = np.searchsorted(ids, roads["u"].to_numpy())
        v = np.searchsorted(ids, roads["v"].to_numpy())
        lines = roads.geometry.to_numpy()
        starts = shapely.get_point(lines, 0)
        ends = shapely.get_point(lines, -1)
        xy = np.zeros((len(ids), 2))
        xy[u] = shapely.get_coordinates(starts)
        xy[v] = shapely.get_coordinates(ends)
        seconds = roads["length_m"].to_numpy(float) / (roads["speed_kmh"].to_numpy(float) / 3.6)
        lat0 = float(xy[:, 1].mean()) if len(xy) else 30.0
        graph = cls(xy, u, v, seconds, roads["oneway"].to_numpy(bool), lines, lat0)
        graph._tree = cKDTree(_metres(xy[:, 0], xy[:, 1], lat0)) if len(xy) else None
        graph._lines_tree = shapely.STRtree(lines)
        return graph

    @property
    def nodes(self) -> int:
        return len(self.node_xy)

    def closed_by(self, areas: list[shapely.Geometry]) -> np.ndarray:
        """Mask of the segments that any of ``areas`` touches."""
        closed = np.zeros(len(self.seconds), bool)
        for area in areas:
            closed[self._lines_tree.query(area, predicate="intersects")] = True
        return closed

    def reversed_matrix(self, closed: np.ndarray | None = None) -> csr_matrix:
        """Travel seconds from v to u for every open u->v (so searching from the incident
        gives times *to* it); parallel segments keep the shortest."""
        keep = ~closed if closed is not None else np.ones(len(self.seconds), bool)
        u, v, s, one = self.u[keep], self.v[keep], self.seconds[keep], self.oneway[keep]
        rows = np.concatenate([v, u[~one]])  # reversed: from the head back to the tail
        cols = np.concatenate([u, v[~one]])
        vals = np.concatenate([s, s[~one]])
        order = np.lexsort((vals, cols, rows))  # shortest first within each (row, col)
        rows, cols, vals = rows[order], cols[order], vals[order]
        first = np.ones(len(rows), bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        return csr_matrix((vals[first], (rows[first], cols[first])), shape=(self.nodes, self.nodes))

    def open_nodes(self, closed: np.ndarray | None) -> np.ndarray:
        """Nodes with at least one open segment."""
        keep = ~closed if closed is not None else np.ones(len(self.seconds), bool)
        alive = np.zeros(self.nodes, bool)
        alive[self.u[keep]] = True
        alive[self.v[keep]] = True
        return alive

    def snap(
        self, lon: np.ndarray, lat: np.ndarray, open_network: OpenNetwork | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nearest (open) node of each place, and the seconds to reach it off the roads."""
        points = _metres(np.atleast_1d(lon), np.atleast_1d(lat), self.lat0)
        if open_network is None or open_network.tree is None:
            dist, node = self._tree.query(points)
        elif len(open_network.nodes) == 0:
            return np.full(len(points), -1), np.full(len(points), np.inf)
        else:
            dist, near = open_network.tree.query(points)
            node = open_network.nodes[near]
        return np.asarray(node), np.asarray(dist) / (ACCESS_KMH / 3.6)

    def open_network(self, closed: np.ndarray | None) -> OpenNetwork:
        """What hazard areas leave open: the search matrix, and a k-d tree of the nodes
        that still have an open road (built once per closure, not per search)."""
        matrix = self.reversed_matrix(closed)
        if closed is None or not closed.any():
            return OpenNetwork(closed, matrix, None, None)
        nodes = np.flatnonzero(self.open_nodes(closed))
        tree = cKDTree(_metres(*self.node_xy[nodes].T, self.lat0)) if len(nodes) else None
        return OpenNetwork(closed, matrix, nodes, tree)

    def times_to(self, matrix: csr_matrix, node: int, limit: float = np.inf) -> np.ndarray:
        """Seconds from every node to ``node`` along open roads (inf: not within ``limit``)."""
        return dijkstra(matrix, indices=int(node), limit=limit)


@dataclass(frozen=True)
class OpenNetwork:
    """The network as hazard areas leave it (``nodes``/``tree`` None: nothing closed)."""

    closed: np.ndarray | None
    matrix: csr_matrix
    nodes: np.ndarray | None
    tree: cKDTree | None


def straight_line_seconds(
    lon: np.ndarray, lat: np.ndarray, to_lon: float, to_lat: float, detour: float, kmh: float
) -> np.ndarray:
    """Without a road network: the straight line times a detour factor, at one speed."""
    a = _metres(np.atleast_1d(lon), np.atleast_1d(lat), to_lat)
    b = _metres(np.array([to_lon]), np.array([to_lat]), to_lat)
    return np.linalg.norm(a - b, axis=1) * detour / (kmh / 3.6)
