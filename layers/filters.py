"""The filters the four maps share, and the named error a broken layer raises."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from domain import RISK_GRADES, keys


class LayerError(ValueError):
    """A layer's frame breaks its documented contract (a missing column, a bad CRS)."""


@dataclass(frozen=True)
class Filter:
    """What a person selected: townships, response level and risk grades.

    ``townships=None`` is the whole jurisdiction; ``level=None`` shows every
    force, depot and node; ``grades=None`` every risk grade.
    """

    townships: tuple[str, ...] | None = None
    level: int | None = None
    grades: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        townships: Iterable[str] | str | None = None,
        level: int | str | None = None,
        grades: Iterable[str] | None = None,
    ) -> Filter:
        """Build from loose UI values: no townships means all, levels may be strings.

        ``grades=None`` keeps every grade; an empty list keeps none.
        """
        if isinstance(townships, str):
            townships = [townships]
        towns = tuple(sorted(set(townships))) if townships else None
        lvl = int(level) if level not in (None, "", "all") else None
        if lvl is not None and lvl not in (1, 2, 3, 4):
            raise ValueError(f"response level must be 1-4 (I-IV), not {level!r}")
        grade_set = (
            None if grades is None else tuple(g for g in keys(RISK_GRADES) if g in set(grades))
        )
        return cls(towns, lvl, grade_set)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], layer: str) -> None:
    """Raise :class:`LayerError` naming the columns ``layer`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise LayerError(f"{layer} layer is missing columns {missing}")
    if (
        isinstance(frame, gpd.GeoDataFrame)
        and frame.crs is not None
        and frame.crs.to_epsg() != 4326
    ):
        raise LayerError(f"{layer} layer must be in EPSG:4326, not {frame.crs}")


def in_townships(frame: pd.DataFrame, townships: tuple[str, ...] | None) -> pd.Series:
    """Mask of rows in the selected townships (all rows when none is selected)."""
    if townships is None:
        return pd.Series(True, index=frame.index)
    return frame["township_code"].isin(townships)


def mobilised(frame: pd.DataFrame, level: int | None) -> pd.Series:
    """Mask of rows mobilised at response ``level`` (all rows when no level)."""
    if level is None:
        return pd.Series(True, index=frame.index)
    return frame["mobilise_level"] >= level


def apply(frame: gpd.GeoDataFrame, flt: Filter, *, by_level: bool = True) -> gpd.GeoDataFrame:
    """Rows of a mobilisable layer that the filter keeps."""
    mask = in_townships(frame, flt.townships)
    if by_level:
        mask &= mobilised(frame, flt.level)
    return keep(frame, mask)


def keep(frame: gpd.GeoDataFrame, mask: pd.Series) -> gpd.GeoDataFrame:
    """The rows of ``mask``; the frame itself when that is every row (no copy of
    150,000 rows for "whole district, no level")."""
    return frame if bool(mask.all()) else frame[mask]
