"""The benchmark city: city-scale counts under the same contract as the demo.

The city is built once per module (a few seconds); every test reads that build.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from test_demo import (
    assert_frames_equal,
    check_links,
    check_names,
    check_partition,
    check_points_inside,
    check_schema,
    check_vocabularies,
)

from data.city import build_city

BUILD_BUDGET_S = 30.0


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, pd.DataFrame], float]:
    start = time.perf_counter()
    frames = build_city()
    return frames, time.perf_counter() - start


@pytest.fixture(scope="module")
def frames(built) -> dict[str, pd.DataFrame]:
    return built[0]


def test_builds_within_budget(built):
    assert built[1] < BUILD_BUDGET_S


def test_city_scale_counts(frames):
    assert len(frames["jurisdictions"]) == 1
    assert frames["jurisdictions"].iloc[0]["level"] == "city"
    assert len(frames["townships"]) == 120
    assert len(frames["risk_points"]) == 150_000
    assert len(frames["depots"]) == 10_000
    assert len(frames["forces"]) == 35_000
    nodes = frames["command_nodes"]
    assert len(nodes) == 2_000
    levels = nodes["level"].value_counts()
    assert (levels["ministry"], levels["province"], levels["city"]) == (1, 1, 1)
    assert levels["county"] == 8 and levels["township"] == 120
    assert levels["village"] == 2_000 - 3 - 8 - 120


def test_store_contract(frames):
    check_schema(frames)
    check_vocabularies(frames)
    check_links(frames)
    check_names(frames)


def test_townships_partition_the_city(frames):
    check_partition(frames, frames["jurisdictions"].geometry.iloc[0])


def test_points_inside_their_township(frames):
    check_points_inside(frames)


def test_every_depot_holds_a_few_items(frames):
    per_depot = frames["depot_stock"].groupby("depot_code").size()
    assert len(per_depot) == len(frames["depots"])
    assert per_depot.median() <= 10


def test_ranges_match_the_demo(frames):
    risk = frames["risk_points"]
    share = risk["grade"].value_counts(normalize=True)
    assert share["major"] < 0.1 and share["general"] + share["low"] > 0.6
    hidden = risk[risk["kind"] == "hidden_danger"]
    assert (hidden["rectification_status"] == "rectified").mean() > 0.75
    grid = frames["forces"].query("type == 'grid'")["headcount"]
    assert grid.between(1, 5).all()
    # Every county has a headquarters with townships under it.
    nodes = frames["command_nodes"]
    counties = nodes.loc[nodes["level"] == "county", "code"]
    towns = nodes[nodes["level"] == "township"]
    assert set(towns["parent_code"]) == set(counties)


def test_build_is_deterministic(frames):
    assert_frames_equal(frames, build_city())
