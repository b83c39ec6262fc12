"""Material depots and their stock (map 2).

Columns of :func:`depots`: every column of ``depots`` (``code``, ``name``,
``name_en``, ``level``, ``township_code``, ``keeper``, ``keeper_phone``,
``mobilise_level``), ``township_name``/``township_name_en``, one
``stock_<item code>`` column per catalogue item (quantity in the item's
unit, 0 when the depot holds none) and ``stock_lines`` (how many items it
holds); geometry ``geom`` (Point, EPSG:4326).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from domain import MATERIAL_CATALOGUE
from layers.filters import Filter, apply
from layers.townships import layer_frame, with_township_names
from store import Store

STOCK_COLUMNS = tuple(f"stock_{item.code}" for item in MATERIAL_CATALOGUE)
COLUMNS = ("code", "name", "level", "township_code", "mobilise_level", "geom", *STOCK_COLUMNS)


def depots(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every depot with its stock spread into one column per item."""
    return layer_frame(
        store, revisions, "materials", lambda towns: _with_stock(store, towns), COLUMNS
    )


def _with_stock(store: Store, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = with_township_names(store.read("depots"), towns)
    stock = store.read("depot_stock")
    wide = stock.pivot_table(
        index="depot_code", columns="item_code", values="quantity", aggfunc="sum", fill_value=0.0
    )
    wide = wide.reindex(columns=[i.code for i in MATERIAL_CATALOGUE], fill_value=0.0)
    wide.columns = list(STOCK_COLUMNS)
    frame = frame.join(wide, on="code")
    frame[list(STOCK_COLUMNS)] = frame[list(STOCK_COLUMNS)].fillna(0.0)
    frame["stock_lines"] = (frame[list(STOCK_COLUMNS)] > 0).sum(axis=1)
    # A copy stores the stock columns as one block: a filter's row copy and the
    # stock totals then handle one 2-D array instead of 17 columns one by one.
    return frame.copy()


def filter_depots(frame: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Depots in the selected townships, mobilised at the selected level."""
    return apply(frame, flt)


def stock_totals(frame: pd.DataFrame) -> pd.Series:
    """Total quantity of each catalogue item held by ``frame``'s depots."""
    totals = frame[list(STOCK_COLUMNS)].sum()
    totals.index = [c.removeprefix("stock_") for c in totals.index]
    return totals
