"""The figures hold exactly the points a filter selects, encoded compactly."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from dashboard.figures import (
    FIRST_CATEGORY,
    LINKS,
    SPECS,
    View,
    base_figure,
    slot_updates,
    view_bounds,
    view_for,
)
from dashboard.mapstyle import map_style
from layers import Filter
from layers.snapshot import snapshot


def decode(array: dict | list) -> np.ndarray:
    if isinstance(array, list):
        return np.asarray(array, dtype=float)
    return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])


@pytest.fixture(scope="module")
def snap(demo_store):
    return snapshot(demo_store)


def codes_on_map(updates: dict[int, dict], spec) -> list[str]:
    codes: list[str] = []
    for n in range(len(spec.terms)):
        codes += updates[FIRST_CATEGORY + n]["customdata"]
    return codes


@pytest.mark.parametrize("kind", ["risk", "materials", "forces", "command"])
def test_a_township_filter_draws_exactly_that_townships_points(snap, kind):
    town = snap.towns["code"].iloc[7]
    sel = snap.select(Filter.of([town]))
    spec = SPECS[kind]
    frame = getattr(sel, kind)
    updates = slot_updates(
        spec, frame, sel.towns, "zh", links=sel.links if kind == "command" else None
    )
    drawn = codes_on_map(updates, spec)
    assert sorted(drawn) == sorted(frame["code"])
    if kind != "command":
        everywhere = getattr(snap, kind)
        assert set(everywhere.set_index("code").loc[drawn, "township_code"]) == {town}
    # every category trace holds only its category, with coordinates inside the township
    for term in spec.terms:
        slot = updates[spec.slot(term.key)]
        rows = frame.set_index("code").loc[slot["customdata"]]
        assert set(rows[spec.category]) <= {term.key}
        lon, lat = decode(slot["lon"]), decode(slot["lat"])
        assert np.allclose(lon, rows.geometry.x, atol=1e-5)
        assert np.allclose(lat, rows.geometry.y, atol=1e-5)


def test_hover_names_the_point_in_the_chosen_language(snap):
    sel = snap.select(Filter.of())
    zh = slot_updates(SPECS["risk"], sel.risk, sel.towns, "zh")
    en = slot_updates(SPECS["risk"], sel.risk, sel.towns, "en")
    slot = SPECS["risk"].slot("major")
    row = sel.risk.set_index("code").loc[zh[slot]["customdata"][0]]
    assert zh[slot]["hovertext"][0].startswith(row["name"])
    assert en[slot]["hovertext"][0].startswith(row["name_en"])
    # The grade is the trace's: written once in its hover template, not on every point.
    style = map_style(None, "", background="#fff")
    for lang, grade, hint in (("zh", "重大风险", "点击查看详情"), ("en", "Major", "Click")):
        fig = base_figure(SPECS["risk"], sel.towns, style, View(112, 30, 9), lang)
        template = fig.data[slot].hovertemplate
        assert "%{hovertext}" in template and grade in template and hint in template
    wall = base_figure(SPECS["risk"], sel.towns, style, View(112, 30, 9), "zh", click_hint=False)
    assert "点击" not in wall.data[slot].hovertemplate  # the wall has no details panel


def test_many_points_become_township_totals_with_exact_counts(snap):
    sel = snap.select(Filter.of())
    spec = SPECS["materials"]
    updates = slot_updates(spec, sel.materials, sel.towns, "zh", aggregate=True)
    bubbles = updates[spec.aggregate_slot]
    assert codes_on_map(updates, spec) == []
    counts = [int(text.replace(",", "")) for text in bubbles["text"]]
    assert sum(counts) == len(sel.materials)
    assert len(counts) == sel.materials["township_code"].nunique()


def test_command_links_join_each_node_to_its_parent(snap):
    sel = snap.select(Filter.of())
    updates = slot_updates(SPECS["command"], sel.command, sel.towns, "zh", links=sel.links)
    lon = decode(updates[LINKS]["lon"])
    assert len(lon) == 3 * len(sel.links)
    assert len(sel.links) == int(sel.command["parent_code"].notna().sum())


def test_view_fits_the_selection():
    view = view_for((111.9, 30.1, 112.35, 30.66), 900, 460)
    assert 111.9 < view.lon < 112.35 and 30.1 < view.lat < 30.66
    assert 7 < view.zoom < 10
    # What the map then shows holds the selection, with a margin on its tighter side.
    west, south, east, north = view_bounds(view, 900, 460)
    assert west < 111.9 and east > 112.35 and south < 30.1 and north > 30.66
    assert (north - south) < 1.5 * (30.66 - 30.1)
