"""Incidents, what was dispatched to them, hazard areas and the road network.

Columns are the tables' own (``incidents``, ``dispatch_orders``,
``hazard_areas``, ``roads``); incidents add ``needs`` decoded from JSON. Read
through the per-revision cache like every layer: ``incidents``, ``hazards``
and ``roads`` are layers of their own (revision counters kept by triggers).
"""

from __future__ import annotations

import json

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
