"""A tiny hand-made district whose every answer can be written in a test.

Two townships side by side (T1 west, T2 east), seven risk points, four
depots, four forces and the chain of command from the ministry to two
village stations. Each force, depot and village station is mobilised from a
different response level (the number in its code: ``D3`` from level III), so
a level filter's answer is a set of codes one can write down:

=========  =====================  ======================  =================
level      depots                 forces                  command nodes
=========  =====================  ======================  =================
IV (4)     D4                     F4                      the chain, N1, N2
III (3)    D4 D3                  F4 F3                   ... and V1
II (2)     D4 D3 D2               F4 F3 F2                ... and V2
I (1)      all four               all four                all
=========  =====================  ======================  =================

Hidden dangers: R1 open, R7 in progress, R2 R3 R6 rectified (3 of 5: 60 %);
R4 and R5 are risk sources, which are not rectified.
"""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import shapely

JURISDICTION = "J0"
T1, T2 = "T1", "T2"
WEST, SOUTH, MID, EAST, NORTH = 112.0, 30.0, 112.1, 112.2, 30.1


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _points(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    frame["geom"] = shapely.points(frame.pop("x").to_numpy(), frame.pop("y").to_numpy())
    return gpd.GeoDataFrame(frame, geometry="geom", crs="EPSG:4326")


def _box(west: float, south: float, east: float, north: float) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.box(west, south, east, north)])


# Where each point sits: T1 is x < 112.1, T2 x > 112.1.
RISKS = [
    # code, township, grade, kind, rectification status, x, y
    ("R1", T1, "major", "hidden_danger", "open", 112.01, 30.01),
    ("R2", T1, "larger", "hidden_danger", "rectified", 112.02, 30.02),
    ("R3", T2, "general", "hidden_danger", "rectified", 112.13, 30.03),
    ("R4", T2, "low", "risk_source", None, 112.14, 30.04),
    ("R5", T1, "major", "risk_source", None, 112.05, 30.05),
    ("R6", T2, "low", "hidden_danger", "rectified", 112.16, 30.06),
    ("R7", T1, "larger", "hidden_danger", "in_progress", 112.07, 30.07),
]
DEPOTS = [
    # code, township, level, mobilised from, x, y, stock
    ("D4", T1, "township", 4, 112.04, 30.04, {"woven_bag": 100.0}),
    ("D3", T2, "village", 3, 112.13, 30.03, {"woven_bag": 50.0, "sand": 10.0}),
    ("D2", T1, "county", 2, 112.02, 30.08, {"assault_boat": 2.0, "rubber_boat": 1.0}),
    ("D1", T2, "city", 1, 112.11, 30.01, {"life_jacket": 30.0, "pump": 3.0}),
]
FORCES = [
    # code, township, type, mobilised from, headcount, vehicles, boats, status, x, y
    ("F4", T1, "flood_team", 4, 20, 2, 1, "available", 112.03, 30.06),
    ("F3", T2, "fire_rescue", 3, 30, 4, 0, "available", 112.15, 30.05),
    ("F2", T1, "militia", 2, 50, 1, 2, "deployed", 112.06, 30.02),
    ("F1", T2, "social", 1, 10, 0, 3, "available", 112.18, 30.09),
]
NODES = [
    # code, level, parent, township, mobilised from, status, x, y
    ("M", "ministry", None, None, 4, "on_duty", 116.4, 39.9),
    ("P", "province", "M", None, 4, "on_duty", 114.3, 30.6),
    ("C", "city", "P", None, 4, "on_duty", 112.24, 30.33),
    ("K", "county", "C", None, 4, "on_duty", 112.19, 30.09),
    ("N1", "township", "K", T1, 4, "on_duty", 112.05, 30.05),
    ("N2", "township", "K", T2, 4, "off_duty", 112.15, 30.05),
    ("V1", "village", "N1", T1, 3, "on_duty", 112.02, 30.03),
    ("V2", "village", "N2", T2, 2, "off_duty", 112.17, 30.07),
]
# The response: one that ended in June, one in force since November (level III, T2 only).
ACTIVATIONS = [
    (1, 4, utc(2026, 6, 1, 8), utc(2026, 6, 3, 8), [T1, T2]),
    (2, 3, utc(2026, 11, 1, 8), None, [T2]),
]
WARNINGS = [("W1", "yellow", utc(2026, 11, 1, 6), None)]


def activation_frames(
    activations: list[tuple[int, int, datetime, datetime | None, list[str]]],
) -> dict[str, pd.DataFrame]:
    """``response_activations`` and ``activation_townships`` rows:
    (id, level, starts_at, ends_at, township codes)."""
    return {
        "response_activations": pd.DataFrame(
            [
                {
                    "id": n,
                    "level": level,
                    "starts_at": start,
                    "ends_at": end,
                    "reason": f"响应{n}",
                    "reason_en": f"Response {n}",
                }
                for n, level, start, end, _ in activations
            ],
            columns=["id", "level", "starts_at", "ends_at", "reason", "reason_en"],
        ).astype({"ends_at": object}),
        "activation_townships": pd.DataFrame(
            [
                {"activation_id": n, "township_code": town}
                for n, *_, towns in activations
                for town in towns
            ],
            columns=["activation_id", "township_code"],
        ),
    }


def warning_frame(warnings: list[tuple[str, str, datetime, datetime | None]]) -> pd.DataFrame:
    """``weather_warnings`` rows: (identifier, colour, issued_at, expires_at)."""
    columns = ["identifier", "event", "event_en", "colour", "headline", "headline_en"]
    columns += ["issued_at", "expires_at"]
    return pd.DataFrame(
        [
            {
                "identifier": ident,
                "event": "暴雨",
                "event_en": "Rainstorm",
                "colour": colour,
                "headline": f"暴雨预警 {ident}",
                "headline_en": f"Rainstorm warning {ident}",
                "issued_at": issued,
                "expires_at": expires,
            }
            for ident, colour, issued, expires in warnings
        ],
        columns=columns,
    ).astype({"expires_at": object})


def handmade_frames(
    activations: list | None = None, warnings: list | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of the tiny district, for :meth:`store.Store.replace_all`."""
    jurisdiction = gpd.GeoDataFrame(
        {"code": [JURISDICTION], "name": ["小区"], "name_en": ["Small District"]},
        geometry=[_box(WEST, SOUTH, EAST, NORTH)],
        crs="EPSG:4326",
    ).rename_geometry("geom")
    jurisdiction["level"] = "county"
    towns = gpd.GeoDataFrame(
        {
            "code": [T1, T2],
            "name": ["甲镇", "乙镇"],
            "name_en": ["Jia", "Yi"],
            "jurisdiction_code": [JURISDICTION, JURISDICTION],
        },
        geometry=[_box(WEST, SOUTH, MID, NORTH), _box(MID, SOUTH, EAST, NORTH)],
        crs="EPSG:4326",
    ).rename_geometry("geom")
    risks = _points(
        [
            {
                "code": code, "name": f"风险点{code}", "name_en": f"Risk {code}",
                "category": "flood", "kind": kind, "grade": grade, "township_code": town,
                "rectification_status": status, "x": x, "y": y,
            }
            for code, town, grade, kind, status, x, y in RISKS
        ]
    )  # fmt: skip
    risks["rectification_status"] = risks["rectification_status"].astype(object)
    depots = _points(
        [
            {
                "code": code, "name": f"仓库{code}", "name_en": f"Depot {code}",
                "level": level, "township_code": town, "mobilise_level": mob, "x": x, "y": y,
            }
            for code, town, level, mob, x, y, _ in DEPOTS
        ]
    )  # fmt: skip
    stock = pd.DataFrame(
        [
            {"depot_code": code, "item_code": item, "quantity": quantity}
            for code, *_, items in DEPOTS
            for item, quantity in items.items()
        ]
    )
    forces = _points(
        [
            {
                "code": code, "name": f"队伍{code}", "name_en": f"Team {code}", "type": kind,
                "township_code": town, "mobilise_level": mob, "headcount": people,
                "vehicles": vehicles, "boats": boats, "status": status, "x": x, "y": y,
            }
            for code, town, kind, mob, people, vehicles, boats, status, x, y in FORCES
        ]
    )  # fmt: skip
    nodes = _points(
        [
            {
                "code": code, "name": f"指挥部{code}", "name_en": f"Command {code}",
                "level": level, "parent_code": parent, "township_code": town,
                "mobilise_level": mob, "status": status, "duty_officer": f"值班{code}",
                "duty_phone": "12345", "x": x, "y": y,
            }
            for code, level, parent, town, mob, status, x, y in NODES
        ]
    )  # fmt: skip
    nodes = nodes.astype({"parent_code": object, "township_code": object})
    return {
        "jurisdictions": jurisdiction,
        "townships": towns,
        "risk_points": risks,
        "depots": depots,
        "depot_stock": stock,
        "forces": forces,
        "command_nodes": nodes,
        **activation_frames(ACTIVATIONS if activations is None else activations),
        "weather_warnings": warning_frame(WARNINGS if warnings is None else warnings),
    }
