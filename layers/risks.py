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


# More changed rows than this since the cached revision (an import): read the layer whole.
PATCH_LIMIT = 5_000


def risk_points(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every risk and hidden-danger point.

    After a change of a few points (a ledger step, an edit) only those are read
    again: see :func:`patch_risk_points`.
    """
    return layer_frame(
        store,
        revisions,
        "risk",
        lambda towns: with_township_names(store.read("risk_points"), towns),
        COLUMNS,
        patch=lambda since, old, towns: patch_risk_points(store, since, old, towns),
    )


def patch_risk_points(
    store: Store, since: int, old: gpd.GeoDataFrame, towns: gpd.GeoDataFrame
) -> gpd.GeoDataFrame | None:
    """``old`` (the layer as read at risk revision ``since``) with the points written
    since in place, as a whole read would give it; None when a whole read is needed.

    The database stamps each written row with the revision of its write, so this
    reads those rows only, whichever process wrote them. Deleted rows leave no
    stamp: every row now is either unchanged (in ``old``) or stamped, so the
    patched frame holds exactly the rows of the table iff its length is the
    table's count; when it is not (a delete), the layer is read whole.
    """
    changed = store.read("risk_points", changed_since=since)
    total = store.count("risk_points")
    if len(changed) > PATCH_LIMIT:
        return None
    ids = old["id"].to_numpy()  # in id order, as a whole read gives them
    at = np.minimum(np.searchsorted(ids, changed["id"].to_numpy()), max(len(ids) - 1, 0))
    known = ids[at] == changed["id"].to_numpy() if len(ids) else np.zeros(len(changed), bool)
    if len(old) + int((~known).sum()) != total:
        return None
    if changed.empty:
        return old
    fresh = with_township_names(changed, towns)
    if known.all():
        try:
            return _set_rows(old, at, fresh)
        except (TypeError, ValueError):  # a value the column's type cannot take
            pass
    return _concat_rows(old, fresh)


def _set_rows(old: gpd.GeoDataFrame, at: np.ndarray, fresh: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``old`` with the rows at positions ``at`` replaced by ``fresh``: only the columns
    whose values changed are copied (copy-on-write shares the others with ``old``)."""
    out = old.copy(deep=False)
    for column in old.columns:
        new = fresh[column]
        if column != old.geometry.name and list(old[column].iloc[at]) == list(new):
            continue
        if isinstance(old[column].dtype, pd.CategoricalDtype):
            values = old[column].cat.set_categories(
                old[column].cat.categories.union(pd.Index(new.dropna().unique()))
            )
            array = values.array.copy()
            array[at] = new.astype(object).to_numpy()
            out[column] = pd.Series(array, index=old.index).cat.remove_unused_categories()
        else:
            array = old[column].array.copy()
            array[at] = new.array if column == old.geometry.name else new.to_numpy()
            out[column] = array
    return out


def _concat_rows(old: gpd.GeoDataFrame, fresh: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``old`` without the rows of ``fresh``'s ids, with ``fresh``, in id order (new points)."""
    parts = [old[~old["id"].isin(fresh["id"]).to_numpy()], fresh]
    for column in old.columns:
        if isinstance(old[column].dtype, pd.CategoricalDtype):
            both = old[column].cat.categories.union(pd.Index(fresh[column].dropna().unique()))
            parts = [p.assign(**{column: p[column].cat.set_categories(both)}) for p in parts]
    out = pd.concat(parts)
    out = out.sort_values("id", kind="stable").reset_index(drop=True)
    for column in old.columns:
        if isinstance(old[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].cat.remove_unused_categories()
        elif out[column].dtype != old[column].dtype and column != old.geometry.name:
            out[column] = out[column].astype(old[column].dtype)
    return gpd.GeoDataFrame(out, geometry=old.geometry.name, crs=old.crs)


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
