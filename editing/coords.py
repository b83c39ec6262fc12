"""Coordinates as people type them, in the systems they copy them from.

Accepted: decimal degrees (``112.2391``), degrees-minutes-seconds with
hemisphere letters or Chinese prefixes (``东经112°14′21″``, ``N30 20 15.6``,
``112d14'21"E``), and comma or space separated pairs. Systems:

* ``wgs84`` (EPSG:4326, GPS), what the store keeps;
* ``cgcs2000`` (EPSG:4490), official Chinese maps: within a metre of WGS 84,
  converted by PROJ;
* ``gcj02``, copied from popular Chinese web maps: offset by up to several
  hundred metres, converted with prcoords' iterative inverse (sub-millimetre).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import prcoords
from pyproj import Transformer

SYSTEMS = ("wgs84", "cgcs2000", "gcj02")
_CGCS2000 = Transformer.from_crs("EPSG:4490", "EPSG:4326", always_xy=True)

# China's extent, loosely: a point outside is a typo, a swap or the wrong system.
CHINA = (73.0, 3.0, 136.0, 54.0)


class CoordinateError(ValueError):
    """A coordinate that cannot be read; ``code`` and ``params`` say why (see messages)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


_NUMBER = r"\d+(?:\.\d+)?"
_DMS = re.compile(
    rf"^(?P<deg>{_NUMBER})\s*(?:°|度|d|\s)\s*"
    rf"(?:(?P<min>{_NUMBER})\s*(?:′|'|’|分|m|\s)?\s*)?"
    rf"(?:(?P<sec>{_NUMBER})\s*(?:″|\"|”|''|秒|s)?\s*)?$",
    re.IGNORECASE,
)
_HEMISPHERES = {
    "东经": ("lon", 1), "西经": ("lon", -1), "北纬": ("lat", 1), "南纬": ("lat", -1),
    "E": ("lon", 1), "W": ("lon", -1), "N": ("lat", 1), "S": ("lat", -1),
}  # fmt: skip


def parse_angle(text: str) -> tuple[float, str | None]:
    """One angle in degrees, and the axis its hemisphere names (``"lon"``/``"lat"``) if any."""
    raw = (text or "").strip()
    if not raw:
        raise CoordinateError("required")
    axis, sign = None, 1
    body = raw.replace("：", ":").replace(":", " ").strip()
    for word, (which, hemi_sign) in _HEMISPHERES.items():
        if body.upper().startswith(word) or body.upper().endswith(word):
            axis, sign = which, hemi_sign
            body = body[len(word) :] if body.upper().startswith(word) else body[: -len(word)]
            break
    body = body.strip()
    if body.startswith("-"):
        sign, body = -sign, body[1:].strip()
    try:
        return sign * float(body), axis
    except ValueError:
        pass
    match = _DMS.match(body)
    if not match:
        raise CoordinateError("bad_coordinate", text=raw)
    minutes, seconds = float(match["min"] or 0), float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        raise CoordinateError("bad_coordinate", text=raw)
    return sign * (float(match["deg"]) + minutes / 60 + seconds / 3600), axis


@dataclass(frozen=True)
class Position:
    """A point in WGS 84, and what was typed."""

    lon: float
    lat: float
    system: str


def parse_position(lon_text: str, lat_text: str, system: str = "wgs84") -> Position:
    """Longitude and latitude as typed, in ``system``, to WGS 84.

    Raises :class:`CoordinateError` (code ``swapped`` when the two look swapped:
    a latitude of 112 and a longitude of 30 in China).
    """
    if system not in SYSTEMS:
        raise CoordinateError("bad_system", system=system, systems=", ".join(SYSTEMS))
    lon, lon_axis = parse_angle(lon_text)
    lat, lat_axis = parse_angle(lat_text)
    if lon_axis == "lat" and lat_axis in (None, "lon"):
        lon, lat = lat, lon  # 北纬 typed in the longitude box: the person said which is which
    elif lat_axis == "lon" and lon_axis is None:
        lon, lat = lat, lon
    return to_wgs84(lon, lat, system)


def to_wgs84(lon: float, lat: float, system: str = "wgs84") -> Position:
    """A point given in ``system`` as WGS 84, checked to lie in China."""
    if not (-180 <= lon <= 180):
        raise CoordinateError("lon_range", value=lon)
    if not (-90 <= lat <= 90):
        raise CoordinateError("swapped" if in_china(lat, lon) else "lat_range", value=lat)
    if not in_china(lon, lat):
        raise CoordinateError("swapped" if in_china(lat, lon) else "not_in_china")
    if system == "cgcs2000":
        lon, lat = _CGCS2000.transform(lon, lat)
    elif system == "gcj02":
        lat, lon = prcoords.gcj_wgs_bored((lat, lon))
    return Position(float(lon), float(lat), system)


def in_china(lon: float, lat: float) -> bool:
    west, south, east, north = CHINA
    return west <= lon <= east and south <= lat <= north
