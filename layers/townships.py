"""Townships and the jurisdiction they make up: the base of every map.

Columns of :func:`townships`: ``code``, ``name``, ``name_en``,
``jurisdiction_code``, ``geom`` (MultiPolygon, EPSG:4326).
"""

from __future__ import annotations

import geopandas as gpd

from layers._cache import cached
from layers.filters import require_columns
from store import Store

COLUMNS = ("code", "name", "name_en", "jurisdiction_code", "geom")


def townships(store: Store, revision: int | None = None) -> gpd.GeoDataFrame:
    """Every township, in code order."""
    revision = store.revisions()["townships"].revision if revision is None else revision
    frame = cached(
        store,
        "townships",
        "townships",
        revision,
        lambda: store.read("townships").sort_values("code").reset_index(drop=True),
    )
    require_columns(frame, COLUMNS, "townships")
    return frame


def jurisdiction(store: Store, revision: int | None = None) -> gpd.GeoDataFrame:
    """The jurisdiction (district) outline with its name."""
    revision = store.revisions()["townships"].revision if revision is None else revision
    return cached(
        store, "townships", "jurisdictions", revision, lambda: store.read("jurisdictions")
    )


def township_names(towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Code-indexed names, to join onto point layers."""
    return towns.set_index("code")[["name", "name_en"]].rename(
        columns={"name": "township_name", "name_en": "township_name_en"}
    )


def with_township_names(frame: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with ``township_name`` and ``township_name_en`` columns added."""
    names = township_names(towns)
    out = frame.join(names, on="township_code")
    out[["township_name", "township_name_en"]] = out[["township_name", "township_name_en"]].fillna(
        ""
    )
    return out
