"""The demo district: Jingzhou District, Hubei, with synthetic layers.

``build_demo()`` returns one frame per table of ``store/schema.py`` (see
``data/_synth.py`` for the frame contract). The district outline is real
(``data/jingzhou_421003.geojson``, see ``data/PROVENANCE.md``); the 16
townships cut from it and every point, name, person and phone number are
synthetic. The counts follow one district's published report: 107 risk and
hidden-danger points, 372 material and equipment points, 351 force points,
16 townships and 334 villages, each with an emergency station.

The build is deterministic (same seed and day, same frames) and takes well under a
second, so the app can run it when it first creates its embedded store.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from data import _synth
from data.roads import build_roads

OUTLINE_PATH = Path(__file__).with_name("jingzhou_421003.geojson")
CODE = "421003"

DEPOTS = {"city": 2, "county": 10, "township": 48, "village": 282, "enterprise": 30}
FORCES = {
    "fire_rescue": 6,
    "flood_team": 24,
    "forest_fire": 4,
    "hazchem_team": 3,
    "social": 18,
    "militia": 16,
    "enterprise_team": 20,
    "part_time": 60,
    "grid": 200,
}


@lru_cache(maxsize=1)
def load_outline() -> shapely.MultiPolygon:
    """Jingzhou District's outline (WGS 84) from ``data/jingzhou_421003.geojson``."""
    collection = json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))
    geom = shapely.geometry.shape(collection["features"][0]["geometry"])
    return geom if geom.geom_type == "MultiPolygon" else shapely.MultiPolygon([geom])


def demo_plan() -> _synth.Plan:
    """What the demo holds: the district, its counts and its names."""
    return _synth.Plan(
        region=load_outline(),
        jurisdiction=(CODE, "荆州区", "Jingzhou District", "county"),
        code_prefix=CODE,
        townships=16,
        urban_townships=4,
        urban_centre=(112.19, 30.35),  # the old walled city
        urban_radius_m=4000.0,
        villages=334,
        risk_points=107,
        depots=DEPOTS,
        forces=FORCES,
        counties=(_synth.County(CODE, "荆州区", "Jingzhou District"),),
        activation_townships=5,
        min_villages=8,
    )


def build_demo(seed: int = 421003, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Every demo table, keyed by table name; layer tables are GeoDataFrames (EPSG:4326).

    Its dates count from ``today`` (default: today in China Standard Time), so
    a demo loaded any day shows a response and a weather warning in force."""
    rng = np.random.default_rng(seed)
    frames = _synth.build(rng, demo_plan(), today)
    frames["roads"] = build_roads(frames)  # synthetic too: see data/roads.py
    return with_ledger(frames, seed, today)


def with_ledger(
    frames: dict[str, pd.DataFrame], seed: int, today: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """``frames`` with the hidden dangers' ledger accounts and the points' next inspection."""
    from data.ledger import ledger_accounts, next_inspections

    risk = frames["risk_points"]
    risk["next_inspection"] = next_inspections(risk)
    names = dict(zip(frames["townships"]["code"], frames["townships"]["name"], strict=True))
    frames["hidden_dangers"] = ledger_accounts(risk, names, seed, today or _synth.today_cst())
    return frames
