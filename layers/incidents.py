"""Incidents, what was dispatched to them, hazard areas and the road network.

Columns are the tables' own (``incidents``, ``dispatch_orders``,
``hazard_areas``, ``roads``); incidents add ``needs`` decoded from JSON. Read
through the per-revision cache like every layer: ``incidents``, ``hazards``
and ``roads`` are layers of their own (revision counters kept by triggers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from layers._cache import cached
from store import Store


def _revision(store: Store, layer: str, revisions: dict | None) -> int:
    revisions = revisions or store.revisions()
    return revisions[layer].revision


def roads(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every road segment (EPSG:4326 LineStrings, ``length_m``, ``speed_kmh``)."""
    rev = _revision(store, "roads", revisions)
    return cached(store, "roads", "roads", rev, lambda: store.read("roads"))


def hazard_areas(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Hazard areas in force (``active``): their roads are closed to routing."""
    rev = _revision(store, "hazards", revisions)

    def load() -> gpd.GeoDataFrame:
        areas = store.read("hazard_areas")
        return areas[areas["active"].astype(bool)].reset_index(drop=True)

    return cached(store, "hazards", "hazard_areas", rev, load)


def incidents(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every incident, its ``needs`` as a dict."""
    rev = _revision(store, "incidents", revisions)

    def load() -> gpd.GeoDataFrame:
        frame = store.read("incidents")
        frame["needs"] = [json.loads(n or "{}") for n in frame["needs"]]
        return frame

    return cached(store, "incidents", "incidents", rev, load)


def orders(store: Store, revisions: dict | None = None) -> pd.DataFrame:
    """Every dispatch order, ``times`` as a dict (status -> when)."""
    rev = _revision(store, "incidents", revisions)

    def load() -> pd.DataFrame:
        frame = store.read("dispatch_orders")
        frame["times"] = [json.loads(t or "{}") for t in frame["times"]]
        return frame

    return cached(store, "incidents", "orders", rev, load)


@dataclass(frozen=True)
class Emergency:
    """What the maps draw over the four layers while something is happening.

    ``incidents``: the open ones; ``hazards``: hazard areas in force; ``lines``:
    one row per order still out (ordered, en route, on site): ``kind``
    (material or force), the resource's ``code`` and position (``x0``, ``y0``)
    and its incident's (``x1``, ``y1``).
    """

    incidents: gpd.GeoDataFrame
    hazards: gpd.GeoDataFrame
    lines: pd.DataFrame


OUT = ("ordered", "en_route", "on_site")


def emergency(
    store: Store, revisions: dict, depots: gpd.GeoDataFrame, forces: gpd.GeoDataFrame
) -> Emergency:
    """Open incidents, hazard areas in force, and lines from what was sent to them."""
    key = tuple(revisions[k].revision for k in ("incidents", "hazards", "materials", "forces"))

    def build() -> Emergency:
        every = incidents(store, revisions)
        open_ = every[every["status"] == "open"].reset_index(drop=True)
        out = orders(store, revisions)
        out = out[out["status"].isin(OUT) & out["incident_id"].isin(open_["id"])]
        where = {
            "material": dict(zip(depots["code"], depots.geometry, strict=True)),
            "force": dict(zip(forces["code"], forces.geometry, strict=True)),
        }
        at = dict(zip(open_["id"], open_.geometry, strict=True))
        rows = []
        for order in out.itertuples():
            code = order.depot_code if order.kind == "material" else order.force_code
            start, end = where[order.kind].get(code), at.get(order.incident_id)
            if start is not None and end is not None:
                rows.append((order.kind, code, start.x, start.y, end.x, end.y))
        lines = pd.DataFrame(rows, columns=["kind", "code", "x0", "y0", "x1", "y1"])
        return Emergency(open_, hazard_areas(store, revisions), lines.drop_duplicates())

    return cached(store, "incidents", "emergency", key, build)
