"""The figures hold exactly the points a filter selects, encoded compactly."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from dashboard.figures import (
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
    for slot in spec.category_slots:
        codes += updates[slot]["customdata"]
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
    slots = [updates[s] for s in spec.totals_slots]
    bubbles = {key: [v for slot in slots for v in slot[key]] for key in ("text", "customdata")}
    bubbles["hovertext"] = [v for slot in slots for v in slot["hovertext"]]
    bubbles["lon"] = np.concatenate([decode(slot["lon"]) for slot in slots])
    bubbles["lat"] = np.concatenate([decode(slot["lat"]) for slot in slots])
    assert codes_on_map(updates, spec) == []
    # Each township's bubble: its own count, at its own anchor, in its hover.
    per_town = sel.materials["township_code"].astype(str).value_counts()
    towns = sel.towns.set_index("code")
    codes = [code.removeprefix("township:") for code in bubbles["customdata"]]
    counts = [int(text.replace(",", "")) for text in bubbles["text"]]
    assert dict(zip(codes, counts, strict=True)) == per_town.to_dict()
    assert np.allclose(bubbles["lon"], towns.loc[codes, "anchor_x"], atol=1e-5)
    assert np.allclose(bubbles["lat"], towns.loc[codes, "anchor_y"], atol=1e-5)
    for code, count, hover in zip(codes, counts, bubbles["hovertext"], strict=True):
        # then what the map's bubbles answer: here the key stock
        assert hover.startswith(f"{towns.loc[code, 'name']}<br>数量 {count:,} · 编织袋 ")


def test_command_links_join_each_node_to_its_parent(snap):
    sel = snap.select(Filter.of())
    updates = slot_updates(SPECS["command"], sel.command, sel.towns, "zh", links=sel.links)
    lon, lat = decode(updates[LINKS]["lon"]), decode(updates[LINKS]["lat"])
    assert len(sel.links) == int(sel.command["parent_code"].notna().sum())
    # One line per link, from the parent to the child, then a break.
    nodes = sel.command.set_index("code")
    parents = nodes.loc[sel.links["parent_code"]].geometry
    children = nodes.loc[sel.links["code"]].geometry
    assert len(lon) == len(lat) == 3 * len(sel.links)
    assert np.allclose(lon[0::3], parents.x, atol=1e-5)
    assert np.allclose(lat[0::3], parents.y, atol=1e-5)
    assert np.allclose(lon[1::3], children.x, atol=1e-5)
    assert np.allclose(lat[1::3], children.y, atol=1e-5)
    assert np.isnan(lon[2::3]).all() and np.isnan(lat[2::3]).all()


def test_view_fits_the_selection():
    view = view_for((111.9, 30.1, 112.35, 30.66), 900, 460)
    assert 111.9 < view.lon < 112.35 and 30.1 < view.lat < 30.66
    assert 7 < view.zoom < 10
    # What the map then shows holds the selection, with a margin on its tighter side.
    west, south, east, north = view_bounds(view, 900, 460)
    assert west < 111.9 and east > 112.35 and south < 30.1 and north > 30.66
    assert (north - south) < 1.5 * (30.66 - 30.1)


def test_each_township_is_a_clear_polygon_a_click_can_pick(snap):
    style = map_style(None, "", background="#fff")
    fig = base_figure(SPECS["risk"], snap.towns, style, View(112, 30, 9), "zh")
    outlines = fig.data[0]
    assert outlines.type == "choroplethmap" and outlines.meta == "outlines"
    codes = snap.towns["code"].astype(str).tolist()
    assert [f["id"] for f in outlines.geojson["features"]] == codes == list(outlines.locations)
    assert list(outlines.customdata) == [f"outline:{code}" for code in codes]
    assert list(outlines.hovertext) == snap.towns["name"].tolist()
    # Drawn as an outline only: the fill is clear, so nothing under it is hidden.
    assert {colour for _, colour in outlines.colorscale} == {"rgba(0,0,0,0)"}
    assert outlines.marker.line.width > 0


def test_every_trace_goes_under_an_anchor_of_its_own(snap):
    """plotly keeps a trace's layers in place across updates only when no other trace
    shares its ``below``: the style holds one empty anchor per trace, in trace order,
    above the base map."""
    style = map_style(None, "", background="#fff")
    for spec in SPECS.values():
        fig = base_figure(spec, snap.towns, style, View(112, 30, 9), "zh")
        belows = [trace.below for trace in fig.data]
        assert len(set(belows)) == len(belows) == len(spec.slots)
        layers = [layer["id"] for layer in fig.layout.map.style["layers"]]
        assert layers[: len(style["layers"])] == [layer["id"] for layer in style["layers"]]
        assert layers[len(style["layers"]) :] == belows
        anchors = fig.layout.map.style["layers"][len(style["layers"]) :]
        assert {(a["type"], a["layout"]["visibility"]) for a in anchors} == {("background", "none")}
    assert len(style["layers"]) == 1  # the caller's style is left as it was


def test_paint_changes_are_not_eased():
    """plotly re-sets paint properties at every update; an eased change would repaint
    each map for 300 ms, a costly frame each without a GPU."""
    assert map_style(None, "", background="#fff")["transition"] == {"duration": 0, "delay": 0}
