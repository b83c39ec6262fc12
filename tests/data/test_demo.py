"""The demo district: the store's contract, the report's figures, exact geography.

The ``check_*`` helpers hold for any build of ``data._synth`` and are reused
by ``test_city.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from data._synth import today_cst
from data.demo import build_demo, load_outline
from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    MATERIAL_CATALOGUE,
    NODE_STATUSES,
    RECTIFICATION_STATUSES,
    RISK_CATEGORIES,
    RISK_GRADES,
    RISK_KINDS,
    WARNING_COLOURS,
    keys,
)
from store import schema

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "jurisdictions",
    "townships",
    "risk_points",
    "hidden_dangers",
    "depots",
    "depot_stock",
    "forces",
    "command_nodes",
    "response_activations",
    "activation_townships",
    "weather_warnings",
)
GEO = {
    "roads": "LineString",
    "jurisdictions": "MultiPolygon",
    "townships": "MultiPolygon",
    "risk_points": "Point",
    "depots": "Point",
    "forces": "Point",
    "command_nodes": "Point",
}
POINT_LAYERS = ("risk_points", "depots", "forces", "command_nodes")
CHANNELS = {"phone", "dingtalk", "video", "satellite", "radio"}


# --------------------------------------------------------------------------- shared checks


def digest(frames: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over every frame's values, dtypes and geometry WKB, in table order."""
    h = hashlib.sha256()
    for name in sorted(frames):
        frame = pd.DataFrame(frames[name])
        if "geom" in frame:
            frame["geom"] = [g.hex() for g in shapely.to_wkb(np.asarray(frame["geom"]))]
        h.update(name.encode())
        h.update(repr(list(frame.dtypes.astype(str).items())).encode())
        h.update(frame.to_csv(index=False).encode())
    return h.hexdigest()


def assert_frames_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    """Two builds are identical: same tables, values, dtypes and geometry bytes."""
    assert list(a) == list(b)
    for name in a:
        fa, fb = pd.DataFrame(a[name]), pd.DataFrame(b[name])
        if "geom" in fa:
            assert list(shapely.to_wkb(np.asarray(fa.pop("geom")))) == list(
                shapely.to_wkb(np.asarray(fb.pop("geom")))
            ), name
        pd.testing.assert_frame_equal(fa, fb, check_exact=True, obj=name)


def check_schema(frames: dict[str, pd.DataFrame]) -> None:
    """Columns are table columns, cover what must be given, and fit their types."""
    assert set(frames) - {"roads"} == set(TABLES)  # the demo has a road network too
    for name, frame in frames.items():
        table = schema.metadata.tables[name]
        cols = set(frame.columns)
        assert cols <= set(table.c.keys()), (name, cols - set(table.c.keys()))
        required = {
            c.name
            for c in table.columns
            if not c.nullable and c.server_default is None and c is not table.autoincrement_column
        }
        assert required <= cols, (name, required - cols)
        for col in table.columns:
            if col.name not in cols or col.name == "geom":
                continue
            values = frame[col.name]
            if not col.nullable:
                assert values.notna().all(), (name, col.name)
            present = values.dropna()
            if isinstance(col.type, sa.String):
                assert present.map(type).eq(str).all(), (name, col.name)
                if col.type.length:
                    assert present.str.len().max() <= col.type.length, (name, col.name)
            elif isinstance(col.type, sa.Integer):
                assert pd.api.types.is_integer_dtype(values), (name, col.name)
            elif isinstance(col.type, sa.Float):
                assert pd.api.types.is_float_dtype(values), (name, col.name)
            elif isinstance(col.type, sa.DateTime):
                assert str(values.dtype).startswith("datetime64") and str(values.dt.tz) == "UTC", (
                    name,
                    col.name,
                )
            elif isinstance(col.type, sa.Date):
                assert present.map(type).eq(dt.date).all(), (name, col.name)
        for col in table.columns:
            if col.unique and col.name in cols:
                assert frame[col.name].is_unique, (name, col.name)
        pk = [c.name for c in table.primary_key]
        if set(pk) <= cols:
            assert not frame.duplicated(pk).any(), (name, pk)
    for name, geom_type in GEO.items():
        if name not in frames:
            continue  # the city set has no road network (the benchmark builds its own)
        frame = frames[name]
        assert isinstance(frame, gpd.GeoDataFrame), name
        assert frame.geometry.name == "geom" and frame.crs == "EPSG:4326", name
        assert (frame.geom_type == geom_type).all(), name
        assert frame.is_valid.all() and not frame.is_empty.any(), name
    for name in set(TABLES) - set(GEO):
        assert not isinstance(frames[name], gpd.GeoDataFrame), name


def check_vocabularies(frames: dict[str, pd.DataFrame]) -> None:
    """Every value obeys the store's check constraints (and domain.py's vocabularies)."""
    risk = frames["risk_points"]
    assert risk["kind"].isin(keys(RISK_KINDS)).all()
    assert risk["grade"].isin(keys(RISK_GRADES)).all()
    assert risk["category"].isin(keys(RISK_CATEGORIES)).all()
    hidden = risk["kind"] == "hidden_danger"
    status = risk["rectification_status"]
    assert status[hidden].isin(keys(RECTIFICATION_STATUSES)).all()
    assert status[~hidden].isna().all()
    assert risk.loc[hidden, "rectification_deadline"].notna().all()
    assert risk.loc[~hidden, "rectification_deadline"].isna().all()
    assert (risk["people_threatened"] >= 0).all() and (risk["households_threatened"] >= 0).all()
    assert (risk["households_threatened"] <= risk["people_threatened"]).all()

    depots = frames["depots"]
    assert depots["level"].isin(keys(DEPOT_LEVELS)).all()
    stock = frames["depot_stock"]
    assert stock["item_code"].isin([i.code for i in MATERIAL_CATALOGUE]).all()
    assert (stock["quantity"] >= 0).all()

    forces = frames["forces"]
    assert forces["type"].isin(keys(FORCE_TYPES)).all()
    assert forces["status"].isin(keys(FORCE_STATUSES)).all()
    assert (forces[["headcount", "vehicles", "boats"]] >= 0).all().all()

    nodes = frames["command_nodes"]
    assert nodes["level"].isin(keys(COMMAND_LEVELS)).all()
    assert nodes["status"].isin(keys(NODE_STATUSES)).all()
    assert nodes["channels"].map(lambda c: set(c.split(",")) <= CHANNELS and "phone" in c).all()

    for name in ("depots", "forces", "command_nodes"):
        assert frames[name]["mobilise_level"].between(1, 4).all(), name
    assert frames["response_activations"]["level"].between(1, 4).all()
    assert frames["weather_warnings"]["colour"].isin(keys(WARNING_COLOURS)).all()


def check_links(frames: dict[str, pd.DataFrame]) -> None:
    """Every reference (the store's foreign keys) points at a row that exists."""
    towns = set(frames["townships"]["code"])
    assert set(frames["townships"]["jurisdiction_code"]) <= set(frames["jurisdictions"]["code"])
    for name in ("risk_points", "depots", "forces"):
        assert set(frames[name]["township_code"]) <= towns, name
    assert set(frames["depot_stock"]["depot_code"]) <= set(frames["depots"]["code"])
    assert set(frames["activation_townships"]["township_code"]) <= towns
    assert set(frames["activation_townships"]["activation_id"]) <= set(
        frames["response_activations"]["id"]
    )

    nodes = frames["command_nodes"].set_index("code")
    assert set(nodes["township_code"].dropna()) <= towns
    roots = nodes[nodes["parent_code"].isna()]
    assert list(roots["level"]) == ["ministry"]
    order = keys(COMMAND_LEVELS)
    children = nodes[nodes["parent_code"].notna()]
    parent_level = nodes.loc[children["parent_code"], "level"].to_numpy()
    assert [order.index(p) + 1 for p in parent_level] == [order.index(c) for c in children["level"]]
    above = nodes["level"].isin(["ministry", "province", "city"])
    assert nodes.loc[above, "township_code"].isna().all()
    assert nodes.loc[~above, "township_code"].notna().all()
    # A village station and its township node share the township.
    lower = nodes[nodes["level"].isin(["village"])]
    assert (
        nodes.loc[lower["parent_code"], "township_code"].to_numpy()
        == lower["township_code"].to_numpy()
    ).all()
    # One township node per township, in it.
    town_nodes = nodes[nodes["level"] == "township"]
    assert sorted(town_nodes["township_code"]) == sorted(towns)


def check_partition(frames: dict[str, pd.DataFrame], region: shapely.Geometry) -> None:
    """The townships cover the region exactly: same area, no overlaps, nothing outside."""
    towns = np.asarray(frames["townships"].geometry)
    total = region.area
    union = shapely.union_all(towns)
    assert abs(union.area - total) <= 1e-9 * total
    assert abs(shapely.area(towns).sum() - total) <= 1e-9 * total
    assert shapely.difference(union, region).area <= 1e-9 * total
    tree = shapely.STRtree(towns)
    a, b = tree.query(towns, predicate="intersects")
    pairs = a < b
    assert pairs.any()
    overlap = shapely.area(shapely.intersection(towns[a[pairs]], towns[b[pairs]]))
    assert (overlap == 0).all(), overlap.max()


def check_points_inside(frames: dict[str, pd.DataFrame]) -> None:
    """Every point lies strictly inside its own township's polygon."""
    towns = frames["townships"].set_index("code").geometry
    for name in POINT_LAYERS:
        frame = frames[name]
        frame = frame[frame["township_code"].notna()]
        polys = np.asarray(towns.loc[frame["township_code"]])
        inside = shapely.contains_xy(
            polys, frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
        )
        assert inside.all(), (name, frame.loc[~inside, "code"].head().tolist())


def check_names(frames: dict[str, pd.DataFrame]) -> None:
    """Every layer row has a Chinese name and an English one, unique within its layer."""
    for name in ("townships", *POINT_LAYERS):
        frame = frames[name]
        assert frame["name"].str.len().gt(0).all() and frame["name_en"].str.len().gt(0).all()
        assert frame["name_en"].map(str.isascii).all(), name
        assert frame["name"].is_unique and frame["name_en"].is_unique, name
    people = pd.concat(
        [
            frames["risk_points"]["responsible_phone"],
            frames["depots"]["keeper_phone"],
            frames["forces"]["leader_phone"],
        ]
    )
    assert people.str.fullmatch(r"1[3-9]\d{9}").all()


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return build_demo()


def test_counts_follow_the_report(frames):
    assert len(frames["jurisdictions"]) == 1
    assert len(frames["townships"]) == 16
    assert len(frames["risk_points"]) == 107
    assert len(frames["depots"]) == 372
    assert len(frames["forces"]) == 351
    levels = frames["command_nodes"]["level"].value_counts().to_dict()
    assert levels == {
        "ministry": 1,
        "province": 1,
        "city": 1,
        "county": 1,
        "township": 16,
        "village": 334,
    }


def test_district_and_townships(frames):
    district = frames["jurisdictions"].iloc[0]
    assert (district["code"], district["name"], district["name_en"], district["level"]) == (
        "421003",
        "荆州区",
        "Jingzhou District",
        "county",
    )
    assert district["geom"].equals(load_outline())
    towns = frames["townships"]
    assert list(towns["code"]) == [f"421003{i:03d}" for i in range(1, 17)]
    assert (towns["jurisdiction_code"] == "421003").all()
    assert towns["name"].str.contains("镇|乡|街道").all()


def test_store_contract(frames):
    check_schema(frames)
    check_vocabularies(frames)
    check_links(frames)
    check_names(frames)


def test_townships_partition_the_outline(frames):
    check_partition(frames, load_outline())


def test_points_inside_their_township(frames):
    check_points_inside(frames)
    # The district HQ is inside the district; the nodes above it are not on its map.
    nodes = frames["command_nodes"].set_index("level")
    assert load_outline().contains(nodes.loc["county", "geom"])
    assert not load_outline().contains(nodes.loc["ministry", "geom"])


def test_build_is_deterministic(frames):
    assert_frames_equal(frames, build_demo())
    assert digest(build_demo(seed=7)) != digest(frames)


def test_same_bytes_in_another_process(frames):
    """No dependence on Python's hash seed or the clock."""
    code = (
        "from data.demo import build_demo; from test_demo import digest; "
        "print(digest(build_demo()))"
    )
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)]),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == digest(frames)


def test_risk_grades_and_rectification_look_real(frames):
    risk = frames["risk_points"]
    grades = risk["grade"].value_counts()
    assert 0 < grades["major"] < grades["larger"] < grades["general"] + grades["low"]
    assert grades["general"] + grades["low"] > len(risk) / 2
    water = risk["category"].isin(["flood", "dike", "geological"]).mean()
    assert water > 0.35
    status = risk["rectification_status"].value_counts()
    assert status["rectified"] > status.drop("rectified").sum()
    hidden = risk[risk["kind"] == "hidden_danger"]
    assert 0.2 < len(hidden) / len(risk) < 0.8
    assert (risk.loc[risk["grade"] == "major", "supervising_leader"].str.contains("区长")).all()
    # Dates count from the day the demo is built: some deadlines passed, some to come.
    today = pd.Timestamp(today_cst())
    deadlines = pd.to_datetime(hidden["rectification_deadline"])
    assert deadlines.between(today - pd.Timedelta(days=320), today + pd.Timedelta(days=135)).all()
    open_ = hidden[hidden["rectification_status"] != "rectified"]
    assert (pd.to_datetime(open_["rectification_deadline"]) < today).any()  # overdue ones
    assert (pd.to_datetime(open_["rectification_deadline"]) > today).any()
    inspected = pd.to_datetime(risk["last_inspection"])
    assert inspected.between(today - pd.Timedelta(days=210), today).all()


def test_stock_scales_with_depot_level(frames):
    depots, stock = frames["depots"], frames["depot_stock"]
    assert set(depots["level"]) == set(keys(DEPOT_LEVELS))
    assert set(depots["code"]) == set(stock["depot_code"])  # every depot holds something
    assert (depots["mobilise_level"] == 4).mean() > 0.5
    merged = stock.merge(depots[["code", "level"]], left_on="depot_code", right_on="code")
    bags = merged[merged["item_code"] == "woven_bag"].groupby("level")["quantity"]
    assert bags.min()["village"] >= 100 and bags.max()["village"] < 1000
    assert bags.min()["county"] >= 10_000
    jackets = merged[merged["item_code"] == "life_jacket"].groupby("level")["quantity"]
    assert jackets.max()["village"] <= 20
    county = merged[merged["level"] == "county"]
    assert county.loc[county["item_code"] == "sand", "quantity"].between(100, 999).all()
    assert county["item_code"].isin(["assault_boat", "rubber_boat"]).any()
    assert county["item_code"].eq("pump").any()


def test_forces_have_realistic_sizes(frames):
    forces = frames["forces"]
    assert set(forces["type"]) == set(keys(FORCE_TYPES))
    head = forces.groupby("type")["headcount"]
    assert head.min()["grid"] >= 1 and head.max()["grid"] <= 5
    assert head.min()["fire_rescue"] >= 20 and head.max()["fire_rescue"] <= 60
    assert head.min()["militia"] >= 30 and head.max()["militia"] <= 100
    assert (forces.loc[forces["type"] == "grid", ["vehicles", "boats"]] == 0).all().all()
    assert (forces["status"] == "available").mean() > 0.7
    # One militia company in every township.
    militia = forces[forces["type"] == "militia"]
    assert sorted(militia["township_code"]) == sorted(frames["townships"]["code"])


def test_command_tree(frames):
    nodes = frames["command_nodes"].set_index("code")
    county = nodes[nodes["level"] == "county"]
    assert county["parent_code"].tolist() == nodes.index[nodes["level"] == "city"].tolist()
    assert (nodes.loc[nodes["level"] == "township", "parent_code"] == county.index[0]).all()
    villages = nodes[nodes["level"] == "village"]
    assert villages.groupby("township_code").size().min() >= 5
    assert (nodes["status"] == "on_duty").mean() > 0.9
    assert nodes.loc[nodes["level"] != "village", "channels"].str.contains("video").all()


def test_response_and_warning(frames):
    acts = frames["response_activations"].set_index("id")
    current = acts[acts["ends_at"].isna()]
    assert len(current) == 1 and len(acts) == 2
    now = current.iloc[0]
    assert now["level"] == 4 and now["reason"] == "汛期强降雨" and now["reason_en"]
    moment = pd.Timestamp.now(tz="UTC")
    assert moment - pd.Timedelta(days=2) < now["starts_at"] < moment  # began yesterday
    past = acts[acts["ends_at"].notna()].iloc[0]
    assert past["starts_at"] < past["ends_at"] < now["starts_at"]
    assert "level IV" in past["reason_en"]
    assert f"{past['ends_at'].tz_convert('Asia/Shanghai').day} " in past["reason_en"]
    scope = frames["activation_townships"]
    assert (scope["activation_id"] == current.index[0]).all() and len(scope) == 5
    warning = frames["weather_warnings"].iloc[0]
    assert len(frames["weather_warnings"]) == 1
    assert warning["colour"] == "yellow" and "暴雨" in warning["headline"]
    assert warning["issued_at"] < moment < warning["expires_at"]  # a newcomer sees it
    assert warning["expires_at"] - moment > pd.Timedelta(days=1)  # and still does tomorrow
    issued = warning["issued_at"].tz_convert("Asia/Shanghai")
    assert f"{issued.year}年{issued.month}月{issued.day}日" in warning["headline"]
    assert warning["identifier"].startswith("urn:oid:")


def test_dates_count_from_the_day_the_demo_is_built():
    one, two = build_demo(today=dt.date(2026, 11, 23)), build_demo(today=dt.date(2027, 3, 1))
    days = pd.Timedelta(days=(dt.date(2027, 3, 1) - dt.date(2026, 11, 23)).days)
    for table, column in [
        ("risk_points", "rectification_deadline"),
        ("risk_points", "last_inspection"),
        ("response_activations", "starts_at"),
        ("weather_warnings", "expires_at"),
    ]:
        a, b = pd.to_datetime(one[table][column]), pd.to_datetime(two[table][column])
        assert ((b - a).dropna() == days).all(), (table, column)
    # The anchored day itself: the schedule the demo was first written with.
    assert "2026年11月22日" in one["weather_warnings"]["headline"].iloc[0]
    assert "26 June" in one["response_activations"]["reason_en"].iloc[0]
