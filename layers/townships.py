"""Townships and the jurisdiction they make up: the base of every map.

Columns of :func:`townships`: ``code``, ``name``, ``name_en``,
``jurisdiction_code``, ``anchor_x``/``anchor_y`` (a point surely inside the
township, where its name or bubble sits), ``geom`` (MultiPolygon, EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd

from layers._cache import cached, patched
from layers.filters import require_columns
from store import Store

COLUMNS = ("code", "name", "name_en", "jurisdiction_code", "anchor_x", "anchor_y", "geom")


def townships(store: Store, revision: int | None = None) -> gpd.GeoDataFrame:
    """Every township, in code order."""
    revision = store.revisions()["townships"].revision if revision is None else revision
    frame = cached(
        store,
        "townships",
        "townships",
        revision,
        lambda: _with_anchors(store.read("townships").sort_values("code").reset_index(drop=True)),
    )
    require_columns(frame, COLUMNS, "townships")
    return frame


def _with_anchors(towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # Once per revision: every map update places names and bubbles at these.
    anchor = towns.geometry.representative_point()
    return towns.assign(anchor_x=anchor.x.to_numpy(), anchor_y=anchor.y.to_numpy())


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


# Few distinct values each: as categories, filters and group-bys on 150,000 rows
# compare small integer codes instead of strings.
CATEGORICAL = (
    "township_code",
    "township_name",
    "township_name_en",
    "grade",
    "kind",
    "category",
    "rectification_status",
    "level",
    "type",
    "status",
)


def with_township_names(frame: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with ``township_name`` and ``township_name_en`` columns added, and its
    vocabulary columns as categories (see :data:`CATEGORICAL`)."""
    names = township_names(towns)
    out = frame.join(names, on="township_code")
    for column in ("township_name", "township_name_en"):
        out[column] = out[column].fillna("")
    for column in CATEGORICAL:
        if column in out:
            out[column] = out[column].astype("category")
    return out


def layer_frame(
    store: Store,
    revisions: dict | None,
    layer: str,
    load: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
    columns: tuple[str, ...],
    patch: Callable[[int, gpd.GeoDataFrame, gpd.GeoDataFrame], gpd.GeoDataFrame | None]
    | None = None,
) -> gpd.GeoDataFrame:
    """A point layer, read through the cache: ``load(townships)`` runs only when the
    layer or the townships changed; the result must have ``columns``.

    With ``patch``, a change of the layer alone brings the frame cached at layer
    revision R up to date with ``patch(R, frame, townships)`` (None: read it whole).
    A change of the townships (or a data load, which bumps every layer) reads it whole.
    """
    revisions = revisions or store.revisions()
    towns = townships(store, revisions["townships"].revision)
    key = (revisions[layer].revision, revisions["townships"].revision)
    if patch is None:
        frame = cached(store, layer, layer, key, lambda: load(towns))
    else:

        def bring_up(old_key: tuple[int, int], old: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
            if old_key[1] != key[1] or old_key[0] > key[0]:
                return None
            return patch(old_key[0], old, towns)

        frame = patched(store, layer, layer, key, lambda: load(towns), bring_up)
    require_columns(frame, columns, layer)
    return frame
