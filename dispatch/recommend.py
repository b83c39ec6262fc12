"""From an incident and what it needs to a proposal: depots, forces, the command chain.

Ranked by travel time along the roads from each resource to the incident,
never by straight-line distance (a river with one bridge makes the nearest
depot the furthest); hazard areas close the roads they touch. Only when no
road network is loaded does it fall back to the straight line times
:data:`DETOUR` at :data:`FALLBACK_KMH`, and says so.

Depots are taken nearest first until every item is covered (a split over
several depots when none holds enough), forces of each needed type until
their headcount is, then boats and vehicles; what no reachable resource can
cover is ``short``. By default only what the response level in force
mobilises is proposed; ``widen`` proposes everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dispatch.graph import LIMITS, OpenNetwork, RoadGraph, straight_line_seconds
from domain import MATERIAL_CATALOGUE
from layers._cache import cached
from layers.command import chain_of_command
from layers.incidents import hazard_areas, roads
from layers.snapshot import Snapshot, snapshot
from store import Store

DETOUR = 1.4  # roads are this much longer than the straight line, on average
FALLBACK_KMH = 40.0
ITEMS = {item.code for item in MATERIAL_CATALOGUE}


@dataclass(frozen=True)
class Needs:
    """What an incident asks for."""

    items: dict[str, float] = field(default_factory=dict)  # catalogue item -> quantity
    forces: dict[str, int] = field(default_factory=dict)  # force type -> headcount
    boats: int = 0
    vehicles: int = 0

    @classmethod
    def of(cls, data: dict | None) -> Needs:
        data = data or {}
        return cls(
            {k: float(v) for k, v in (data.get("items") or {}).items() if float(v) > 0},
            {k: int(v) for k, v in (data.get("forces") or {}).items() if int(v) > 0},
            int(data.get("boats") or 0),
            int(data.get("vehicles") or 0),
        )

    def as_json(self) -> dict:
        return {
            "items": self.items,
            "forces": self.forces,
            "boats": self.boats,
            "vehicles": self.vehicles,
        }


@dataclass
class Recommendation:
    """A proposal, in the order proposed."""

    routing: str  # "road" or "straight-line"
    level: int | None  # the response level whose mobilised resources were proposed
    depots: list[dict]
    forces: list[dict]
    short: dict[str, float]
    chain: list[dict]
    station: dict | None  # the village station nearest by road
    closed_roads: int  # segments closed by hazard areas

    def as_json(self) -> dict:
        return {
            "routing": self.routing,
            "level": self.level,
            "depots": self.depots,
            "forces": self.forces,
            "short": self.short,
            "chain": self.chain,
            "station": self.station,
            "closed_roads": self.closed_roads,
            "detour_factor": DETOUR if self.routing == "straight-line" else None,
            "fallback_kmh": FALLBACK_KMH if self.routing == "straight-line" else None,
        }


def road_graph(store: Store, revisions: dict) -> RoadGraph | None:
    """The network of the roads revision (None when no road is loaded)."""
    rev = revisions["roads"].revision

    def build() -> RoadGraph | None:
        frame = roads(store, revisions)
        return RoadGraph.from_roads(frame) if len(frame) else None

    return cached(store, "roads", "graph", rev, build)


def _closures(store: Store, revisions: dict, graph: RoadGraph) -> OpenNetwork:
    """What the hazard areas in force leave open (once per roads and incidents revision)."""
    key = (revisions["roads"].revision, revisions["hazards"].revision)

    def build() -> OpenNetwork:
        areas = hazard_areas(store, revisions)
        return graph.open_network(graph.closed_by(list(areas.geometry)) if len(areas) else None)

    return cached(store, "roads", "closures", key, build)


def _places(store: Store, revisions: dict, graph: RoadGraph, snap: Snapshot, network: OpenNetwork,
            closure_key: tuple) -> dict[str, tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """Each depot's, force's and command node's nearest open node and its access time."""
    key = (
        closure_key,
        revisions["materials"].revision,
        revisions["forces"].revision,
        revisions["command"].revision,
    )

    def build() -> dict:
        out = {}
        for kind in ("materials", "forces", "command"):
            frame = getattr(snap, kind)
            out[kind] = graph.snap(
                frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(), network
            )
        return out

    return cached(store, "roads", "places", key, build)


def travel_times(
    store: Store,
    lon: float,
    lat: float,
    needs: Needs | None = None,
    level: int | None = None,
) -> tuple[dict[str, np.ndarray], str]:
    """Seconds from every depot, force and command node (``materials``, ``forces``,
    ``command``, in the snapshot's order) to (lon, lat), and how they were found.

    With ``needs``, the search stops at the first of :data:`LIMITS` within which
    they can be met (what lies further is ``inf``); without, it goes everywhere.
    """
    snap = snapshot(store)
    return _times(store, snap, lon, lat, needs, level)[:2]


def travel_times_of(
    store: Store, lon: float, lat: float, frames: dict[str, gpd.GeoDataFrame]
) -> tuple[dict[str, np.ndarray], str]:
    """Seconds from a few places (``frames``: kind -> rows with geometry) to (lon, lat).

    For a confirmed dispatch: no snapshot of whole layers, and the search widens
    only until every one of them is reached.
    """
    revisions = store.revisions()
    graph = road_graph(store, revisions)
    if graph is None:
        return {
            kind: straight_line_seconds(
                f.geometry.x.to_numpy(), f.geometry.y.to_numpy(), lon, lat, DETOUR, FALLBACK_KMH
            )
            for kind, f in frames.items()
        }, "straight-line"
    network = _closures(store, revisions, graph)
    (target,), (access,) = graph.snap(np.array([lon]), np.array([lat]), network)
    placed = {
        kind: graph.snap(f.geometry.x.to_numpy(), f.geometry.y.to_numpy(), network)
        for kind, f in frames.items()
    }
    times: dict[str, np.ndarray] = {}
    for limit in LIMITS:
        dist = graph.times_to(network.matrix, target, limit) if target >= 0 else None
        times = {
            kind: (np.where(node >= 0, dist[np.maximum(node, 0)], np.inf) if dist is not None
                   else np.full(len(node), np.inf)) + off + access
            for kind, (node, off) in placed.items()
        }  # fmt: skip
        if all(np.isfinite(t).all() for t in times.values()):
            break
    return times, "road"


def _times(
    store: Store, snap: Snapshot, lon: float, lat: float, needs: Needs | None, level: int | None
) -> tuple[dict[str, np.ndarray], str, int]:
    revisions = snap.revisions
    frames = {"materials": snap.materials, "forces": snap.forces, "command": snap.command}
    graph = road_graph(store, revisions)
    if graph is None:
        times = {
            kind: straight_line_seconds(
                frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(), lon, lat,
                DETOUR, FALLBACK_KMH,
            )
            for kind, frame in frames.items()
        }  # fmt: skip
        return times, "straight-line", 0
    closure_key = (revisions["roads"].revision, revisions["hazards"].revision)
    network = _closures(store, revisions, graph)
    places = _places(store, revisions, graph, snap, network, closure_key)
    (target,), (access,) = graph.snap(np.array([lon]), np.array([lat]), network)
    times: dict[str, np.ndarray] = {}
    for limit in LIMITS if needs is not None else (np.inf,):
        dist = (
            graph.times_to(network.matrix, target, limit)
            if target >= 0
            else np.full(graph.nodes, np.inf)
        )
        times = {
            kind: np.where(node >= 0, dist[np.maximum(node, 0)], np.inf) + off + access
            for kind, (node, off) in places.items()
        }
        if needs is None or _covered(needs, snap.materials, snap.forces, times, level):
            break
    return times, "road", 0 if network.closed is None else int(network.closed.sum())


def recommend(
    store: Store,
    lon: float,
    lat: float,
    needs: Needs,
    *,
    widen: bool = False,
    level: int | None = None,
) -> Recommendation:
    """The proposal for an incident at (lon, lat) needing ``needs``."""
    snap = snapshot(store)
    if level is None and not widen and snap.activation:
        level = int(snap.activation["level"])
    if widen:
        level = None
    times, routing, closed = _times(store, snap, lon, lat, needs, level)
    return _propose(
        needs, snap, snap.materials, snap.forces, snap.command, times, level, routing, closed,
        lon, lat,
    )  # fmt: skip


def _mobilised(frame: pd.DataFrame, level: int | None) -> np.ndarray:
    if level is None:
        return np.ones(len(frame), bool)
    return frame["mobilise_level"].to_numpy() >= level


def _covered(needs: Needs, depots: pd.DataFrame, forces: pd.DataFrame, times: dict,
             level: int | None) -> bool:  # fmt: skip
    """Whether what is reachable so far could meet every need (then no wider search)."""
    reach = np.isfinite(times["materials"]) & _mobilised(depots, level)
    for item, quantity in needs.items.items():
        if depots[f"stock_{item}"].to_numpy()[reach].sum() < quantity:
            return False
    ready = (
        np.isfinite(times["forces"])
        & _mobilised(forces, level)
        & (forces["status"].to_numpy() == "available")
    )
    types = forces["type"].to_numpy()
    heads = forces["headcount"].to_numpy()
    for kind, headcount in needs.forces.items():
        if heads[ready & (types == kind)].sum() < headcount:
            return False
    return (
        forces["boats"].to_numpy()[ready].sum() >= needs.boats
        and forces["vehicles"].to_numpy()[ready].sum() >= needs.vehicles
    )


def _propose(needs: Needs, snap: Snapshot, depots: pd.DataFrame, forces: pd.DataFrame,
             nodes: pd.DataFrame, times: dict, level: int | None, routing: str,
             closed: int, lon: float, lat: float) -> Recommendation:  # fmt: skip
    short: dict[str, float] = {}
    # Depots: nearest first, each giving what is still missing.
    missing = {k: v for k, v in needs.items.items() if k in ITEMS}
    unknown = {k: v for k, v in needs.items.items() if k not in ITEMS}
    depot_plan = []
    if missing:
        stock = depots[[f"stock_{i}" for i in missing]].to_numpy()
        usable = np.isfinite(times["materials"]) & _mobilised(depots, level) & (stock > 0).any(1)
        for i in np.flatnonzero(usable)[np.argsort(times["materials"][usable], kind="stable")]:
            take = {}
            for j, item in enumerate(missing):
                amount = min(missing[item], float(stock[i, j]))
                if amount > 0:
                    take[item] = _whole(amount)
                    missing[item] -= amount
            if take:
                depot_plan.append(_resource(depots.iloc[i], times["materials"][i], take=take))
            if all(v <= 0 for v in missing.values()):
                break
    short.update({k: _whole(v) for k, v in missing.items() if v > 0})
    short.update(unknown)

    # Forces: of each needed type until its headcount; then boats, then vehicles.
    ready = (
        np.isfinite(times["forces"])
        & _mobilised(forces, level)
        & (forces["status"].to_numpy() == "available")
    )
    order = np.flatnonzero(ready)[np.argsort(times["forces"][ready], kind="stable")]
    types = forces["type"].to_numpy()
    heads, boats, cars = (forces[c].to_numpy() for c in ("headcount", "boats", "vehicles"))
    chosen: list[int] = []
    for kind, headcount in needs.forces.items():
        got = 0
        for i in order:
            if got >= headcount:
                break
            if types[i] == kind and i not in chosen:
                chosen.append(int(i))
                got += int(heads[i])
        if got < headcount:
            short[kind] = headcount - got
    for column, wanted, key in ((boats, needs.boats, "boats"), (cars, needs.vehicles, "vehicles")):
        got = int(column[chosen].sum()) if chosen else 0
        for i in order:
            if got >= wanted:
                break
            if column[i] > 0 and i not in chosen:
                chosen.append(int(i))
                got += int(column[i])
        if got < wanted:
            short[key] = wanted - got
    chosen.sort(key=lambda i: times["forces"][i])
    force_plan = [
        _resource(forces.iloc[i], times["forces"][i], headcount=int(heads[i]),
                  boats=int(boats[i]), vehicles=int(cars[i]), type=str(types[i]))
        for i in chosen
    ]  # fmt: skip

    chain, station = _chain(snap, nodes, times["command"], lon, lat)
    return Recommendation(routing, level, depot_plan, force_plan, short, chain, station, closed)


def _chain(snap: Snapshot, nodes: pd.DataFrame, node_times: np.ndarray, lon: float,
           lat: float) -> tuple[list[dict], dict | None]:  # fmt: skip
    """The township's node and every node above it; the village station nearest by road."""
    point = shapely.Point(lon, lat)
    towns = snap.towns
    inside = towns[towns.geometry.intersects(point)]
    if inside.empty:  # outside every township: the nearest one answers
        inside = towns.iloc[[int(towns.geometry.distance(point).to_numpy().argmin())]]
    town = inside["code"].iloc[0]
    levels = nodes["level"].to_numpy()
    head = nodes[(levels == "township") & (nodes["township_code"].to_numpy() == town)]
    chain = []
    if not head.empty:
        chain = [
            {"code": n["code"], "level": n["level"], "name": n["name"],
             "name_en": n.get("name_en", ""), "duty_officer": n["duty_officer"],
             "phone": n["duty_phone"], "channels": n["channels"], "status": n["status"]}
            for n in chain_of_command(nodes, head["code"].iloc[0])
        ]  # fmt: skip
    villages = np.flatnonzero((levels == "village") & np.isfinite(node_times))
    station = None
    if len(villages):
        i = villages[np.argmin(node_times[villages])]
        row = nodes.iloc[i]
        station = {
            "code": row["code"], "name": row["name"], "duty_officer": row["duty_officer"],
            "phone": row["duty_phone"], "travel_s": round(float(node_times[i]), 1),
        }  # fmt: skip
    return chain, station


def _resource(row: pd.Series, seconds: float, **extra: object) -> dict:
    return {
        "code": row["code"],
        "name": row["name"],
        "township_code": row["township_code"],
        "travel_s": round(float(seconds), 1),
        "lon": float(row["geom"].x),
        "lat": float(row["geom"].y),
        **extra,
    }


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 3)
