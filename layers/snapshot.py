"""All four layers at one set of revisions, and what a filter selects from them.

A page asks for a :class:`Snapshot` once per update (one cheap revision
query; unchanged layers come from the cache), then :meth:`Snapshot.select`
applies the filter in memory: a few milliseconds even at city scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd

from layers._cache import cached
from layers.command import command_links, command_nodes, filter_nodes
from layers.filters import Filter
from layers.forces import filter_forces, forces
from layers.incidents import Emergency, emergency
from layers.materials import depots, filter_depots
from layers.risks import filter_risks, risk_points
from layers.summary import KeyFigures, key_figures
from layers.townships import jurisdiction, townships
from store import Revision, Store


@dataclass(frozen=True)
class Selection:
    """The rows one filter keeps on each map, and their key figures."""

    filter: Filter
    towns: gpd.GeoDataFrame
    risk: gpd.GeoDataFrame
    materials: gpd.GeoDataFrame
    forces: gpd.GeoDataFrame
    command: gpd.GeoDataFrame
    links: pd.DataFrame
    figures: KeyFigures
    emergency: Emergency  # incidents, hazard areas, dispatch lines: on every map, unfiltered

    def bounds(self) -> tuple[float, float, float, float]:
        """The selected townships' extent (west, south, east, north)."""
        return tuple(float(v) for v in self.towns.total_bounds)  # type: ignore[return-value]


@dataclass(frozen=True)
class Snapshot:
    """Every layer of a store at the revisions in ``revisions``."""

    revisions: dict[str, Revision]
    read_at: datetime
    activation: dict | None  # the emergency response in force
    warnings: pd.DataFrame  # weather warnings in force, newest first
    response_due: datetime | None  # when the clock alone next changes what is in force
    towns: gpd.GeoDataFrame
    district: gpd.GeoDataFrame
    risk: gpd.GeoDataFrame
    materials: gpd.GeoDataFrame
    forces: gpd.GeoDataFrame
    command: gpd.GeoDataFrame
    emergency: Emergency

    def select(self, flt: Filter) -> Selection:
        """What ``flt`` shows on each map."""
        towns = self.towns
        if flt.townships is not None:
            towns = towns[towns["code"].isin(flt.townships)]
        risk = filter_risks(self.risk, flt)
        materials = filter_depots(self.materials, flt)
        force = filter_forces(self.forces, flt)
        nodes = filter_nodes(self.command, flt)
        links = command_links(nodes, self.command)
        return Selection(
            flt,
            towns,
            risk,
            materials,
            force,
            nodes,
            links,
            key_figures(risk, materials, force, nodes),
            self.emergency,
        )

    def record(self, kind: str, code: str) -> dict | None:
        """The full row of one point on map ``kind`` (for the details panel)."""
        frame = getattr(self, kind)
        rows = frame[frame["code"] == code]
        if rows.empty:
            return None
        return rows.drop(columns="geom").iloc[0].to_dict() | {
            "lon": float(rows.geometry.x.iloc[0]),
            "lat": float(rows.geometry.y.iloc[0]),
        }


_last: dict[str, Snapshot] = {}


def snapshot(store: Store) -> Snapshot:
    """The four layers as they are now (raises ``StoreUnavailable`` when unreachable)."""
    revs = store.revisions()
    now = datetime.now(UTC)
    # What is "in force" changes with the clock too: re-read once an activation or
    # a warning has started or ended since the last read.
    activation, warnings, due = cached(
        store,
        "response",
        "in_force",
        revs["response"].revision,
        lambda: (
            store.current_activation(now),
            store.current_warnings(now),
            store.next_response_change(now),
        ),
        still_valid=lambda hit: hit[2] is None or now < hit[2],
    )
    materials, force_frame = depots(store, revs), forces(store, revs)
    snap = Snapshot(
        revisions=revs,
        read_at=now,
        activation=activation,
        warnings=warnings,
        response_due=due,
        towns=townships(store, revs["townships"].revision),
        district=jurisdiction(store, revs["townships"].revision),
        risk=risk_points(store, revs),
        materials=materials,
        forces=force_frame,
        command=command_nodes(store, revs),
        emergency=emergency(store, revs, materials, force_frame),
    )
    _last[store.url] = snap
    return snap


def last_snapshot(store: Store) -> Snapshot | None:
    """The last snapshot this process read from ``store``: what a wall shows while
    the database is unreachable."""
    return _last.get(store.url)
