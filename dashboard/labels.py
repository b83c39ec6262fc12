"""Where township names go on a map: each inside its township, in view, apart.

MapLibre hides a label that collides with another, so ten of the demo's
sixteen names showed at district zoom. Names are text-only markers, so a
name can sit anywhere: for each township in view this picks, from its
anchor and points spread over the part of it in view, the first place where
the name's box (estimated from its characters and the font size) overlaps
no name placed before it, stays inside the map and off the legend. Small
townships choose first (they have the fewest places). A township whose
anchor has left the view keeps its name, inside the part still shown.
"""

from __future__ import annotations

import math
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# English names on a map drop the kind of township (the hover and the panel say it):
# "Pingzhou Subdistrict" is 20 characters, two lines, where "Pingzhou" fits.
SUFFIXES_EN = (" Subdistrict", " Township", " Town")
GRID = 9  # candidate places per side of a township's visible part
PAD = 2.0  # px kept free around a name (MapLibre pads its collision boxes by 2)...
PAD_EM = 0.15  # ...and its boxes run a little wider than the glyphs: this much more


def map_name(town: pd.Series | dict, lang: str) -> str:
    """A township's name as a map writes it (short in English)."""
    if lang != "en" or not town["name_en"]:
        return str(town["name"])
    name = str(town["name_en"])
    for suffix in SUFFIXES_EN:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def text_width(text: str, font_px: float) -> float:
    """A label's width in px: wide (CJK, full-width) characters 1 em, others ~0.62 em."""
    return sum(font_px if unicodedata.east_asian_width(c) in "WF" else 0.62 * font_px for c in text)


def text_box(text: str, font_px: float) -> tuple[float, float]:
    """Width and height (px) MapLibre gives a label: it wraps lines at 10 em, at spaces."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", font_px) <= 10 * font_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return max(text_width(line, font_px) for line in lines), 1.2 * font_px * len(lines)


def _mercator(lat: np.ndarray | float) -> np.ndarray:
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def visible_townships(
    towns: gpd.GeoDataFrame, box: tuple[float, float, float, float] | list[float]
) -> gpd.GeoDataFrame:
    """The townships any part of which is inside ``box`` (west, south, east, north)."""
    west, south, east, north = box
    bounds = towns.geometry.bounds.to_numpy()
    near = (bounds[:, 0] <= east) & (bounds[:, 2] >= west)
    near &= (bounds[:, 1] <= north) & (bounds[:, 3] >= south)
    towns = towns[near]
    if not len(towns):
        return towns
    hits = shapely.intersects(towns.geometry.to_numpy(), shapely.box(west, south, east, north))
    return towns[hits]


def place_names(
    towns: gpd.GeoDataFrame,
    box: tuple[float, float, float, float] | list[float],
    width: int,
    height: int,
    font_px: float,
    lang: str,
    keep_free: tuple[float, float, float, float] | None = None,
    smallest: float = 0.85,
) -> tuple[pd.DataFrame, float]:
    """Names placed as :func:`place_names_at`, in the largest font (``font_px`` down to
    ``smallest`` times it) at which as many names find a free place as can; and that size."""
    # Shrinking only helps names that collide with each other; one whose only place is
    # under the legend gains nothing from it. So: the largest size that places as many
    # names as the smallest does.
    floor = smallest * font_px
    best = place_names_at(towns, box, width, height, floor, lang, keep_free)[1]
    size = float(font_px)
    while True:
        names, failed = place_names_at(towns, box, width, height, size, lang, keep_free)
        if failed <= best or size <= floor:
            return names, size
        size = max(round(size * 0.9, 1), floor)


def place_names_at(
    towns: gpd.GeoDataFrame,
    box: tuple[float, float, float, float] | list[float],
    width: int,
    height: int,
    font_px: float,
    lang: str,
    keep_free: tuple[float, float, float, float] | None = None,
) -> tuple[pd.DataFrame, int]:
    """One row per township in view: ``code``, ``text``, ``x``/``y`` (lon/lat) of its name;
    and how many names found no free place (MapLibre will hide some of those).

    ``towns`` are the townships to name (see :func:`visible_townships`),
    ``box`` what the map of ``width`` x ``height`` px shows, ``keep_free`` a
    pixel box (left, top, right, bottom) no name may cover (the legend).
    """
    west, south, east, north = box
    y_top, y_bottom = _mercator(north), _mercator(south)
    sx = width / max(east - west, 1e-9)
    sy = height / max(y_top - y_bottom, 1e-9)

    def to_px(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x - west) * sx, (y_top - _mercator(y)) * sy

    def to_lonlat(px: float, py: float) -> tuple[float, float]:
        return west + px / sx, math.degrees(math.atan(math.sinh(y_top - py / sy)))

    view = shapely.box(west, south, east, north)
    parts = shapely.intersection(towns.geometry.to_numpy(), view)
    options = []  # per township: its text and its candidate boxes (px), best first
    for i in range(len(towns)):
        town = towns.iloc[i]
        text = map_name(town, lang)
        box_w, box_h = text_box(text, font_px)
        pad = PAD + PAD_EM * font_px
        half_w, half_h = box_w / 2 + pad, box_h / 2 + pad
        xs, ys = _candidates(parts[i], float(town["anchor_x"]), float(town["anchor_y"]), view)
        px, py = to_px(xs, ys)
        # Then beside it, for a township too small to hold its name at this zoom.
        ox, oy = _beside(half_w, half_h)
        px = np.concatenate([px, px[0] + ox])
        py = np.concatenate([py, py[0] + oy])
        # A sliver of a township at the map's edge: its name just inside the edge.
        px = np.clip(px, half_w, max(width - half_w, half_w))
        py = np.clip(py, half_h, max(height - half_h, half_h))
        boxes = np.column_stack([px - half_w, py - half_h, px + half_w, py + half_h])
        inside = (boxes[:, 2] <= width + 0.5) & (boxes[:, 3] <= height + 0.5)
        options.append((town["code"], text, px, py, boxes, inside))
    # Small townships first (fewest places); whoever found no free place goes first
    # in the next pass.
    order = list(np.argsort(shapely.area(parts), kind="stable"))
    for _ in range(4):
        picks, failed = _greedy(options, order, keep_free)
        if not failed:
            break
        order = failed + [i for i in order if i not in failed]
    rows = []
    for i, pick in picks.items():
        code, text, px, py, _, _ = options[i]
        x, y = to_lonlat(float(px[pick]), float(py[pick]))
        rows.append({"code": code, "text": text, "x": x, "y": y})
    frame = pd.DataFrame(rows, columns=["code", "text", "x", "y"])
    return frame.sort_values("code", kind="stable").reset_index(drop=True), len(failed)


def _greedy(
    options: list[tuple], order: list[int], keep_free: tuple | None
) -> tuple[dict[int, int], list[int]]:
    """Each township's first free place in ``order``; and those that found none."""
    placed: list[tuple[float, float, float, float]] = [keep_free] if keep_free else []
    picks: dict[int, int] = {}
    failed: list[int] = []
    for i in order:
        boxes, inside = options[i][4], options[i][5]
        free = inside.copy()
        for other in placed:
            free &= ~(
                (boxes[:, 0] < other[2]) & (boxes[:, 2] > other[0])
                & (boxes[:, 1] < other[3]) & (boxes[:, 3] > other[1])
            )  # fmt: skip
        if not free.any():
            failed.append(i)
        pick = int(np.argmax(free)) if free.any() else int(np.argmax(inside))
        placed.append(tuple(boxes[pick]))
        picks[i] = pick
    return picks, failed


def _beside(half_w: float, half_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel offsets around a place: above, below, the sides, the corners; then farther."""
    out_x, out_y = [], []
    for step in (1.0,):
        dx, dy = 2 * half_w * step * 0.6, 2 * half_h * step
        for ox, oy in (
            (0, -dy),
            (0, dy),
            (dx, 0),
            (-dx, 0),
            (dx, -dy),
            (-dx, -dy),
            (dx, dy),
            (-dx, dy),
        ):
            out_x.append(ox)
            out_y.append(oy)
    return np.asarray(out_x), np.asarray(out_y)


def _candidates(
    part: shapely.Geometry, anchor_x: float, anchor_y: float, view: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray]:
    """Places for a name: the anchor (when in view), then the visible part's own
    representative point, then a grid over it, nearest the middle first."""
    xs: list[float] = []
    ys: list[float] = []
    if view.contains(shapely.Point(anchor_x, anchor_y)):
        xs.append(anchor_x)
        ys.append(anchor_y)
    if part.is_empty:
        return np.asarray(xs or [anchor_x]), np.asarray(ys or [anchor_y])
    middle = part.representative_point()
    xs.append(middle.x)
    ys.append(middle.y)
    w, s, e, n = part.bounds
    gx, gy = np.meshgrid(np.linspace(w, e, GRID + 2)[1:-1], np.linspace(s, n, GRID + 2)[1:-1])
    gx, gy = gx.ravel(), gy.ravel()
    within = shapely.contains_xy(part, gx, gy)
    gx, gy = gx[within], gy[within]
    near = np.argsort(np.hypot((gx - middle.x) * math.cos(math.radians(s)), gy - middle.y))
    return np.concatenate([xs, gx[near]]), np.concatenate([ys, gy[near]])
