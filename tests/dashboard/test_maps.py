"""How a map chooses what to draw: totals far out, points (and names) close in."""

from __future__ import annotations

import pytest

from dashboard import maps
from dashboard.figures import SPECS
from layers import Filter
from layers.snapshot import snapshot


@pytest.fixture(scope="module")
def sel(demo_store):
    return snapshot(demo_store).select(Filter.of())


def drawn_codes(updates: dict, kind: str) -> list[str]:
    spec = SPECS[kind]
    return [c for key in spec.terms for c in updates[spec.slot(key.key)]["customdata"]]


def test_few_points_are_all_drawn_without_labels_far_out(sel):
    updates, state = maps.map_content("materials", sel, None, "zh", maps.THEMES["overview"])
    assert state["mode"] == "all" and not state["labels"]
    assert sorted(drawn_codes(updates, "materials")) == sorted(sel.materials["code"])


def test_many_points_become_township_totals_then_points_in_view(sel, monkeypatch):
    monkeypatch.setattr(maps, "POINTS_LIMIT", 50)
    theme = maps.THEMES["overview"]
    updates, state = maps.map_content("materials", sel, None, "zh", theme)
    assert state["mode"] == "totals"
    bubbles = updates[SPECS["materials"].aggregate_slot]
    assert sum(int(n.replace(",", "")) for n in bubbles["text"]) == len(sel.materials)
    assert drawn_codes(updates, "materials") == []

    x, y = sel.materials.geometry.x, sel.materials.geometry.y
    lon, lat = float(x.median()), float(y.median())
    view = {"zoom": 13.0, "bbox": [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01]}
    updates, state = maps.map_content("materials", sel, view, "zh", theme)
    assert state["mode"] == "detail" and state["labels"]
    west, south, east, north = state["box"]
    inside = sel.materials[(x >= west) & (x <= east) & (y >= south) & (y <= north)]
    assert sorted(drawn_codes(updates, "materials")) == sorted(inside["code"])
    slot = updates[SPECS["materials"].slot("village")]
    assert slot["mode"] == "markers+text" and len(slot["text"]) == len(slot["customdata"])

    # Panning within the window already sent needs nothing new.
    nudged = {"zoom": 13.2, "bbox": [lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005]}
    _, again = maps.map_content("materials", sel, nudged, "zh", theme)
    assert maps._same_content(state, again)


def test_a_wall_scales_with_its_screen():
    wall = maps.THEMES["wall"]
    hd = wall.fitted("wall", {"w": 1920, "h": 1080})
    uhd = wall.fitted("wall", {"w": 3840, "h": 2160})
    strip = wall.fitted("wall", {"w": 5760, "h": 1080})
    assert uhd.font_size == 2 * hd.font_size
    assert uhd.size_scale == pytest.approx(2 * hd.size_scale)
    assert strip.width > hd.width and strip.height > hd.height  # maps side by side


def test_viewport_is_read_from_relayout_data():
    relayout = {"map.center": {"lon": 112.1, "lat": 30.3}, "map.zoom": 11.5,
                "map._derived": {"coordinates": [[112.0, 30.4], [112.2, 30.4],
                                                 [112.2, 30.2], [112.0, 30.2]]}}
    assert maps._viewport(relayout) == {"zoom": 11.5, "bbox": [112.0, 30.2, 112.2, 30.4]}
    assert maps._viewport({"autosize": True}) is None
