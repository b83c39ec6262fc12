"""Rescue and prevention forces (map 3).

Columns: every column of ``forces`` (``code``, ``name``, ``name_en``,
``type``, ``township_code``, ``headcount``, ``vehicles``, ``boats``,
``leader``, ``leader_phone``, ``status``, ``mobilise_level``),
``township_name``/``township_name_en``; geometry ``geom`` (Point, EPSG:4326).
"""

from __future__ import annotations

import geopandas as gpd

from layers.filters import Filter, apply
from layers.townships import layer_frame, with_township_names
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
    return layer_frame(
        store,
        revisions,
        "forces",
        lambda towns: with_township_names(store.read("forces"), towns),
        COLUMNS,
    )


def filter_forces(frame: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Forces in the selected townships, mobilised at the selected level."""
    return apply(frame, flt)
