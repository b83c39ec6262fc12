"""Rescue and prevention forces (map 3).

Columns: every column of ``forces`` (``code``, ``name``, ``name_en``,
``type``, ``township_code``, ``headcount``, ``vehicles``, ``boats``,
``leader``, ``leader_phone``, ``status``, ``mobilise_level``),
``township_name``/``township_name_en``; geometry ``geom`` (Point, EPSG:4326).
"""

from __future__ import annotations

import geopandas as gpd

from layers._cache import cached
from layers.filters import Filter, apply, require_columns
from layers.townships import townships, with_township_names
from store import Store

COLUMNS = (
    "code",
    "name",
    "type",
    "township_code",
    "headcount",
    "vehicles",
    "boats",
    "status",
    "mobilise_level",
    "geom",
)


def forces(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every force at its base."""
    revisions = revisions or store.revisions()
    towns = townships(store, revisions["townships"].revision)
    key = revisions["forces"].revision * 100_003 + revisions["townships"].revision
    frame = cached(
        store, "forces", "forces", key, lambda: with_township_names(store.read("forces"), towns)
    )
    require_columns(frame, COLUMNS, "forces")
    return frame


def filter_forces(frame: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Forces in the selected townships, mobilised at the selected level."""
    return apply(frame, flt)
