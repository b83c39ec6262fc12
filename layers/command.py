"""The command system (map 4): nodes from ministry to village stations, and links.

Columns of :func:`command_nodes`: every column of ``command_nodes``
(``code``, ``name``, ``name_en``, ``level``, ``parent_code``,
``township_code`` (empty above the county), ``duty_officer``,
``duty_phone``, ``channels``, ``status``, ``mobilise_level``),
``township_name``/``township_name_en``, ``depth`` (0 = ministry); geometry
``geom`` (Point, EPSG:4326).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from domain import COMMAND_LEVELS, keys
from layers.filters import Filter, keep, mobilised
from layers.townships import layer_frame, with_township_names
from store import Store

COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "township_code",
    "status",
    "mobilise_level",
    "geom",
)


def command_nodes(store: Store, revisions: dict | None = None) -> gpd.GeoDataFrame:
    """Every command node with its depth in the hierarchy."""
    return layer_frame(store, revisions, "command", lambda towns: _load(store, towns), COLUMNS)


def _load(store: Store, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = with_township_names(store.read("command_nodes"), towns)
    frame["depth"] = frame["level"].map({k: n for n, k in enumerate(keys(COMMAND_LEVELS))})
    return frame


def filter_nodes(frame: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Nodes in the selected townships and the chain above them, mobilised at the level.

    Nodes above the township (county and up) have no township and are always
    kept: they are the chain of command every township reports to.
    """
    mask = mobilised(frame, flt.level)
    if flt.townships is not None:
        mask &= frame["township_code"].isin(flt.townships) | frame["township_code"].isna()
    return keep(frame, mask)


def command_links(nodes: gpd.GeoDataFrame, every: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """One row per parent-child link of ``nodes``: child and parent codes and coordinates.

    Parents are looked up in ``every`` (default ``nodes``) so a shown node is
    linked to its parent even when the filter hides the parent. Looked up by
    position in plain arrays: no copy of the node frame on every filter change.
    """
    every = nodes if every is None else every
    parent = pd.Index(every["code"]).get_indexer(nodes["parent_code"])  # -1: none or unknown
    linked = parent >= 0
    parent = parent[linked]
    return pd.DataFrame(
        {
            "code": nodes["code"].to_numpy()[linked],
            "parent_code": nodes["parent_code"].to_numpy()[linked],
            "x0": every.geometry.x.to_numpy()[parent],
            "y0": every.geometry.y.to_numpy()[parent],
            "x1": nodes.geometry.x.to_numpy()[linked],
            "y1": nodes.geometry.y.to_numpy()[linked],
        }
    )


def chain_of_command(frame: pd.DataFrame, code: str) -> list[dict]:
    """The node ``code`` and every node above it, bottom up (who is responsible)."""
    by_code = frame.set_index("code")
    chain: list[dict] = []
    seen: set[str] = set()
    while isinstance(code, str) and code in by_code.index and code not in seen:
        seen.add(code)
        row = by_code.loc[code]
        chain.append({"code": code, **row.drop(labels=["geom"], errors="ignore").to_dict()})
        parent = row["parent_code"]
        code = parent if isinstance(parent, str) else None
    return chain
