"""How a map chooses what to draw: totals far out, points (and names) close in."""

from __future__ import annotations

import math
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pytest
import shapely

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


def bubbles_of(updates: dict, kind: str) -> dict[str, list]:
    """Every township bubble of a map, whatever its class: text, hovertext, customdata."""
    slots = [updates[slot] for slot in SPECS[kind].totals_slots]
    out = {key: [v for slot in slots for v in slot[key]] for key in ("text", "hovertext")}
    out["customdata"] = [v for slot in slots for v in slot["customdata"]]
    out["modes"] = {slot["mode"] for slot in slots if slot["customdata"]}
    return out


def fewer_allowed(monkeypatch, kind: str, limit: int) -> None:
    monkeypatch.setitem(SPECS, kind, replace(SPECS[kind], points_limit=limit))


def test_many_points_become_township_totals_then_points_in_view(sel, monkeypatch):
    fewer_allowed(monkeypatch, "materials", 50)
    theme = maps.THEMES["overview"]
    updates, state = maps.map_content("materials", sel, None, "zh", theme)
    assert state["mode"] == "totals"
    bubbles = bubbles_of(updates, "materials")
    assert sum(int(n.replace(",", "")) for n in bubbles["text"]) == len(sel.materials)
    assert drawn_codes(updates, "materials") == []

    x, y = sel.materials.geometry.x, sel.materials.geometry.y
    lon, lat = float(x.median()), float(y.median())
    view = {"zoom": 13.0, "bbox": [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01]}
    updates, state = maps.map_content("materials", sel, view, "zh", theme)
    assert state["mode"] == "detail" and state["labels"]
    west, south, east, north = state["box"]
    # the window holds the view, on every side
    assert west < view["bbox"][0] and south < view["bbox"][1]
    assert east > view["bbox"][2] and north > view["bbox"][3]
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
    assert [name[0] for name in state["names"]] == sorted(sel.towns["code"])
    bubbles = bubbles_of(updates, "risk")
    assert bubbles["modes"] == {"markers+text"}
    assert len(bubbles["text"]) == len(bubbles["customdata"])

    # A city's hundred townships at once: no names, bubbles without counts (the
    # exact figures are beside the maps and in each bubble's hover).
    monkeypatch.setattr(maps, "NAMES_LIMIT", 5)
    updates, state = maps.map_content("risk", sel, None, "zh", theme, sel.towns)
    assert names_drawn(updates, "risk") == [] and state["names"] is None
    bubbles = bubbles_of(updates, "risk")
    assert bubbles["modes"] == {"markers"} and bubbles["text"] == []
    assert len(bubbles["hovertext"]) == sel.risk["township_code"].nunique()

    # Zoomed onto one township: its name (and its neighbours' in view) come back.
    town = sel.towns.iloc[3]
    x, y = town["anchor_x"], town["anchor_y"]
    view = {"zoom": 12.0, "bbox": [x - 0.01, y - 0.01, x + 0.01, y + 0.01]}
    updates, state = maps.map_content("risk", sel, view, "zh", theme, sel.towns)
    assert town["name"] in names_drawn(updates, "risk")
    assert town["code"] in [name[0] for name in state["names"]]
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


def view_state(mode: str, labels: bool = False, box=None, bbox=None) -> dict:
    return {"zoom": 12.0, "bbox": bbox, "mode": mode, "box": box, "labels": labels, "names": None}


def test_a_new_view_draws_something_else_when_mode_labels_or_window_change():
    def detail(bbox):
        return view_state("detail", True, bbox=bbox)

    window = [112.0, 30.0, 112.1, 30.1]
    sent = view_state("detail", True, box=window, bbox=[112.03, 30.03, 112.07, 30.07])
    inside = detail([112.01, 30.01, 112.09, 30.09])
    assert maps._same_content(sent, inside)  # a pan within the window sent
    assert maps._same_content(view_state("all"), view_state("all"))
    assert maps._same_content(view_state("totals"), view_state("totals"))
    different = {
        "nothing drawn yet": (None, inside),
        "zoomed out to totals": (sent, view_state("totals")),
        "zoomed in from totals": (view_state("totals"), inside),
        "labels appear": (view_state("all"), view_state("all", True)),
        "labels go": (view_state("all", True), view_state("all")),
        "past the west edge": (sent, detail([111.99, 30.01, 112.05, 30.05])),
        "past the south edge": (sent, detail([112.01, 29.99, 112.05, 30.05])),
        "past the east edge": (sent, detail([112.05, 30.01, 112.11, 30.05])),
        "past the north edge": (sent, detail([112.05, 30.05, 112.09, 30.11])),
    }
    for case, (old, new) in different.items():
        assert not maps._same_content(old, new), case


def township_grid(n: int) -> gpd.GeoDataFrame:
    """``n`` small square townships in a row, each anchored at its centre."""
    xs = [112.0 + 0.01 * i for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "code": [f"G{i:02d}" for i in range(n)],
            "name": [f"格{i}镇" for i in range(n)],
            "name_en": [f"Grid {i}" for i in range(n)],
            "anchor_x": [x + 0.005 for x in xs],
            "anchor_y": [30.005] * n,
        },
        geometry=[shapely.box(x, 30.0, x + 0.01, 30.01) for x in xs],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(("in_view", "named"), [(24, True), (25, False)])
def test_township_names_up_to_24_in_view(sel, in_view, named):
    towns = township_grid(in_view)
    view = {"zoom": 9.0, "bbox": [111.9, 29.9, 112.4, 30.1]}
    updates, state = maps.map_content("forces", sel, view, "zh", maps.THEMES["overview"], towns)
    if named:
        assert sorted(names_drawn(updates, "forces")) == sorted(towns["name"])
        assert [name[0] for name in state["names"]] == sorted(towns["code"])
    else:
        assert names_drawn(updates, "forces") == [] and state["names"] is None


def repeated(frame: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """``n`` rows made of ``frame``'s, each with a code of its own."""
    rows = frame.iloc[np.arange(n) % len(frame)].copy()
    rows["code"] = [f"X{i}" for i in range(n)]
    return rows


@pytest.mark.parametrize(
    ("kind", "rows", "mode"),
    [
        ("risk", 3000, "all"),
        ("risk", 3001, "totals"),
        ("materials", 3001, "totals"),
        ("command", 600, "all"),
        ("command", 601, "totals"),
    ],
)
def test_maps_draw_points_up_to_3000_and_command_nodes_up_to_600(sel, kind, rows, mode):
    many = replace(sel, **{kind: repeated(getattr(sel, kind), rows)})
    updates, state = maps.map_content(kind, many, None, "zh", maps.THEMES["overview"])
    assert state["mode"] == mode
    bubbles = bubbles_of(updates, kind)
    if mode == "all":
        assert len(drawn_codes(updates, kind)) == rows and bubbles["customdata"] == []
    else:
        assert bubbles["customdata"], "no township totals"
        apart = getattr(many, kind)["township_code"].isna()  # the chain above the townships
        assert sorted(drawn_codes(updates, kind)) == sorted(getattr(many, kind)["code"][apart])


def test_township_names_stay_apart_and_in_view(sel):
    """Every name of the townships in view is placed, inside the map and off the legend,
    and no two name boxes overlap at the font chosen."""
    from dashboard.labels import place_names, text_box, visible_townships

    theme = maps.THEMES["overview"]
    box = maps.view_bounds(maps._view(sel, theme), theme.width, theme.height)
    towns = visible_townships(sel.towns, box)
    legend = maps._legend_px(SPECS["risk"], "zh", theme)
    names, size = place_names(towns, box, theme.width, theme.height, 12, "zh", legend)
    assert sorted(names["code"]) == sorted(sel.towns["code"]) and size >= 0.85 * 12
    w, s, e, n = box
    top, bottom = (math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in (n, s))
    boxes = []
    for row in names.itertuples():
        px = (row.x - w) / (e - w) * theme.width
        py = (
            (top - math.log(math.tan(math.pi / 4 + math.radians(row.y) / 2)))
            / (top - bottom)
            * theme.height
        )
        assert 0 <= px <= theme.width and 0 <= py <= theme.height
        width, height = text_box(row.text, size)
        boxes.append((px - width / 2, py - height / 2, px + width / 2, py + height / 2))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # A name at the edge of its township when that is the only free place, never far off.
    placed = visible_townships(sel.towns, box).set_index("code")
    for row in names.itertuples():
        town = placed.loc[row.code, "geom"]
        assert town.distance(shapely.Point(row.x, row.y)) < 0.05  # degrees, ~5 km
    # A township whose anchor left the view keeps its name inside the part still shown.
    town = sel.towns.iloc[3]
    x0, y0, x1, y1 = town["geom"].bounds
    view = [x0 - 0.02, y0, x0 + (x1 - x0) * 0.3, y1]
    if not view[0] <= town["anchor_x"] <= view[2]:
        names, _ = place_names(visible_townships(sel.towns, view), view, 600, 300, 12, "zh")
        row = names.set_index("code").loc[town["code"]]
        assert view[0] <= row["x"] <= view[2]
