"""A synthetic city for benchmarks: the four maps at city scale.

``build_city()`` returns the same frames as ``data.demo.build_demo()`` (see
``data/_synth.py``) for a made-up city of about 9,500 km² around Jingzhou:
120 townships in 8 counties (one jurisdiction), 1,869 villages, 150,000 risk
and hidden-danger points, 10,000 depots with their stock, 35,000 force
points and 2,000 command nodes. Its outline is a smooth random blob, not a
real boundary. Deterministic and vectorised.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from data import _synth

CODE = "421000"
CENTRE = (112.24, 30.33)  # Jingzhou city
RADIUS_M = 55_000.0

TOWNSHIPS = 120
COUNTIES = 8
VILLAGES = 2_000 - 3 - COUNTIES - TOWNSHIPS  # command nodes: 3 above county, then the tree
RISK_POINTS = 150_000
DEPOTS = {"city": 20, "county": 160, "township": 720, "village": 7_000, "enterprise": 2_100}
FORCES = {
    "fire_rescue": 160,
    "flood_team": 2_400,
    "forest_fire": 200,
    "hazchem_team": 150,
    "social": 900,
    "militia": 1_200,
    "enterprise_team": 2_500,
    "part_time": 5_600,
    "grid": 21_890,
}


def city_outline(rng: np.random.Generator) -> shapely.MultiPolygon:
    """A smooth, irregular city outline about ``RADIUS_M`` around ``CENTRE``."""
    theta = np.linspace(0.0, 2.0 * np.pi, 181)[:-1]
    phase = rng.uniform(0.0, 2.0 * np.pi, 3)
    r = RADIUS_M * (
        1.0
        + 0.12 * np.sin(2 * theta + phase[0])
        + 0.08 * np.sin(3 * theta + phase[1])
        + 0.05 * np.sin(5 * theta + phase[2])
    )
    lat = CENTRE[1] + r * np.sin(theta) / _synth.M_PER_DEG
    lon = CENTRE[0] + r * np.cos(theta) / (_synth.M_PER_DEG * np.cos(np.radians(CENTRE[1])))
    return shapely.MultiPolygon([shapely.Polygon(np.column_stack((lon, lat)))])


def city_plan(rng: np.random.Generator) -> _synth.Plan:
    """What the benchmark city holds."""
    return _synth.Plan(
        region=city_outline(rng),
        jurisdiction=(CODE, "荆州市 (synthetic city)", "Jingzhou City (synthetic)", "city"),
        code_prefix=CODE,
        townships=TOWNSHIPS,
        urban_townships=10,
        urban_centre=CENTRE,
        urban_radius_m=7_000.0,
        villages=VILLAGES,
        risk_points=RISK_POINTS,
        depots=DEPOTS,
        forces=FORCES,
        counties=COUNTIES,
        activation_townships=12,
        min_villages=6,
    )


def build_city(seed: int = 2026, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Every benchmark table, keyed by table name; layer tables are GeoDataFrames (EPSG:4326).
    Dates count from ``today`` as the demo's do."""
    from data.demo import with_ledger

    rng = np.random.default_rng(seed)
    return with_ledger(_synth.build(rng, city_plan(rng), today), seed, today)


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    frames = build_city()
    print(f"build_city: {time.perf_counter() - t0:.2f} s")
    for name, frame in frames.items():
        print(f"  {name}: {len(frame):,} rows")
