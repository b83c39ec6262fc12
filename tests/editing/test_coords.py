"""Coordinates as typed, in each system, land within a metre of where they mean."""

from __future__ import annotations

import prcoords
import pytest
from pyproj import Geod

from editing.coords import CoordinateError, parse_angle, parse_position

GEOD = Geod(ellps="WGS84")
# The Jingzhou flood-control office's square, roughly; the truth is WGS 84.
TRUTH = (112.239167, 30.337667)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def dms(value: float, positive: str) -> str:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{positive}{degrees}°{minutes}′{seconds:.2f}″"


def test_wgs84_and_cgcs2000_decimal_degrees():
    for system in ("wgs84", "cgcs2000"):
        got = parse_position(str(TRUTH[0]), str(TRUTH[1]), system)
        assert metres((got.lon, got.lat), TRUTH) < 1.0, system


def test_gcj02_copied_from_a_web_map_is_moved_back_to_wgs84():
    lat, lon = prcoords.wgs_gcj(TRUTH[::-1])  # what a Chinese web map shows
    assert metres((lon, lat), TRUTH) > 300  # hundreds of metres off, as typed
    got = parse_position(f"{lon:.7f}", f"{lat:.7f}", "gcj02")
    assert metres((got.lon, got.lat), TRUTH) < 1.0


def test_degrees_minutes_seconds_with_chinese_or_latin_hemispheres():
    cases = [
        (dms(TRUTH[0], "东经"), dms(TRUTH[1], "北纬")),
        (dms(TRUTH[0], "E"), dms(TRUTH[1], "N")),
        (dms(TRUTH[0], "").replace("°", " ").replace("′", " ").replace("″", "") + "E",
         dms(TRUTH[1], "").replace("°", "d").replace("′", "'").replace("″", '"') + "N"),
    ]  # fmt: skip
    for lon_text, lat_text in cases:
        got = parse_position(lon_text, lat_text)
        assert metres((got.lon, got.lat), TRUTH) < 1.0, (lon_text, lat_text)
    # 北纬 typed in the longitude box: the words say which is which
    got = parse_position(dms(TRUTH[1], "北纬"), dms(TRUTH[0], "东经"))
    assert metres((got.lon, got.lat), TRUTH) < 1.0


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        ("30.3377", "112.2392", "swapped"),
        ("112.2", "abc", "bad_coordinate"),
        ("112°75′", "30", "bad_coordinate"),
        ("200", "30", "lon_range"),
        ("2.35", "48.85", "not_in_china"),
        ("", "30", "required"),
    ],
)
def test_wrong_coordinates_say_what_is_wrong(lon, lat, code):
    with pytest.raises(CoordinateError) as wrong:
        parse_position(lon, lat)
    assert wrong.value.code == code


def test_an_unknown_system_is_refused():
    with pytest.raises(CoordinateError) as wrong:
        parse_position("112.2", "30.3", "bd09")
    assert wrong.value.code == "bad_system"


def test_angles_keep_their_hemisphere():
    assert parse_angle("西经 73.5") == (-73.5, "lon")
    assert parse_angle("30.5") == (30.5, None)
