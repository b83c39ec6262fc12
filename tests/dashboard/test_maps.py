"""How a map chooses what to draw: totals far out, points (and names) close in."""

from __future__ import annotations

from dataclasses import replace

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


def fewer_allowed(monkeypatch, kind: str, limit: int) -> None:
    monkeypatch.setitem(SPECS, kind, replace(SPECS[kind], points_limit=limit))


def test_many_points_become_township_totals_then_points_in_view(sel, monkeypatch):
    fewer_allowed(monkeypatch, "materials", 50)
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


def names_drawn(updates: dict, kind: str) -> list[str]:
    return updates[SPECS[kind].names_slot]["text"]


def test_township_names_and_counts_only_when_few_townships_are_in_view(sel, monkeypatch):
    theme = maps.THEMES["overview"]
    fewer_allowed(monkeypatch, "risk", 50)
    # The demo's 16 townships: every name, and every bubble's count.
    updates, state = maps.map_content("risk", sel, None, "zh", theme, sel.towns)
    assert sorted(names_drawn(updates, "risk")) == sorted(sel.towns["name"])
    assert state["names"] == sorted(sel.towns["code"])
    bubbles = updates[SPECS["risk"].aggregate_slot]
    assert bubbles["mode"] == "markers+text" and len(bubbles["text"]) == len(bubbles["customdata"])

    # A city's hundred townships at once: no names, bubbles without counts (the
    # exact figures are beside the maps and in each bubble's hover).
    monkeypatch.setattr(maps, "NAMES_LIMIT", 5)
    updates, state = maps.map_content("risk", sel, None, "zh", theme, sel.towns)
    assert names_drawn(updates, "risk") == [] and state["names"] is None
    bubbles = updates[SPECS["risk"].aggregate_slot]
    assert bubbles["mode"] == "markers" and bubbles["text"] == []
    assert len(bubbles["hovertext"]) == sel.risk["township_code"].nunique()

    # Zoomed onto one township: its name (and its neighbours' in view) come back.
    town = sel.towns.iloc[3]
    x, y = town["anchor_x"], town["anchor_y"]
    view = {"zoom": 12.0, "bbox": [x - 0.01, y - 0.01, x + 0.01, y + 0.01]}
    updates, state = maps.map_content("risk", sel, view, "zh", theme, sel.towns)
    assert town["name"] in names_drawn(updates, "risk") and town["code"] in state["names"]
    assert len(names_drawn(updates, "risk")) <= 5


def test_a_wall_scales_with_its_screen():
    wall = maps.THEMES["wall"]
    hd = wall.fitted("wall", {"w": 1920, "h": 1080})
    uhd = wall.fitted("wall", {"w": 3840, "h": 2160})
    strip = wall.fitted("wall", {"w": 5760, "h": 1080})
    assert uhd.font_size == 2 * hd.font_size
    assert uhd.size_scale == pytest.approx(2 * hd.size_scale)
    assert strip.width > hd.width and strip.height > hd.height  # maps side by side


def test_viewport_is_read_from_relayout_data():
    relayout = {
        "map.center": {"lon": 112.1, "lat": 30.3},
        "map.zoom": 11.5,
        "map._derived": {
            "coordinates": [[112.0, 30.4], [112.2, 30.4], [112.2, 30.2], [112.0, 30.2]]
        },
    }
    assert maps._viewport(relayout) == {"zoom": 11.5, "bbox": [112.0, 30.2, 112.2, 30.4]}
    assert maps._viewport({"autosize": True}) is None
