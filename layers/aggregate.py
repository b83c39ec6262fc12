"""Township totals of a point layer: what a map draws when points are too many.

At district or city zoom a hundred thousand points are a solid carpet; one
bubble per township with its count reads from across a room. The key
figures never use this: they count every row (see :mod:`layers.summary`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def township_anchors(towns: gpd.GeoDataFrame) -> pd.DataFrame:
    """Where a township's bubble or label sits: a point surely inside it."""
    anchor = towns.geometry.representative_point()
    return pd.DataFrame(
        {
            "name": towns["name"].to_numpy(),
            "name_en": towns["name_en"].to_numpy(),
            "x": anchor.x.to_numpy(),
            "y": anchor.y.to_numpy(),
        },
        index=towns["code"].to_numpy(),
    )


def by_township(
    frame: pd.DataFrame,
    towns: gpd.GeoDataFrame,
    sums: tuple[str, ...] = (),
    count_where: dict[str, tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per township that has points: ``count``, sums and conditional counts.

    ``count_where={"major": ("grade", "major")}`` adds a ``major`` column
    counting rows whose ``grade`` is ``"major"``. Rows are indexed by township
    code and carry the anchor ``x``/``y`` and the township names.
    """
    data = pd.DataFrame({"township_code": frame["township_code"]})
    for column in sums:
        data[column] = frame[column]
    for name, (column, value) in (count_where or {}).items():
        data[name] = frame[column] == value
    grouped = data.groupby("township_code", sort=True, observed=True)
    out = grouped.size().rename("count").to_frame()
    extra = [*sums, *(count_where or {})]
    if extra:
        out = out.join(grouped[extra].sum())
    out.index = out.index.astype(str)
    return township_anchors(towns).join(out, how="inner")
