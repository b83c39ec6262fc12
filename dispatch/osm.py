"""Roads from an OpenStreetMap extract (``.osm.pbf``), as the ``roads`` table wants them.

pyrosm reads the drivable network (segments between OSM nodes, with
``highway``, ``maxspeed``, ``oneway``, ``bridge``); a speed is the posted
``maxspeed`` where there is one, else a typical speed for the road class.
One-way segments point the way they may be driven (``oneway=-1`` reversed).
OpenStreetMap data is © OpenStreetMap contributors, under the ODbL.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from auth import Principal, require
from store import Store
from store import dispatch as store_dispatch

# km/h for road classes without a posted speed (Chinese practice, roughly)
CLASS_KMH = {
    "motorway": 100.0, "motorway_link": 60.0, "trunk": 80.0, "trunk_link": 50.0,
    "primary": 60.0, "primary_link": 40.0, "secondary": 50.0, "secondary_link": 40.0,
    "tertiary": 40.0, "tertiary_link": 30.0, "unclassified": 30.0, "residential": 30.0,
    "living_street": 15.0, "service": 20.0, "road": 30.0, "track": 15.0,
}  # fmt: skip
DEFAULT_KMH = 30.0


def _speed(maxspeed: object, highway: object) -> float:
    text = str(maxspeed or "")
    number = re.match(r"\s*(\d+(?:\.\d+)?)", text)
    if number:
        value = float(number[1]) * (1.609 if "mph" in text else 1.0)
        if value > 0:
            return value
    return CLASS_KMH.get(str(highway), DEFAULT_KMH)


def roads_from_osm(path: str | Path) -> gpd.GeoDataFrame:
    """The drivable roads of an extract as rows of ``roads`` (raises ValueError if none)."""
    from pyrosm import OSM  # imported here: only this command needs it

    _nodes, edges = OSM(str(path)).get_network(network_type="driving", nodes=True)
    if edges is None or len(edges) == 0:
        raise ValueError(f"{path} holds no drivable roads")
    edges = edges.explode(index_parts=False)  # a MultiLineString way: its parts
    oneway = edges["oneway"].astype(str).str.lower()
    backwards = (oneway == "-1").to_numpy()
    geoms = edges.geometry.to_numpy()
    geoms[backwards] = shapely.reverse(geoms[backwards])
    u = np.where(backwards, edges["v"], edges["u"]).astype(np.int64)
    v = np.where(backwards, edges["u"], edges["v"]).astype(np.int64)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, len(edges) + 1),
            "u": u,
            "v": v,
            "name": edges["name"].fillna("").astype(str).str.slice(0, 200).to_numpy(),
            "kind": edges["highway"].fillna("road").astype(str).str.slice(0, 30).to_numpy(),
            "oneway": oneway.isin(["yes", "true", "1", "-1"]).to_numpy(),
            "bridge": edges["bridge"].notna().to_numpy() & (edges["bridge"] != "no").to_numpy(),
            "length_m": np.maximum(edges["length"].astype(float).to_numpy(), 0.1),
            "speed_kmh": [
                _speed(m, h) for m, h in zip(edges["maxspeed"], edges["highway"], strict=True)
            ],
            "geom": geoms,
        }
    )
    return gpd.GeoDataFrame(frame, geometry="geom", crs="EPSG:4326")


def load_roads(store: Store, actor: Principal | None, path: str | Path) -> int:
    """Replace the road network with an extract's (admins: it changes every route)."""
    who = require(actor, "admin")
    frame = roads_from_osm(path)
    return store_dispatch.replace_roads(
        store.engine, frame, who.name, f"roads from {Path(path).name} (OpenStreetMap, ODbL)"
    )
