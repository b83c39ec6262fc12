"""At city scale the fast path shows exactly what the straightforward path would.

The fast path: ``snapshot(store).select(flt)`` (cached frames filtered in
memory) and what :func:`dashboard.maps.map_content` draws from it (township
totals when a map holds more than its ``points_limit``, the points in a
window when zoomed in, every point otherwise). The straightforward path:
rows read with plain SQL through ``store.read(table, townships=...)``,
filtered with pandas by ``mobilise_level >= level`` and by grade, counted
directly. Both must agree on the codes, the counts per grade, the totals per
township and the key figures, on SQLite and on PostGIS.

The city set (150,000 risk points) is loaded once per store kind per session.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from dashboard.figures import MAP_KINDS, NAMES, SPECS
from dashboard.maps import map_content, screen_theme
from domain import RISK_GRADES, keys
from layers import Filter
from layers.snapshot import Snapshot, snapshot
from layers.summary import KEY_MATERIALS
from store import Store
from tests.conftest import STORE_KINDS, _fresh_store

TABLES = {
    "risk": "risk_points",
    "materials": "depots",
    "forces": "forces",
    "command": "command_nodes",
}
COUNT = re.compile(r"数量 ([\d,]+)")
THEME = screen_theme({"name": "overview", "viewport": {"w": 1920, "h": 1080}})
# Townships by position in code order (the city has 120).
ONE, THREE = (44,), (3, 57, 101)
FILTERS: dict[str, tuple[tuple[int, ...] | None, int | None, tuple[str, ...] | None]] = {
    "whole city": (None, None, None),
    "one township": (ONE, None, None),
    "three townships": (THREE, None, None),
    "level I": (None, 1, None),
    "level II": (None, 2, None),
    "level III": (None, 3, None),
    "level IV": (None, 4, None),
    "grades major+larger": (None, None, ("major", "larger")),
    "one township at level II": (ONE, 2, None),
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def city_frames() -> dict:
    from data.city import build_city

    return build_city()


@pytest.fixture(scope="session", params=STORE_KINDS)
def city_store(request, tmp_path_factory, city_frames) -> Iterator[Store]:
    """A store of each kind holding the city set; tests must not change it."""
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(city_frames)
    yield store
    store.engine.dispose()


@pytest.fixture(scope="module")
def fast(city_store) -> Snapshot:
    """The fast path's snapshot, read once (tests clear the layer cache between them)."""
    return snapshot(city_store)


class Straight:
    """The straightforward path: plain reads and pandas, no cache, no layers."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._reads: dict[tuple, pd.DataFrame] = {}

    def read(self, table: str, townships: tuple[str, ...] | None = None, **where) -> pd.DataFrame:
        key = (table, townships, tuple(sorted(where.items())))
        if key not in self._reads:
            self._reads[key] = self.store.read(
                table, townships=list(townships) if townships else None, where=where or None
            )
        return self._reads[key]

    def rows(self, kind: str, flt: Filter) -> pd.DataFrame:
        """What map ``kind`` should show for ``flt``."""
        frame = self.read(TABLES[kind], flt.townships)
        if kind == "command" and flt.townships is not None:
            # nodes above the township (no township) are the chain every township reports to
            above = self.read(TABLES[kind], township_code=None)
            frame = pd.concat([frame, above], ignore_index=True)
        if kind == "risk":
            if flt.grades is not None:
                frame = frame[frame["grade"].isin(flt.grades)]
        elif flt.level is not None:
            frame = frame[frame["mobilise_level"] >= flt.level]
        return frame

    def key_figures(self, flt: Filter) -> dict:
        risk = self.rows("risk", flt)
        depots = self.rows("materials", flt)
        forces = self.rows("forces", flt)
        nodes = self.rows("command", flt)
        hidden = risk[risk["kind"] == "hidden_danger"]
        rectified = int((hidden["rectification_status"] == "rectified").sum())
        stock = self.read("depot_stock")
        stock = stock[stock["depot_code"].isin(depots["code"])]
        per_item = stock.groupby("item_code")["quantity"].sum()
        return {
            "points_by_grade": {g: int((risk["grade"] == g).sum()) for g in keys(RISK_GRADES)},
            "hidden_open": len(hidden) - rectified,
            "hidden_rectified": rectified,
            "rectification_rate": rectified / len(hidden) if len(hidden) else None,
            "materials": {
                name: float(sum(per_item.get(item, 0.0) for item in items))
                for name, items in KEY_MATERIALS.items()
            },
            "people": int(forces["headcount"].sum()),
            "vehicles": int(forces["vehicles"].sum()),
            "boats": int(forces["boats"].sum()),
            "nodes_on_duty": int((nodes["status"] == "on_duty").sum()),
            "nodes_total": len(nodes),
            "counts": {
                "risk": len(risk),
                "materials": len(depots),
                "forces": len(forces),
                "command": len(nodes),
            },
        }


@pytest.fixture(scope="module")
def straight(city_store) -> Straight:
    return Straight(city_store)


@pytest.fixture(scope="module")
def town_codes(fast) -> list[str]:
    return sorted(fast.towns["code"])


def make_filter(name: str, town_codes: list[str]) -> Filter:
    positions, level, grades = FILTERS[name]
    towns = [town_codes[p] for p in positions] if positions else None
    return Filter.of(towns, level, grades)


# --------------------------------------------------------------------------- helpers


def decode(array: dict | list) -> np.ndarray:
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def drawn_points(kind: str, updates: dict[int, dict]) -> dict[str, list[str]]:
    """The codes drawn in each category trace of a map, by category key."""
    spec = SPECS[kind]
    return {
        term.key: list(updates.get(spec.slot(term.key), {}).get("customdata", []))
        for term in spec.terms
    }


def drawn_totals(kind: str, updates: dict[int, dict]) -> dict[str, int]:
    """The township bubbles of a map: township code -> the count its hover gives
    (and writes on the bubble, when few townships are in view)."""
    out: dict[str, int] = {}
    for slot in SPECS[kind].totals_slots:
        bubbles = updates[slot]
        hovers = [int(COUNT.search(text)[1].replace(",", "")) for text in bubbles["hovertext"]]
        if bubbles["text"] and kind != "command":  # command bubbles say "on duty/all"
            assert [int(text.replace(",", "")) for text in bubbles["text"]] == hovers
        codes = [str(code).removeprefix("township:") for code in bubbles["customdata"]]
        out.update(zip(codes, hovers, strict=True))
    return out


def inside(frame: pd.DataFrame, box: list[float]) -> pd.DataFrame:
    x, y = frame.geometry.x, frame.geometry.y
    return frame[(x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])]


def check_points(kind: str, updates: dict[int, dict], expected: pd.DataFrame) -> None:
    """Every expected point drawn once, in the trace of its own category."""
    spec = SPECS[kind]
    by_category = drawn_points(kind, updates)
    drawn = [code for codes in by_category.values() for code in codes]
    assert len(drawn) == len(set(drawn)), "a point is drawn twice"
    assert sorted(drawn) == sorted(expected["code"])
    category = expected.set_index("code")[spec.category].astype(str)
    for key, codes in by_category.items():
        assert set(category.loc[codes]) <= {key}, f"{kind}: wrong trace for {key}"
        assert len(codes) == int((category == key).sum()), f"{kind}: count of {key}"
    assert not drawn_totals(kind, updates), "points and township totals at once"


def check_totals(kind: str, updates: dict[int, dict], expected: pd.DataFrame) -> None:
    """One bubble per township with points, counting exactly its rows; rows of no
    township (the command chain above the townships) drawn as points."""
    apart = expected["township_code"].isna()
    per_town = expected[~apart].groupby("township_code").size()
    assert drawn_totals(kind, updates) == {str(k): int(v) for k, v in per_town.items() if v}
    assert sum(drawn_totals(kind, updates).values()) == int((~apart).sum())
    drawn = [code for codes in drawn_points(kind, updates).values() for code in codes]
    assert sorted(drawn) == sorted(expected.loc[apart, "code"]), "points beside the totals"
    if kind == "risk":  # bubbles are coloured by the highest grade not struck off
        open_ = expected[expected["rectification_status"].fillna("") != "rectified"]
        order = keys(RISK_GRADES)
        highest = open_.groupby("township_code")["grade"].agg(lambda g: min(g, key=order.index))
        spec = SPECS[kind]
        for cls in spec.totals_classes:
            codes = updates[spec.slots[f"totals:{cls.key}"]]["customdata"]
            for code in codes:
                code = code.removeprefix("township:")
                assert highest.get(code, "none") == cls.key, (code, cls.key)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", list(FILTERS))
def test_selection_keeps_exactly_the_straightforward_rows(fast, straight, town_codes, name):
    flt = make_filter(name, town_codes)
    sel = fast.select(flt)
    for kind in MAP_KINDS:
        expected = straight.rows(kind, flt)
        got = getattr(sel, kind)
        assert len(got) == len(set(got["code"])), f"{kind}: duplicate rows"
        assert sorted(got["code"]) == sorted(expected["code"]), kind
    risk = straight.rows("risk", flt)
    assert sel.risk["grade"].astype(str).value_counts().to_dict() == (
        risk["grade"].value_counts().to_dict()
    )


@pytest.mark.parametrize("name", list(FILTERS))
def test_key_figures_are_exact(fast, straight, town_codes, name):
    flt = make_filter(name, town_codes)
    got = fast.select(flt).figures
    expected = straight.key_figures(flt)
    for field, value in expected.items():
        if field == "materials":
            assert got.materials == pytest.approx(value, rel=1e-9), field
        elif field == "rectification_rate" and value is not None:
            assert got.rectification_rate == pytest.approx(value, rel=1e-12), field
        else:
            assert getattr(got, field) == value, field


@pytest.mark.parametrize("name", list(FILTERS))
@pytest.mark.parametrize("kind", MAP_KINDS)
def test_map_draws_what_the_straightforward_path_would(fast, straight, town_codes, name, kind):
    """At the view a filter opens with: every point, or exact totals per township."""
    flt = make_filter(name, town_codes)
    expected = straight.rows(kind, flt)
    updates, state = map_content(kind, fast.select(flt), None, "zh", THEME, fast.towns)
    if len(expected) > SPECS[kind].points_limit:
        assert state["mode"] == "totals"
        check_totals(kind, updates, expected)
    else:
        assert state["mode"] == "all"
        check_points(kind, updates, expected)


@pytest.mark.parametrize(
    "name", ["whole city", "three townships", "grades major+larger", "level II"]
)
@pytest.mark.parametrize("kind", MAP_KINDS)
def test_zoomed_in_map_draws_exactly_the_points_in_its_window(
    fast, straight, town_codes, name, kind
):
    """Zoomed in on part of a township, a big map swaps totals for the points themselves."""
    flt = make_filter(name, town_codes)
    town = fast.towns.set_index("code").loc[flt.townships[0] if flt.townships else town_codes[60]]
    west, south, east, north = town.geom.bounds
    cx, cy = (west + east) / 2, (south + north) / 2
    dx, dy = (east - west) / 8, (north - south) / 8
    view = {"zoom": 13.0, "bbox": [cx - dx, cy - dy, cx + dx, cy + dy]}
    expected = straight.rows(kind, flt)
    updates, state = map_content(kind, fast.select(flt), view, "zh", THEME, fast.towns)
    limit = SPECS[kind].points_limit
    if len(expected) <= limit:
        assert state["mode"] == "all"
        check_points(kind, updates, expected)
        return
    assert state["mode"] == "detail"
    window = inside(expected, state["box"])
    assert 0 < len(window) <= limit
    check_points(kind, updates, window)
    # the window holds the view, on every side: nothing in view is left out
    west, south, east, north = state["box"]
    assert west <= view["bbox"][0] and south <= view["bbox"][1]
    assert east >= view["bbox"][2] and north >= view["bbox"][3]


def test_slots_draw_what_matters_on_top():
    # The helpers above read points from the category slots; keep them in step.
    for spec in SPECS.values():
        assert spec.names_slot == NAMES < min(spec.category_slots)  # names under markers
        assert max(spec.totals_slots) < min(spec.category_slots)
        # Most important category drawn last of the categories (on top), hit area above all.
        assert spec.category_slots == sorted(spec.category_slots, reverse=True)
        # The hit area above every point; an incident above all (it answers the mouse first).
        assert spec.slots["incidents"] == max(spec.slots.values())
        points = [v for k, v in spec.slots.items() if not k.startswith("incident")]
        assert spec.hit_slot == max(points)
        assert spec.slots["hazards"] < min(spec.totals_slots)  # areas under every point
