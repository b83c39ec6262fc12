"""Risk sources and hidden dangers (map 1).

Columns: every column of ``risk_points`` (``code``, ``name``, ``name_en``,
``category``, ``kind``, ``grade``, ``township_code``, responsible person and
phone, supervising leader, people and households threatened, rectification
status and deadline, last inspection), plus ``township_name`` and
``township_name_en``; geometry ``geom`` (Point, EPSG:4326).
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.filters import Filter, in_townships, keep
from layers.townships import layer_frame, with_township_names
from store import Store

COLUMNS = ("code", "name", "grade", "kind", "township_code", "rectification_status", "geom")


def risk_points(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every risk and hidden-danger point."""
    return layer_frame(
        store,
        revisions,
        "risk",
        lambda towns: with_township_names(store.read("risk_points"), towns),
        COLUMNS,
    )


def filter_risks(frame: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Points in the selected townships and grades (the response level does not apply)."""
    mask = in_townships(frame, flt.townships)
    if flt.grades is not None:
        mask &= frame["grade"].isin(flt.grades)
    return keep(frame, mask)


def is_open(frame: pd.DataFrame) -> np.ndarray:
    """Points not struck off: every risk source, and hidden dangers not yet rectified."""
    return (frame["rectification_status"] != "rectified").to_numpy()


def is_rectified(frame: pd.DataFrame) -> np.ndarray:
    """Hidden dangers reported rectified (verified or not): what a rectification rate counts.

    The maps' key figures and the ledger's figures both count with this.
    """
    hidden = (frame["kind"] == "hidden_danger").to_numpy() if "kind" in frame else True
    return hidden & (frame["rectification_status"] == "rectified").to_numpy()


def is_due_within(frame: pd.DataFrame, days: int = 7, today: date | None = None) -> np.ndarray:
    """Open hidden dangers whose deadline falls from ``today`` to ``days`` - 1 days on
    ("due this week" on the wall)."""
    today = today or date.today()
    deadline = pd.to_datetime(frame["rectification_deadline"], errors="coerce")
    start = pd.Timestamp(today)
    soon = ((deadline >= start) & (deadline < start + pd.Timedelta(days=days))).to_numpy()
    hidden = (frame["kind"] == "hidden_danger").to_numpy()
    return hidden & soon & is_open(frame)


def is_overdue(frame: pd.DataFrame, today: date | None = None) -> np.ndarray:
    """Hidden dangers past their rectification deadline and still not rectified."""
    today = today or date.today()
    deadline = pd.to_datetime(frame["rectification_deadline"], errors="coerce")
    late = (deadline < pd.Timestamp(today)).to_numpy()
    hidden = (frame["kind"] == "hidden_danger").to_numpy()
    return hidden & late & is_open(frame)
