"""The four maps as plotly figures: plain functions, tested without a browser.

Every map has a fixed list of traces, so an update only patches data into
known slots and never rebuilds a figure (the outlines and the style are sent
once per page). Bottom to top, as MapLibre draws them:

- ``outlines``: township boundaries (clear polygons: a click inside picks the
  township); ``links``: command links;
- ``names``: township names, under every marker (a name never covers a point);
- ``totals:<class>``: one bubble per township when points are many, one trace
  per class of what the map answers at city zoom (see :data:`TOTALS`);
- ``ring:<state>``: a wider disc under points in a state that needs attention
  (an overdue hidden danger, a deployed team);
- ``cat:<key>``: one constant-colour trace per category, the least important
  first, so what matters is drawn on top (major risks over low ones, city
  depots over village ones, the headquarters over village stations), and
  larger;
- ``dot:<state>``: a grey centre on points that are not available (resting
  teams, command nodes off duty);
- ``hit``: the important points again, invisible and small. plotly picks the
  hovered point by distance to a marker's *edge*, which a small neighbour
  always wins; a 6 px marker's distance is 0 within 3 px of its centre, and
  on a tie the last trace wins: so a hover or click at an important point's
  position returns that point, whatever lies under it.

One constant-colour trace per category draws faster than one trace with a
colour array, and gives the legend for free; it also carries the category's
name in its hover template, so no point repeats it. Legend clicks are off:
the filters are the one way to hide points, so the legend and the grade
checkboxes always agree.

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
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Patch

from dashboard.encode import typed
from dashboard.i18n import t, term_label
from dashboard.labels import text_width
from dashboard.mapstyle import PAGE_FONTS
from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    INCIDENT_TYPES,
    LEVEL_NUMERALS,
    NODE_STATUSES,
    RECTIFICATION_STATUSES,
    RISK_GRADES,
    RISK_KINDS,
    Term,
    term,
)
from layers.aggregate import by_township
from layers.incidents import Emergency
from layers.risks import is_open, is_overdue

MAP_KINDS = ("risk", "materials", "forces", "command")
OUTLINES, LINKS, NAMES = 0, 1, 2
# More points than this in view and a map draws township totals instead
# (command nodes: fewer, since each also draws a link to its parent).
POINTS_LIMIT = 3000
NODES_LIMIT = 600
# Township names (and the counts on their bubbles) with at most this many in view.
NAMES_LIMIT = 24
HIT_SIZE = 6.0  # px: plotly's hover distance is 0 within 3 px of such a marker's centre
RING_WIDTH = 7.0  # px a ring adds to a marker's diameter
LEGEND_RANK = {"emergency": 10, "cat": 100, "ring": 200, "dot": 300, "totals": 400}
INCIDENT_COLOUR, HAZARD_COLOUR, DISPATCH_COLOUR = "#e02020", "#1f77b4", "#f08c00"
# Which orders' lines each map draws, from the resource to its incident.
DISPATCH_KIND = {"materials": "material", "forces": "force"}
SLOT_ANCHOR = "slot-"  # the style's empty layer above each trace (see base_figure)


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
    overdue = pd.Series(
        np.where(is_overdue(frame), " · " + t("legend_overdue", lang), ""), index=frame.index
    )
    return _text(
        _name(frame, lang), "<br>", _label(frame, "kind", RISK_KINDS, lang), " ",
        _label(frame, "rectification_status", RECTIFICATION_STATUSES, lang), overdue,
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


@dataclass(frozen=True)
class Overlay:
    """A state drawn apart: a ``ring`` under the point, or a grey ``dot`` on it."""

    key: str
    label_key: str
    colour: str
    style: str  # "ring" or "dot"
    select: Callable[[pd.DataFrame], np.ndarray]  # rows in this state

    def sizes(self, marker: np.ndarray) -> np.ndarray:
        return marker + RING_WIDTH if self.style == "ring" else np.maximum(0.5 * marker, 3.0)


@dataclass(frozen=True)
class TotalsClass:
    """One kind of township bubble at city zoom (its colour and legend entry)."""

    key: str
    label_key: str
    colour: str


@dataclass(frozen=True)
class Totals:
    """Township totals of a map: per township its count, the measure its bubble's
    area shows, its class, and a hover line."""

    frame: pd.DataFrame  # from layers.aggregate.by_township: count, x, y, names
    measure: np.ndarray
    classes: np.ndarray
    extra: pd.Series
    label: np.ndarray | None = None  # what a bubble says when names are shown (default count)


@dataclass(frozen=True)
class MapSpec:
    """How one of the four maps draws its layer."""

    kind: str
    title_key: str
    category: str
    terms: tuple[Term, ...]  # most important first
    hover: Callable[[pd.DataFrame, str], pd.Series]
    sizes: dict[str, float]  # marker diameter (px) of each category
    priority: tuple[str, ...]  # categories that win a hover at their position
    overlays: tuple[Overlay, ...]
    totals_classes: tuple[TotalsClass, ...]
    totals: Callable[[pd.DataFrame, gpd.GeoDataFrame, str], Totals]
    size_key: str  # what a bubble's area shows (an i18n key)
    points_limit: int = POINTS_LIMIT  # more in view and the map draws township totals

    @cached_property
    def slots(self) -> dict[str, int]:
        """Trace index of every slot, bottom to top (see the module docstring)."""
        names = ["outlines", "links", "names", "hazards", "dispatch"]
        names += [f"totals:{c.key}" for c in self.totals_classes]
        names += [f"ring:{o.key}" for o in self.overlays if o.style == "ring"]
        names += [f"cat:{term.key}" for term in reversed(self.terms)]
        names += [f"dot:{o.key}" for o in self.overlays if o.style == "dot"]
        names += ["hit", "incident_rings", "incidents"]  # an incident answers the mouse first
        return {name: index for index, name in enumerate(names)}

    def slot(self, key: str) -> int:
        """The trace of one category."""
        return self.slots[f"cat:{key}"]

    @property
    def category_slots(self) -> list[int]:
        """The category traces, most important first."""
        return [self.slot(term.key) for term in self.terms]

    @property
    def totals_slots(self) -> list[int]:
        return [self.slots[f"totals:{c.key}"] for c in self.totals_classes]

    @property
    def names_slot(self) -> int:
        return NAMES

    @property
    def hit_slot(self) -> int:
        return self.slots["hit"]

    def legend_box(self, lang: str, font_size: int) -> tuple[int, int]:
        """About how wide and tall (px) the legend of points is: kept free of data."""
        entries = [term_label(term_, lang) for term_ in self.terms]
        entries += [t(overlay.label_key, lang) for overlay in self.overlays]
        entries += [t("legend_links", lang)] if self.kind == "command" else []
        wide = max(text_width(entry, font_size) for entry in entries)
        return int(wide + 2.8 * font_size + 8), int(len(entries) * 1.55 * font_size + 10)


def _open_grade(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    open_ = is_open(frame)
    grade = frame["grade"].to_numpy()
    return {g.key: open_ & (grade == g.key) for g in RISK_GRADES}


def _highest(totals: pd.DataFrame, keys_: list[str], none: str) -> np.ndarray:
    out = np.full(len(totals), none, dtype=object)
    for key in reversed(keys_):  # the most severe last, so it wins
        out[totals[key].to_numpy() > 0] = key
    return out


def _risk_totals(frame: pd.DataFrame, towns: gpd.GeoDataFrame, lang: str) -> Totals:
    masks = _open_grade(frame)
    totals = by_township(frame, towns, count_where={f"open_{k}": m for k, m in masks.items()})
    open_total = sum(totals[f"open_{k}"] for k in masks)
    extra = (
        " · " + t("major_count", lang) + " " + totals["open_major"].astype(str)
        + " · " + t("open_count", lang) + " " + open_total.astype(str)
    )  # fmt: skip
    classes = _highest(totals, [f"open_{k}" for k in masks], "none")
    classes = np.array([c.removeprefix("open_") for c in classes], dtype=object)
    return Totals(totals, totals["count"].to_numpy(), classes, extra)


def _depot_totals(frame: pd.DataFrame, towns: gpd.GeoDataFrame, lang: str) -> Totals:
    boats = pd.Series(
        frame["stock_assault_boat"].to_numpy() + frame["stock_rubber_boat"].to_numpy(),
        index=frame.index,
    )
    frame = frame.assign(stock_boats=boats)
    sums = ("stock_woven_bag", "stock_life_jacket", "stock_boats", "stock_pump")
    totals = by_township(frame, towns, sums=sums)
    extra = (
        " · " + t("hover_woven_bag", lang) + " " + _fmt(totals["stock_woven_bag"])
        + "<br>" + t("hover_life_jacket", lang) + " " + _fmt(totals["stock_life_jacket"])
        + " · " + t("hover_boats", lang) + " " + _fmt(totals["stock_boats"])
        + " · " + t("hover_pump", lang) + " " + _fmt(totals["stock_pump"])
    )  # fmt: skip
    boats_held = totals["stock_boats"].to_numpy() > 0
    classes = np.where(boats_held, "boats", "no_boats").astype(object)
    return Totals(totals, totals["stock_woven_bag"].to_numpy(dtype=float), classes, extra)


def _force_totals(frame: pd.DataFrame, towns: gpd.GeoDataFrame, lang: str) -> Totals:
    available = (frame["status"] == "available").to_numpy()
    frame = frame.assign(available_people=np.where(available, frame["headcount"].to_numpy(), 0))
    totals = by_township(frame, towns, sums=("headcount", "available_people"))
    extra = (
        " · " + t("available_people", lang) + " " + _fmt(totals["available_people"])
        + " / " + _fmt(totals["headcount"])
    )  # fmt: skip
    share = totals["available_people"] / totals["headcount"].where(totals["headcount"] > 0, 1)
    classes = np.where(share.to_numpy() >= 0.8, "ready", "short").astype(object)
    return Totals(totals, totals["available_people"].to_numpy(dtype=float), classes, extra)


def _node_totals(frame: pd.DataFrame, towns: gpd.GeoDataFrame, lang: str) -> Totals:
    totals = by_township(frame, towns, count_where={"on_duty": ("status", "on_duty")})
    on, count = totals["on_duty"].to_numpy(), totals["count"].to_numpy()
    extra = (
        " · "
        + t("on_duty_count", lang)
        + " "
        + totals["on_duty"].astype(str)
        + "/"
        + (totals["count"].astype(str))
    )
    classes = np.where(on == count, "all_on_duty", "some_off_duty").astype(object)
    label = np.array([f"{a}/{b}" for a, b in zip(on, count, strict=True)], dtype=object)
    return Totals(totals, count.astype(float), classes, extra, label)


def _off_duty(frame: pd.DataFrame) -> np.ndarray:
    return (frame["status"] == "off_duty").to_numpy()


OFF_DUTY_GREY = "#a3acb5"
DEPOTS_BY_IMPORTANCE = tuple(
    term(DEPOT_LEVELS, key) for key in ("city", "county", "township", "enterprise", "village")
)
SPECS: dict[str, MapSpec] = {
    "risk": MapSpec(
        "risk", "map_risk", "grade", RISK_GRADES, _risk_hover,
        sizes={"major": 15, "larger": 12, "general": 9, "low": 8},
        priority=("major", "larger"),
        overlays=(Overlay("overdue", "legend_overdue", "#7b1fa2", "ring", is_overdue),),
        totals_classes=(
            *(TotalsClass(g.key, f"totals_open_{g.key}", g.colour) for g in RISK_GRADES),
            TotalsClass("none", "totals_open_none", "#20a050"),
        ),
        totals=_risk_totals, size_key="size_risk",
    ),
    "materials": MapSpec(
        "materials", "map_materials", "level",
        DEPOTS_BY_IMPORTANCE,
        _depot_hover,
        sizes={"city": 17, "county": 14, "township": 11, "enterprise": 8, "village": 7},
        priority=("city", "county"),
        overlays=(),
        totals_classes=(
            TotalsClass("boats", "totals_boats", "#1f5fa8"),
            TotalsClass("no_boats", "totals_no_boats", "#8fa8c8"),
        ),
        totals=_depot_totals, size_key="size_materials",
    ),
    "forces": MapSpec(
        "forces", "map_forces", "type", FORCE_TYPES, _force_hover,
        sizes={
            "fire_rescue": 15, "flood_team": 14, "forest_fire": 12, "hazchem_team": 12,
            "social": 10, "militia": 9, "enterprise_team": 9, "part_time": 8, "grid": 6,
        },
        priority=("fire_rescue", "flood_team"),
        overlays=(
            Overlay("deployed", "legend_deployed", "#c2185b", "ring",
                    lambda f: (f["status"] == "deployed").to_numpy()),
            Overlay("off_duty", "legend_resting", OFF_DUTY_GREY, "dot", _off_duty),
        ),
        totals_classes=(
            TotalsClass("ready", "totals_ready", "#e4572e"),
            TotalsClass("short", "totals_short", "#f0a080"),
        ),
        totals=_force_totals, size_key="size_forces",
    ),
    "command": MapSpec(
        "command", "map_command", "level", COMMAND_LEVELS, _node_hover,
        sizes={"ministry": 18, "province": 18, "city": 17, "county": 16, "township": 12,
               "village": 7},
        priority=("ministry", "province", "city", "county", "township"),
        overlays=(Overlay("off_duty", "legend_off_duty", OFF_DUTY_GREY, "dot", _off_duty),),
        totals_classes=(
            TotalsClass("all_on_duty", "totals_all_on_duty", "#20a050"),
            TotalsClass("some_off_duty", "totals_some_off_duty", "#f08c00"),
        ),
        totals=_node_totals, size_key="size_command",
        points_limit=NODES_LIMIT,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class View:
    """Where a map looks: centre and zoom."""

    lon: float
    lat: float
    zoom: float


def view_for(
    bounds: tuple[float, float, float, float],
    width: int = 900,
    height: int = 480,
    right: int = 0,
) -> View:
    """Centre and zoom that fit ``bounds`` (west, south, east, north) in a map of that
    size, leaving ``right`` pixels on the right free (where the legend is)."""
    west, south, east, north = bounds
    lon_span = max(east - west, 1e-4)
    y0, y1 = (math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in (south, north))
    lat_span_rad = max(y1 - y0, 1e-6)
    room = max(width - right, width // 2)
    zoom_x = math.log2(room * 360 / (512 * lon_span))  # MapLibre tiles are 512 px
    zoom_y = math.log2(height * 2 * math.pi / (512 * lat_span_rad))
    zoom = round(min(zoom_x, zoom_y) - 0.15, 2)
    mid = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    shift = (width - room) / 2 * 360 / (512 * 2**zoom)  # the bounds' centre left of the legend
    return View((west + east) / 2 + shift, mid, zoom)


def view_bounds(view: View, width: int, height: int) -> tuple[float, float, float, float]:
    """What a map of that size shows at ``view``: the inverse of :func:`view_for`."""
    lon_span = width * 360 / (512 * 2**view.zoom)
    y_mid = math.log(math.tan(math.pi / 4 + math.radians(view.lat) / 2))
    y_half = height * math.pi / (512 * 2**view.zoom)
    south, north = (math.degrees(math.atan(math.sinh(y_mid + d))) for d in (-y_half, y_half))
    return view.lon - lon_span / 2, south, view.lon + lon_span / 2, north


def outline_data(towns: gpd.GeoDataFrame, lang: str, tolerance: float = 0.0003) -> dict:
    """The outlines slot's data: each township a clear polygon one can click to pick it.

    A polygon (not a line) so a click anywhere inside a township, away from any
    point, selects it; its hover distance is plotly's whole ``hoverdistance``, so
    any point within reach still wins. ``outline:`` keeps a lasso over the map
    from reading townships as picked records.
    """
    simple = towns.geometry.simplify(tolerance).set_precision(1e-5)
    codes = towns["code"].astype(str).tolist()
    features = [
        {"type": "Feature", "id": code, "properties": {}, "geometry": geom.__geo_interface__}
        for code, geom in zip(codes, simple, strict=True)
    ]
    return {
        "geojson": {"type": "FeatureCollection", "features": features},
        "locations": codes,
        "z": [0] * len(codes),
        "customdata": [f"outline:{code}" for code in codes],
        "hovertext": _name(towns, lang).tolist(),
    }


def _empty_trace(name: str, meta: str, **props: object) -> go.Scattermap:
    return go.Scattermap(lon=[], lat=[], name=name, meta=meta, **props)


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
    legend_bg: str = "rgba(255,255,255,0.75)",
    legend_y: float = 0.99,
) -> go.Figure:
    """The fixed traces of one map, with empty data slots; sent once per page.

    ``click_hint`` ends each point's hover with "click for details" (screens
    that have a details panel)."""
    hint = f"<br><i>{t('hover_click', lang)}</i>" if click_hint else ""
    pick = f"<br><i>{t('hover_pick_township', lang)}</i>" if click_hint else ""
    clear = "rgba(0,0,0,0)"
    traces: dict[str, go.BaseTraceType] = {
        "outlines": go.Choroplethmap(
            **outline_data(towns, lang),
            name=t("legend_outline", lang),
            meta="outlines",
            colorscale=[[0, clear], [1, clear]],
            showscale=False,
            marker={"line": {"width": 1.5 * line_scale, "color": outline_colour}},
            unselected={"marker": {"opacity": 1}},  # a box over the map keeps every outline
            hovertemplate=f"%{{hovertext}}{pick}<extra></extra>",
            showlegend=False,
        ),
        "links": _empty_trace(
            t("legend_links", lang),
            "links",
            mode="lines",
            line={"width": 1 * line_scale, "color": "#7a8a9a"},
            hoverinfo="skip",
            showlegend=spec.kind == "command",
            legendrank=LEGEND_RANK["ring"] - 1,
        ),
        "names": _empty_trace(
            "",
            "names",
            mode="text",
            text=[],
            textfont={"size": font_size, "color": text_colour},
            hoverinfo="skip",
            showlegend=False,
        ),
    }
    size_note = t(spec.size_key, lang)
    for n, cls in enumerate(spec.totals_classes):
        traces[f"totals:{cls.key}"] = _empty_trace(
            f"{t(cls.label_key, lang)}",
            f"totals:{cls.key}",
            mode="markers",
            marker={"color": cls.colour, "opacity": 0.8},
            textfont={"size": font_size + 2, "color": "#ffffff"},
            hoverinfo="text",
            showlegend=False,
            legendrank=LEGEND_RANK["totals"] + n,
            legendgroup="totals",
            legendgrouptitle={"text": size_note} if n == 0 else None,
        )
    for n, term_ in enumerate(spec.terms):
        label = term_label(term_, lang)
        template = f"%{{hovertext}}<br>{label}{hint}<extra></extra>"
        traces[f"cat:{term_.key}"] = _empty_trace(
            label,
            f"cat:{term_.key}",
            mode="markers",
            marker={"color": term_.colour, "size": spec.sizes[term_.key], "opacity": 0.92},
            hovertemplate=template,
            legendrank=LEGEND_RANK["cat"] + n,
        )
    for n, overlay in enumerate(spec.overlays):
        traces[f"{overlay.style}:{overlay.key}"] = _empty_trace(
            t(overlay.label_key, lang),
            f"{overlay.style}:{overlay.key}",
            mode="markers",
            marker={"color": overlay.colour, "opacity": 0.95},
            hoverinfo="skip",
            legendrank=LEGEND_RANK[overlay.style] + n,
        )
    # What is happening, over every map: hazard areas, lines of what was sent, incidents.
    traces["hazards"] = _empty_trace(
        t("legend_hazards", lang),
        "hazards",
        mode="lines",
        fill="toself",
        fillcolor="rgba(31,119,180,0.22)",
        line={"width": 2 * line_scale, "color": HAZARD_COLOUR},
        hoverinfo="skip",
        showlegend=False,
        legendrank=LEGEND_RANK["emergency"] + 1,
    )
    traces["dispatch"] = _empty_trace(
        t("legend_dispatch", lang),
        "dispatch",
        mode="lines",
        line={"width": 2.5 * line_scale, "color": DISPATCH_COLOUR},
        hoverinfo="skip",
        showlegend=False,
        legendrank=LEGEND_RANK["emergency"] + 2,
    )
    traces["incident_rings"] = _empty_trace(
        "",
        "incident_rings",
        mode="markers",
        marker={"color": "#ffffff", "size": (18 + RING_WIDTH) * line_scale, "opacity": 1.0},
        hoverinfo="skip",
        showlegend=False,
    )  # fmt: skip  (a white ring tells an incident from a major risk's red)
    traces["incidents"] = _empty_trace(
        t("legend_incidents", lang), "incidents", mode="markers",
        marker={"color": INCIDENT_COLOUR, "size": 18 * line_scale, "opacity": 1.0},
        hovertemplate=f"%{{hovertext}}{hint}<extra></extra>", showlegend=False,
        legendrank=LEGEND_RANK["emergency"],
    )  # fmt: skip
    traces["hit"] = _empty_trace(
        "",
        "hit",
        mode="markers",
        marker={"color": "#000000", "size": HIT_SIZE, "opacity": 0},
        hovertemplate=f"%{{hovertext}}{hint}<extra></extra>",
        showlegend=False,
    )
    fig = go.Figure([traces[name] for name in spec.slots])
    # Each trace goes under its own anchor layer: plotly keeps a trace's layers in
    # place only when its ``below`` is unique (when all share one it removes and
    # re-adds every trace's layers on each update, so MapLibre reloads every source).
    for index, trace in enumerate(fig.data):
        trace.below = f"{SLOT_ANCHOR}{index}"
    anchors = [
        {"id": f"{SLOT_ANCHOR}{index}", "type": "background", "layout": {"visibility": "none"}}
        for index in range(len(fig.data))
    ]
    style = {**style, "layers": [*style["layers"], *anchors]}
    fig.update_layout(
        template="none",
        # Legends and hover in the app-served font, so hanzi read on any client.
        font={"family": f"{PAGE_FONTS}, sans-serif"},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        map={"style": style, "center": {"lon": view.lon, "lat": view.lat}, "zoom": view.zoom},
        legend={
            "x": 0.995,
            "y": legend_y,  # below the map toolbar, which would cover its first entry
            "xanchor": "right",
            "yanchor": "top",
            "bgcolor": legend_bg,
            "font": {"size": font_size, "color": text_colour},
            "itemclick": False,  # the filters hide points; the legend says what they are
            "itemdoubleclick": False,
            "grouptitlefont": {"size": font_size},
        },
        uirevision=uirevision,
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def _empty() -> dict:
    return {"lon": [], "lat": [], "hovertext": [], "customdata": [], "text": []}


def _points(x: np.ndarray, y: np.ndarray, size: np.ndarray | None = None) -> dict:
    slot = {"lon": typed(x), "lat": typed(y)}
    if size is not None:
        slot["marker.size"] = typed(size)
    return slot


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
    ``links`` of the points drawn are drawn with them. ``labels`` writes each
    point's name beside it (for a close view: MapLibre hides labels that collide).
    """
    if aggregate is None:
        aggregate = len(frame) > spec.points_limit
    slots = spec.slots
    updates: dict[int, dict] = {}
    for name, index in slots.items():
        if name.startswith(("totals:", "cat:", "hit")):
            updates[index] = _empty()
        elif name.startswith(("ring:", "dot:")):
            updates[index] = {"lon": [], "lat": []}
    updates[LINKS] = {"lon": [], "lat": []}
    # The legend says what is drawn: categories and states, or the township bubbles.
    for name, index in slots.items():
        if name.startswith("totals:"):
            updates[index]["showlegend"] = aggregate
        elif name.startswith(("cat:", "ring:", "dot:")):
            updates[index]["showlegend"] = not aggregate or name.startswith("cat:")
    if aggregate:
        # Rows above the townships (the county's chain of command) are few and
        # belong to no township bubble: they stay points, linked to each other.
        apart = frame["township_code"].isna().to_numpy()
        updates.update(_aggregate(spec, frame[~apart], towns, lang, bubble_size, counts))
        if not apart.any():
            return updates
        frame = frame[apart]
    if links is not None and len(links):
        updates[LINKS] = _link_lines(links[links["code"].isin(frame["code"])])
    x = frame.geometry.x.to_numpy()
    y = frame.geometry.y.to_numpy()
    hover = spec.hover(frame, lang).to_numpy() if len(frame) else np.array([], dtype=object)
    codes = frame["code"].to_numpy()
    names = _short_name(frame, lang).to_numpy() if labels and len(frame) else None
    categories = frame[spec.category].to_numpy()
    size = np.zeros(len(frame))
    for term_ in spec.terms:
        size[categories == term_.key] = spec.sizes[term_.key] * size_scale
    for term_ in spec.terms:
        mask = categories == term_.key
        if aggregate:
            updates[spec.slot(term_.key)]["showlegend"] = bool(mask.any())
            if not mask.any():
                continue
        updates[spec.slot(term_.key)] = {
            **updates[spec.slot(term_.key)],
            **_points(x[mask], y[mask]),
            "marker.size": spec.sizes[term_.key] * size_scale,
            "hovertext": hover[mask].tolist(),
            "customdata": codes[mask].tolist(),
            "text": names[mask].tolist() if names is not None else [],
            "mode": "markers+text" if names is not None else "markers",
        }
    for overlay in spec.overlays:
        mask = overlay.select(frame) if len(frame) else np.zeros(0, dtype=bool)
        updates[slots[f"{overlay.style}:{overlay.key}"]] = _points(
            x[mask], y[mask], overlay.sizes(size[mask])
        )
    # The important points again, least important first: on a tie the last wins.
    rank = {key: n for n, key in enumerate(reversed(spec.priority))}
    order = np.array([rank.get(c, -1) for c in categories], dtype=int)
    hit = np.flatnonzero(order >= 0)
    hit = hit[np.argsort(order[hit], kind="stable")]
    labels_ = _labels(spec.terms, lang)
    updates[spec.hit_slot] = {
        **_points(x[hit], y[hit]),
        "hovertext": [f"{h}<br>{labels_[c]}" for h, c in zip(hover[hit], categories[hit],
                                                              strict=True)],
        "customdata": codes[hit].tolist(),
        "marker.size": HIT_SIZE,  # never scaled: a 6 px marker is 0 away within 3 px
    }  # fmt: skip
    return updates


def _aggregate(
    spec: MapSpec,
    frame: pd.DataFrame,
    towns: gpd.GeoDataFrame,
    lang: str,
    bubble_size: float,
    counts: bool,
) -> dict[int, dict]:
    totals = spec.totals(frame, towns, lang)
    rows = totals.frame
    names = rows["name_en" if lang == "en" else "name"]
    measure = np.asarray(totals.measure, dtype=float)
    # Area grows with the measure; the smallest township still shows as a dot.
    share = np.sqrt(measure / max(float(measure.max()), 1.0)) if len(measure) else measure
    size = bubble_size * (0.3 + 0.7 * share)
    label = (
        totals.label
        if totals.label is not None
        else np.array([f"{n:,}" for n in rows["count"].to_numpy()], dtype=object)
    )
    hover = names + "<br>" + t("count", lang) + " " + _fmt(rows["count"]) + totals.extra
    hover = hover.to_numpy()
    codes = np.array([f"township:{code}" for code in rows.index], dtype=object)
    x, y = rows["x"].to_numpy(), rows["y"].to_numpy()
    out = {}
    for cls in spec.totals_classes:
        mask = totals.classes == cls.key
        out[spec.slots[f"totals:{cls.key}"]] = {
            **_points(x[mask], y[mask], size[mask]),
            "mode": "markers+text" if counts else "markers",
            "text": label[mask].tolist() if counts else [],
            "hovertext": hover[mask].tolist(),
            "customdata": codes[mask].tolist(),
            "showlegend": True,
        }
    return out


def emergency_updates(
    spec: MapSpec, emergency: Emergency, lang: str, size_scale: float = 1.0
) -> dict:
    """The incidents, hazard areas and dispatch lines of one map (legend entries while any)."""
    slots = spec.slots
    incidents = emergency.incidents
    hover = _text(
        incidents["type"].map(_labels(INCIDENT_TYPES, lang)), " · ", incidents["code"], "<br>",
        incidents["description"].str.slice(0, 60),
    ) if len(incidents) else pd.Series([], dtype=object)  # fmt: skip
    lons: list = []
    lats: list = []
    for geom in emergency.hazards.geometry:
        for poly in geom.geoms:
            xs, ys = poly.exterior.xy
            lons += [*np.round(xs, 6).tolist(), None]
            lats += [*np.round(ys, 6).tolist(), None]
    lines = emergency.lines
    mine = lines[lines["kind"] == DISPATCH_KIND.get(spec.kind, "")] if len(lines) else lines
    line_lon: list = []
    line_lat: list = []
    for row in mine.itertuples():
        line_lon += [round(row.x0, 6), round(row.x1, 6), None]
        line_lat += [round(row.y0, 6), round(row.y1, 6), None]
    return {
        slots["hazards"]: {"lon": lons, "lat": lats, "showlegend": bool(lons)},
        slots["dispatch"]: {"lon": line_lon, "lat": line_lat, "showlegend": bool(line_lon)},
        slots["incident_rings"]: {
            **_points(incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()),
            "marker.size": (18 + RING_WIDTH) * size_scale,
        },
        slots["incidents"]: {
            **_points(incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()),
            "hovertext": hover.tolist(),
            "customdata": [f"incident:{c}" for c in incidents["code"]],
            "marker.size": 18 * size_scale,
            "showlegend": bool(len(incidents)),
        },
    }


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
