"""The four maps as plotly figures: plain functions, tested without a browser.

Every map has the same fixed list of traces, so an update only patches
data into known slots and never rebuilds a figure (the outlines and the
style are sent once per page):

0. township outlines (lines)      2.. one trace per category (constant colour)
1. links (command map only)       then: township totals (when points are many)
                                  last: township names (text, above the points)

One constant-colour trace per category draws faster than one trace with a
colour array, and gives the legend for free; it also carries the category's
name in its hover template, so no point repeats it.

Text is what costs most to draw (MapLibre lays out every glyph in software
on a command centre's PC), and 120 names on a city map are unreadable
anyway: township names and the counts on township bubbles are drawn only
when few townships are in view (:data:`NAMES_LIMIT`). A point's hover says
what it is; a click shows its full record (people, phones, stock).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Patch

from dashboard.encode import typed
from dashboard.i18n import t, term_label
from dashboard.mapstyle import FONT_FAMILY
from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    LEVEL_NUMERALS,
    NODE_STATUSES,
    RECTIFICATION_STATUSES,
    RISK_GRADES,
    RISK_KINDS,
    Term,
)
from layers.aggregate import by_township

MAP_KINDS = ("risk", "materials", "forces", "command")
OUTLINES, LINKS, FIRST_CATEGORY = 0, 1, 2
# More points than this in view and a map draws township totals instead
# (command nodes: fewer, since each also draws a link to its parent).
POINTS_LIMIT = 3000
NODES_LIMIT = 600
# Township names (and the counts on their bubbles) with at most this many in view.
NAMES_LIMIT = 24


def _labels(terms: tuple[Term, ...], lang: str) -> dict[str, str]:
    return {term.key: term_label(term, lang) for term in terms}


def _fmt(values: pd.Series) -> pd.Series:
    return values.round(0).astype("int64").map("{:,}".format)


def _text(*parts: pd.Series | str) -> pd.Series:
    """Row-by-row concatenation of columns (categories included) and literals.

    Columns are what people typed: escaped, so plotly's hover (which reads a few
    HTML tags, links among them) shows ``<a href=...>`` as text, never as markup.
    """
    out: pd.Series | None = None
    for part in parts:
        piece = _escaped(part) if isinstance(part, pd.Series) else part
        out = piece if out is None else out + piece
    return out  # type: ignore[return-value]


def _escaped(column: pd.Series) -> pd.Series:
    text = column.astype(object).fillna("").astype(str)
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")


def _label(frame: pd.DataFrame, column: str, terms: tuple[Term, ...], lang: str) -> pd.Series:
    return frame[column].map(_labels(terms, lang))


def _risk_hover(frame: pd.DataFrame, lang: str) -> pd.Series:
    return _text(
        _name(frame, lang), "<br>", _label(frame, "kind", RISK_KINDS, lang), " ",
        _label(frame, "rectification_status", RECTIFICATION_STATUSES, lang),
    )  # fmt: skip


def _depot_hover(frame: pd.DataFrame, lang: str) -> pd.Series:
    boats = frame["stock_assault_boat"] + frame["stock_rubber_boat"]
    return _text(
        _name(frame, lang), "<br>",
        t("hover_woven_bag", lang), " ", _fmt(frame["stock_woven_bag"]), " · ",
        t("hover_life_jacket", lang), " ", _fmt(frame["stock_life_jacket"]), " · ",
        t("hover_boats", lang), " ", _fmt(boats),
    )  # fmt: skip


def _force_hover(frame: pd.DataFrame, lang: str) -> pd.Series:
    return _text(
        _name(frame, lang), "<br>", _label(frame, "status", FORCE_STATUSES, lang), " · ",
        t("fig_people", lang), " ", _fmt(frame["headcount"]),
    )  # fmt: skip


def _node_hover(frame: pd.DataFrame, lang: str) -> pd.Series:
    # Who answers for a node is what the command map is for: it stays in the hover.
    return _text(
        _name(frame, lang), "<br>", _label(frame, "status", NODE_STATUSES, lang), " · ",
        frame["duty_officer"], " ", frame["duty_phone"],
    )  # fmt: skip


def _name(frame: pd.DataFrame, lang: str) -> pd.Series:
    if lang == "en":
        return frame["name_en"].where(frame["name_en"].astype(bool), frame["name"])
    return frame["name"]


def _short_name(frame: pd.DataFrame, lang: str) -> pd.Series:
    # MapLibre wraps labels at about 10 em: keep them short, the rest is in hover.
    return _name(frame, lang).str.slice(0, 12 if lang == "zh" else 24)


def _depot_size(frame: pd.DataFrame) -> np.ndarray:
    return np.clip(4 + 2.2 * np.log10(1 + frame["stock_woven_bag"].to_numpy()), 6, 20)


def _force_size(frame: pd.DataFrame) -> np.ndarray:
    return np.clip(6 + 1.5 * np.sqrt(frame["headcount"].to_numpy()), 7, 24)


def _node_size(frame: pd.DataFrame) -> np.ndarray:
    return (22 - 3 * frame["depth"].to_numpy()).clip(7, 22)


@dataclass(frozen=True)
class MapSpec:
    """How one of the four maps draws its layer."""

    kind: str
    title_key: str
    category: str
    terms: tuple[Term, ...]
    hover: Callable[[pd.DataFrame, str], pd.Series]
    size: Callable[[pd.DataFrame], np.ndarray] | float
    points_limit: int = POINTS_LIMIT  # more in view and the map draws township totals

    @property
    def aggregate_slot(self) -> int:
        return FIRST_CATEGORY + len(self.terms)

    @property
    def names_slot(self) -> int:
        return self.aggregate_slot + 1

    def slot(self, key: str) -> int:
        return FIRST_CATEGORY + [term.key for term in self.terms].index(key)


SPECS: dict[str, MapSpec] = {
    "risk": MapSpec("risk", "map_risk", "grade", RISK_GRADES, _risk_hover, 10.0),
    "materials": MapSpec(
        "materials", "map_materials", "level", DEPOT_LEVELS, _depot_hover, _depot_size
    ),
    "forces": MapSpec("forces", "map_forces", "type", FORCE_TYPES, _force_hover, _force_size),
    "command": MapSpec(
        "command",
        "map_command",
        "level",
        COMMAND_LEVELS,
        _node_hover,
        _node_size,
        NODES_LIMIT,
    ),
}


@dataclass(frozen=True)
class View:
    """Where a map looks: centre and zoom."""

    lon: float
    lat: float
    zoom: float


def view_for(
    bounds: tuple[float, float, float, float], width: int = 900, height: int = 480
) -> View:
    """Centre and zoom that fit ``bounds`` (west, south, east, north) in a map of that size."""
    west, south, east, north = bounds
    lon_span = max(east - west, 1e-4)
    y0, y1 = (math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in (south, north))
    lat_span_rad = max(y1 - y0, 1e-6)
    zoom_x = math.log2(width * 360 / (512 * lon_span))  # MapLibre tiles are 512 px
    zoom_y = math.log2(height * 2 * math.pi / (512 * lat_span_rad))
    mid = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    return View((west + east) / 2, mid, round(min(zoom_x, zoom_y) - 0.3, 2))


def view_bounds(view: View, width: int, height: int) -> tuple[float, float, float, float]:
    """What a map of that size shows at ``view``: the inverse of :func:`view_for`."""
    lon_span = width * 360 / (512 * 2**view.zoom)
    y_mid = math.log(math.tan(math.pi / 4 + math.radians(view.lat) / 2))
    y_half = height * math.pi / (512 * 2**view.zoom)
    south, north = (math.degrees(math.atan(math.sinh(y_mid + d))) for d in (-y_half, y_half))
    return view.lon - lon_span / 2, south, view.lon + lon_span / 2, north


def outline_arrays(towns: gpd.GeoDataFrame, tolerance: float = 0.0003) -> tuple[list, list]:
    """Township boundaries as one line trace's lon/lat lists (None between rings)."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for geom in towns.geometry.simplify(tolerance):
        polygons = getattr(geom, "geoms", [geom])
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                xs, ys = ring.xy
                lons.extend(round(x, 5) for x in xs)
                lats.extend(round(y, 5) for y in ys)
                lons.append(None)
                lats.append(None)
    return lons, lats


def base_figure(
    spec: MapSpec,
    towns: gpd.GeoDataFrame,
    style: dict,
    view: View,
    lang: str,
    *,
    outline_colour: str = "#4a5b6c",
    text_colour: str = "#203040",
    font_size: int = 12,
    line_scale: float = 1.0,
    uirevision: str = "map",
    click_hint: bool = True,
) -> go.Figure:
    """The fixed traces of one map, with empty data slots; sent once per page.

    ``click_hint`` ends each point's hover with "click for details" (screens
    that have a details panel)."""
    lons, lats = outline_arrays(towns)
    hint = f"<br><i>{t('hover_click', lang)}</i>" if click_hint else ""
    traces: list[go.Scattermap] = [
        go.Scattermap(
            lon=lons,
            lat=lats,
            mode="lines",
            name=t("legend_outline", lang),
            line={"width": 1.5 * line_scale, "color": outline_colour},
            hoverinfo="skip",
            showlegend=False,
        ),
        go.Scattermap(
            lon=[],
            lat=[],
            mode="lines",
            name=t("legend_links", lang),
            line={"width": 1, "color": "#7a8a9a"},
            hoverinfo="skip",
            showlegend=spec.kind == "command",
        ),
    ]
    for term in spec.terms:
        traces.append(
            go.Scattermap(
                lon=[],
                lat=[],
                mode="markers",
                name=term_label(term, lang),
                marker={"color": term.colour, "size": 10, "opacity": 0.9},
                hovertemplate=f"%{{hovertext}}<br>{term_label(term, lang)}{hint}<extra></extra>",
            )
        )
    traces.append(
        go.Scattermap(
            lon=[],
            lat=[],
            mode="markers+text",
            name=t("legend_aggregate", lang),
            marker={"color": "#d04020" if spec.kind == "risk" else "#3060a0", "opacity": 0.75},
            textfont={"size": font_size + 2, "color": "#ffffff"},
            hoverinfo="text",
            showlegend=False,
        )
    )
    traces.append(
        go.Scattermap(
            lon=[],
            lat=[],
            mode="text",
            text=[],
            textfont={"size": font_size, "color": text_colour},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig = go.Figure(traces)
    fig.update_layout(
        template="none",
        # Legends and hover in the app-served font, so hanzi read on any client.
        font={"family": f"{FONT_FAMILY}, sans-serif"},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        map={"style": style, "center": {"lon": view.lon, "lat": view.lat}, "zoom": view.zoom},
        legend={
            "x": 0.99,
            "y": 0.99,
            "xanchor": "right",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.75)",
            "font": {"size": font_size},
        },
        uirevision=uirevision,
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def _empty() -> dict:
    return {"lon": [], "lat": [], "hovertext": [], "customdata": [], "text": []}


def slot_updates(
    spec: MapSpec,
    frame: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    lang: str,
    *,
    links: pd.DataFrame | None = None,
    aggregate: bool | None = None,
    size_scale: float = 1.0,
    labels: bool = False,
    counts: bool = True,
    bubble_size: float = 48.0,
) -> dict[int, dict]:
    """New data for every point slot of a map: trace index -> properties.

    ``aggregate=None`` decides by size: more than the spec's ``points_limit``
    points are drawn as township totals, bubbles of at most ``bubble_size`` px
    with their ``counts`` written on them (rows with no township stay points).
    ``links`` of the points drawn are drawn with them. ``labels`` writes each point's name
    beside it (for a close view: MapLibre hides labels that collide).
    """
    if aggregate is None:
        aggregate = len(frame) > spec.points_limit
    updates = {FIRST_CATEGORY + n: _empty() for n in range(len(spec.terms))}
    updates[spec.aggregate_slot] = _empty()
    updates[LINKS] = {"lon": [], "lat": []}
    if aggregate:
        # Rows above the townships (the county's chain of command) are few and
        # belong to no township bubble: they stay points, linked to each other.
        apart = frame["township_code"].isna().to_numpy()
        updates[spec.aggregate_slot] = _aggregate(
            spec, frame[~apart], towns, lang, bubble_size, counts
        )
        if not apart.any():
            return updates
        frame = frame[apart]
    if links is not None and len(links):
        updates[LINKS] = _link_lines(links[links["code"].isin(frame["code"])])
    x = frame.geometry.x.to_numpy()
    y = frame.geometry.y.to_numpy()
    hover = spec.hover(frame, lang).to_numpy() if len(frame) else np.array([])
    sizes = spec.size if isinstance(spec.size, float) else spec.size(frame)
    codes = frame["code"].to_numpy()
    names = _short_name(frame, lang).to_numpy() if labels and len(frame) else None
    categories = frame[spec.category].to_numpy()
    for term in spec.terms:
        mask = categories == term.key
        slot = {
            "lon": typed(x[mask]),
            "lat": typed(y[mask]),
            "hovertext": hover[mask].tolist(),
            "customdata": codes[mask].tolist(),
            "text": names[mask].tolist() if names is not None else [],
            "mode": "markers+text" if names is not None else "markers",
        }
        if isinstance(sizes, float):
            slot["marker.size"] = sizes * size_scale
        else:
            slot["marker.size"] = typed(sizes[mask] * size_scale)
        updates[spec.slot(term.key)] = slot
    return updates


def township_names(anchors: pd.DataFrame, lang: str) -> dict:
    """The names slot: these townships' names at their anchors (none: an empty slot)."""
    return {
        "lon": anchors["x"].round(5).tolist(),
        "lat": anchors["y"].round(5).tolist(),
        "text": anchors["name_en" if lang == "en" else "name"].tolist(),
    }


def _aggregate(
    spec: MapSpec,
    frame: pd.DataFrame,
    towns: gpd.GeoDataFrame,
    lang: str,
    bubble_size: float,
    counts: bool,
) -> dict:
    if spec.kind == "risk":
        totals = by_township(frame, towns, count_where={"major": ("grade", "major")})
        extra = " · " + t("major_count", lang) + " " + totals["major"].astype(str)
    elif spec.kind == "forces":
        totals = by_township(frame, towns, sums=("headcount",))
        extra = " · " + t("headcount", lang) + " " + _fmt(totals["headcount"])
    elif spec.kind == "command":
        totals = by_township(frame, towns, count_where={"on_duty": ("status", "on_duty")})
        extra = " · " + t("on_duty_count", lang) + " " + totals["on_duty"].astype(str)
    else:
        totals = by_township(frame, towns)
        extra = pd.Series("", index=totals.index)
    names = totals["name_en" if lang == "en" else "name"]
    count = totals["count"].to_numpy()
    # Area grows with the count; the smallest township still shows as a dot.
    share = np.sqrt(count / max(int(count.max()), 1)) if len(count) else count
    size = bubble_size * (0.3 + 0.7 * share)
    update = {
        "lon": typed(totals["x"]),
        "lat": typed(totals["y"]),
        "mode": "markers+text" if counts else "markers",
        "text": [f"{n:,}" for n in count] if counts else [],
        "hovertext": (
            names + "<br>" + t("count", lang) + " " + _fmt(totals["count"]) + extra
        ).tolist(),
        "customdata": [f"township:{code}" for code in totals.index],
        "marker.size": typed(size),
    }
    if spec.kind == "risk":
        # Colour says how many major points a township holds, not its worst grade.
        update["marker.color"] = typed(totals["major"].to_numpy())
        update["marker.colorscale"] = [[0, "#f5c000"], [1, "#d00000"]]
        update["marker.cmin"] = 0
        update["marker.cmax"] = max(1, int(totals["major"].max()) if len(totals) else 1)
    return update


def _link_lines(links: pd.DataFrame) -> dict:
    n = len(links)
    lon = np.full(n * 3, np.nan)
    lat = np.full(n * 3, np.nan)
    lon[0::3], lon[1::3] = links["x0"], links["x1"]
    lat[0::3], lat[1::3] = links["y0"], links["y1"]
    # NaN in a typed array breaks the line between links, as None does in a list.
    return {"lon": typed(lon), "lat": typed(lat)}


def as_patch(
    updates: dict[int, dict], view: View | None = None, uirevision: str | None = None
) -> Patch:
    """The smallest update of a figure already in the browser."""
    patch = Patch()
    for index, props in updates.items():
        for key, value in props.items():
            target = patch["data"][index]
            *parents, leaf = key.split(".")
            for parent in parents:
                target = target[parent]
            target[leaf] = value
    if view is not None:
        patch["layout"]["map"]["center"] = {"lon": view.lon, "lat": view.lat}
        patch["layout"]["map"]["zoom"] = view.zoom
    if uirevision is not None:
        patch["layout"]["uirevision"] = uirevision
    return patch


def with_updates(fig: go.Figure, updates: dict[int, dict]) -> dict:
    """A whole figure (as a dict) with the slots filled: for the first page load."""
    figure = fig.to_plotly_json()
    figure["data"] = [dict(trace) for trace in figure["data"]]
    for index, props in updates.items():
        trace = figure["data"][index]
        for key, value in props.items():
            *parents, leaf = key.split(".")
            target = trace
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
    return figure


def level_label(level: int | None, lang: str) -> str:
    """ "Ⅳ级"-style short label of a response level."""
    if level is None:
        return t("filter_level_all", lang)
    return f"{LEVEL_NUMERALS[level]}" if lang == "en" else f"{'ⅠⅡⅢⅣ'[level - 1]}级"
