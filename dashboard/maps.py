"""The four maps of a screen: first figures, and the callbacks that keep them current.

The data path, designed for a city's 150,000 points as much as a
township's hundred:

* a page load sends complete figures (no extra round trip);
* a filter change or a data change sends a ``Patch`` of only the maps it
  touches, with float32 coordinates, never the outlines again;
* a map with more points than its limit (:data:`~dashboard.figures.POINTS_LIMIT`)
  shows township totals, and the points themselves (with labels when close)
  once the person zooms in far enough for them to be read;
* township names, and the counts on township bubbles, appear only when few
  townships are in view (:data:`~dashboard.figures.NAMES_LIMIT`).

Both screens use the same component IDs, so these callbacks serve both.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import dash
import flask
import geopandas as gpd
import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, html, no_update

from config import Settings
from dashboard import fontsubset, ids
from dashboard.components import details, key_figures, local_time, response_banner, warning_banner
from dashboard.editor import COLLECTION_OF, record_actions
from dashboard.figures import (
    MAP_KINDS,
    NAMES_LIMIT,
    OUTLINES,
    SPECS,
    MapSpec,
    View,
    as_patch,
    base_figure,
    emergency_updates,
    outline_data,
    slot_updates,
    view_bounds,
    view_for,
    with_updates,
)
from dashboard.i18n import t
from dashboard.incidents import incident_summary
from dashboard.labels import map_name, place_names, visible_townships
from dashboard.mapstyle import map_style
from layers import Filter
from layers.command import chain_of_command
from layers.snapshot import Selection, Snapshot, last_snapshot, snapshot
from store import Store, StoreUnavailable
from web.security import current_principal

# Which maps a layer's change touches.
AFFECTS: dict[str, tuple[str, ...]] = {
    "townships": MAP_KINDS,
    "risk": ("risk",),
    "materials": ("materials",),
    "forces": ("forces",),
    "command": ("command",),
    "response": (),
    "incidents": MAP_KINDS,  # incidents and the lines of what was sent, on every map
    "hazards": MAP_KINDS,
    "roads": (),
}
LABEL_ZOOM = 12.5  # names appear next to points from this zoom on...
LABEL_LIMIT = 400  # ...when no more than this many points are drawn
DETAIL_PAD = 0.5  # a detail window is the view plus half of it on each side


@dataclass(frozen=True)
class Theme:
    """How a screen draws its maps: light for desks, dark for the wall."""

    background: str = "#eef1f4"
    outline: str = "#4a5b6c"
    text: str = "#203040"
    legend_bg: str = "rgba(255,255,255,0.8)"
    font_size: int = 12
    size_scale: float = 1.0
    width: int = 640  # a map's size in pixels (on the small side), to fit the view
    height: int = 330
    click_hint: bool = True  # the screen shows a point's record when it is clicked
    toolbar_px: int = 30  # the map toolbar's height: the legend starts below it

    def fitted(self, screen: str, viewport: dict | None) -> Theme:
        """This theme scaled to the browser's window: text and markers grow with the
        screen (a 4K wall gets twice the 1080p sizes), and views fit each map's size."""
        if not viewport:
            return self
        width, height = (
            max(int(viewport.get("w", 1920)), 320),
            max(int(viewport.get("h", 1080)), 240),
        )
        scale = max(0.8, min(width / 1920, height / 1080))
        if screen == "wall":
            columns, rows = (4, 1) if width / height >= 3 else (2, 2)
            map_w, map_h = width * 0.8 / columns, height * 0.82 / rows
        else:
            map_w, map_h = (width - 420) / 2, (height - 330) / 2
        return replace(
            self,
            font_size=round(self.font_size * scale),
            size_scale=self.size_scale * scale,
            width=int(max(map_w, 200)),
            height=int(max(map_h, 150)),
        )


THEMES: dict[str, Theme] = {
    "overview": Theme(),
    "wall": Theme(
        background="#0b1622",
        outline="#8fb3d9",
        text="#e8f0f8",
        legend_bg="rgba(11,22,34,0.8)",
        font_size=20,
        size_scale=1.6,  # read from five metres: a major risk is 24 px at 1080p
        width=700,
        height=360,
        click_hint=False,
        toolbar_px=0,
    ),
}


def screen_theme(screen: dict | None) -> Theme:
    """The theme of a screen store: ``{"name": "wall", "viewport": {"w": .., "h": ..}}``."""
    screen = screen or {}
    name = screen.get("name", "overview")
    return THEMES.get(name, THEMES["overview"]).fitted(name, screen.get("viewport"))


def filter_data(flt: Filter) -> dict:
    """A filter as the ``filter`` store holds it."""
    return {
        "townships": list(flt.townships or []),
        "level": flt.level,
        "grades": list(flt.grades) if flt.grades is not None else None,
    }


def filter_from(data: dict | None) -> Filter:
    """The filter in a ``filter`` store (empty or missing: everything)."""
    data = data or {}
    return Filter.of(data.get("townships"), data.get("level"), data.get("grades"))


def revisions_state(snap_or_revs: Snapshot | dict) -> dict:
    """Layer revisions and when data last changed: what the poll compares."""
    revs = snap_or_revs.revisions if isinstance(snap_or_revs, Snapshot) else snap_or_revs
    return {
        "revs": {layer: rev.revision for layer, rev in revs.items()},
        "updated": max(rev.updated_at for rev in revs.values()).isoformat(),
    }


def data_state(snap: Snapshot, flt: Filter) -> dict:
    """What a page's maps show: the revisions they were drawn from, the filter, and
    ``due``, when the clock alone changes the response or warning in force."""
    due = snap.response_due.isoformat() if snap.response_due else None
    return {**revisions_state(snap), "filter": filter_data(flt), "due": due}


def _passed(due: str | None, now: datetime) -> bool:
    return bool(due) and datetime.fromisoformat(due) <= now


def clock_due(drawn: dict | None, seen: dict | None, now: datetime) -> str | None:
    """What the poll records of the clock: the ``due`` of the drawn page once it has
    passed (a new value wakes the map update, which redraws the banners), else the
    value it recorded before. No database query: the poll stays one query."""
    due = (drawn or {}).get("due")
    return due if _passed(due, now) else (seen or {}).get("due")


def status_line(
    updated: str, settings: Settings, lang: str, stale_since: str | None = None
) -> html.Div:
    """ "Data updated hh:mm", or the stale banner when the database is unreachable."""
    if stale_since:
        since = local_time(datetime.fromisoformat(stale_since), settings.timezone)
        return html.Div(t("stale", lang).format(time=since), className="status stale")
    when = local_time(datetime.fromisoformat(updated), settings.timezone, "%m-%d %H:%M:%S")
    return html.Div(f"{t('data_updated', lang)} {when}", className="status")


def _view(sel: Selection, theme: Theme, kind: str = "risk", lang: str = "zh") -> View:
    legend_w, _ = SPECS[kind].legend_box(lang, theme.font_size)
    return view_for(sel.bounds(), theme.width, theme.height, right=legend_w)


def _uirevision(sel: Selection) -> str:
    # A new township selection re-frames the maps; a data refresh keeps the user's view.
    return ",".join(sel.filter.townships or ("all",))


def _inside(x: np.ndarray, y: np.ndarray, box: list[float] | tuple[float, ...]) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def map_content(
    kind: str,
    sel: Selection,
    view: dict | None,
    lang: str,
    theme: Theme,
    towns: gpd.GeoDataFrame | None = None,
    names_before: list | None = None,
) -> tuple[dict[int, dict], dict]:
    """What one map draws for a selection and a viewport, and the view state to remember.

    ``names_before`` (a view state's ``names``) are kept as they are while the same
    townships are in view and every name still is: a pan or the re-framing's own
    move then redraws no text.

    Modes: ``all`` (every point), ``totals`` (one bubble per township) and
    ``detail`` (the points in a window around the viewport). ``view=None`` is
    the view that frames the selection. ``towns`` are every township (the
    outlines a map draws, whose names it may write); default the selected ones.
    """
    spec = SPECS[kind]
    frame = getattr(sel, kind)
    zoom = (view or {}).get("zoom", 0.0)
    bbox = (view or {}).get("bbox")
    shown = bbox or view_bounds(_view(sel, theme, kind, lang), theme.width, theme.height)
    in_view = visible_townships(sel.towns if towns is None else towns, shown)
    named = len(in_view) <= NAMES_LIMIT
    names, names_px = (None, theme.font_size)
    if named:
        names, names_px = _kept_names(names_before, in_view, shown, lang)
        if names is None:
            names, names_px = place_names(
                in_view, shown, theme.width, theme.height, theme.font_size, lang,
                keep_free=_legend_px(spec, lang, theme),
            )  # fmt: skip
    state = {
        "zoom": zoom,
        "bbox": bbox,
        "mode": "all",
        "box": None,
        "labels": False,
        "names": _names_state(names, names_px),
    }
    if len(frame) > spec.points_limit:
        state["mode"] = "totals"
        if bbox:
            w, s, e, n = bbox
            dx, dy = (e - w) * DETAIL_PAD, (n - s) * DETAIL_PAD
            box = [w - dx, s - dy, e + dx, n + dy]
            window = frame[_inside(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(), box)]
            if len(window) <= spec.points_limit:
                frame, state["mode"], state["box"] = window, "detail", box
    aggregate = state["mode"] == "totals"
    state["labels"] = not aggregate and zoom >= LABEL_ZOOM and len(frame) <= LABEL_LIMIT
    # Bubbles share the map between the townships in view, never covering each other much.
    room = math.sqrt(theme.width * theme.height / max(len(in_view), 1))
    updates = slot_updates(
        spec,
        frame,
        sel.towns,
        lang,
        links=sel.links if kind == "command" else None,
        aggregate=aggregate,
        size_scale=theme.size_scale,
        labels=state["labels"],
        counts=named,
        bubble_size=float(np.clip(0.5 * room, 12, 48) * theme.size_scale),
    )
    updates[spec.names_slot] = {
        "lon": [] if names is None else names["x"].round(5).tolist(),
        "lat": [] if names is None else names["y"].round(5).tolist(),
        "text": [] if names is None else names["text"].tolist(),
        "textfont.size": names_px,
    }
    updates |= emergency_updates(spec, sel.emergency, lang, theme.size_scale)
    return updates, state


def _legend_px(spec: MapSpec, lang: str, theme: Theme) -> tuple[float, float, float, float]:
    """Where the legend of points covers the map, in px (left, top, right, bottom)."""
    width, height = spec.legend_box(lang, theme.font_size)
    return (theme.width - width, 0.0, float(theme.width), float(height + theme.toolbar_px))


def _kept_names(
    before: list | None, in_view: gpd.GeoDataFrame, shown: tuple | list, lang: str
) -> tuple[pd.DataFrame | None, float]:
    """The names drawn before, when the same townships are in view and each name still is."""
    if not before or sorted(row[0] for row in before) != sorted(in_view["code"]):
        return None, 0.0
    west, south, east, north = shown
    if not all(west <= x <= east and south <= y <= north for _, x, y, _ in before):
        return None, 0.0
    text = {row["code"]: map_name(row, lang) for row in in_view.to_dict("records")}
    frame = pd.DataFrame(
        [{"code": c, "text": text[c], "x": x, "y": y} for c, x, y, _ in before],
        columns=["code", "text", "x", "y"],
    )
    return frame, before[0][3]


def _names_state(names: pd.DataFrame | None, font_px: float) -> list | None:
    """The names a map shows, where and how large: what a view change compares."""
    if names is None:
        return None
    return [
        [code, round(float(x), 4), round(float(y), 4), font_px]
        for code, x, y in zip(names["code"], names["x"], names["y"], strict=True)
    ]


def _same_content(old: dict | None, new: dict) -> bool:
    """Would the new view draw what the old one already drew?"""
    if not old or any(old.get(key) != new[key] for key in ("mode", "labels")):
        return False
    if new["mode"] != "detail":
        return True
    w, s, e, n = new["bbox"]
    ow, os_, oe, on = old["box"]
    return ow <= w and os_ <= s and oe >= e and on >= n  # still inside the window sent


_fonts: dict[tuple, fontsubset.NamesFont] = {}  # by revisions: the same data, the same font


def page_font(snap: Snapshot) -> fontsubset.NamesFont:
    """The subset of the characters of the snapshot's text (see dashboard.fontsubset)."""
    key = tuple(sorted(snap.revisions.items()))  # (when too: another store, the same counts)
    font = _fonts.get(key)
    if font is None:
        frames = [snap.towns, snap.district, snap.risk, snap.materials, snap.forces, snap.command]
        frames.append(snap.warnings)
        if snap.activation:
            frames.append(pd.DataFrame([snap.activation]))
        font = fontsubset.names_font(fontsubset.characters(frames))
        if len(_fonts) > 16:
            _fonts.clear()
        _fonts[key] = font
    return fontsubset.remember(font)


def first_figures(
    sel: Selection,
    snap: Snapshot,
    lang: str,
    theme: Theme,
    settings: Settings,
    asked: Mapping[str, View] | None = None,
) -> tuple[dict[str, dict], dict[str, dict]]:
    """Complete figures for a page's first load, and each map's view state.

    A map in ``asked`` opens at that view (the one its URL kept) instead of
    framing the selection."""
    font = page_font(snap)
    style = map_style(
        settings.tile_url,
        settings.tile_attribution,
        background=theme.background,
        first_face={"url": font.url, "unicode-range": list(font.ranges)},
    )
    figures, views = {}, {}
    for kind in MAP_KINDS:
        fig = base_figure(
            SPECS[kind],
            snap.towns,
            style,
            (asked or {}).get(kind) or _view(sel, theme, kind, lang),
            lang,
            outline_colour=theme.outline,
            text_colour=theme.text,
            font_size=theme.font_size,
            line_scale=theme.size_scale,
            uirevision=_uirevision(sel),
            click_hint=theme.click_hint,
            legend_bg=theme.legend_bg,
            legend_y=1 - theme.toolbar_px / max(theme.height, 1),
        )
        view = (asked or {}).get(kind)
        shown = None
        if view is not None:
            shown = {"zoom": view.zoom, "bbox": list(view_bounds(view, theme.width, theme.height))}
        updates, views[kind] = map_content(kind, sel, shown, lang, theme, snap.towns)
        figures[kind] = with_updates(fig, updates)
    return figures, views


def _outline_updates(snap: Snapshot, lang: str) -> dict[int, dict]:
    return {OUTLINES: outline_data(snap.towns, lang)}


def _viewport(relayout: dict | None) -> dict | None:
    """Zoom and bounding box from a map's relayoutData, if it moved."""
    if not relayout or ("map.zoom" not in relayout and "map.center" not in relayout):
        return None
    corners = (relayout.get("map._derived") or {}).get("coordinates")
    if not corners:
        return None
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    return {
        "zoom": float(relayout.get("map.zoom", 0.0)),
        "bbox": [min(xs), min(ys), max(xs), max(ys)],
    }


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    """Wire the four maps, key figures, banners and details to ``store``."""

    @app.callback(
        Output(ids.REVS, "data"),
        Output(ids.STATUS, "children"),
        Output(ids.LAST_OK, "data"),
        Input(ids.POLL, "n_intervals"),
        State(ids.REVS, "data"),
        State(ids.LAST_OK, "data"),
        State(ids.LANG, "data"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def check_for_changes(_tick: int, seen: dict, last_ok: str, lang: str, drawn: dict) -> tuple:
        """Every poll: one cheap query. Only a changed revision, or the clock reaching
        the start or end of a response or warning, wakes the map update, so a slow
        reload of a big layer is never cut short by the next tick."""
        try:
            current = revisions_state(store.revisions())
        except StoreUnavailable:
            return no_update, status_line("", settings, lang, stale_since=last_ok), no_update
        current["due"] = clock_due(drawn, seen, datetime.now(UTC))
        status = status_line(current["updated"], settings, lang)
        changed = current if current != seen else no_update
        return changed, status, datetime.now(UTC).isoformat()

    @app.callback(
        [Output(ids.map_graph(kind), "figure") for kind in MAP_KINDS]
        + [Output(ids.map_view(kind), "data") for kind in MAP_KINDS]
        + [
            Output(ids.FIGURES, "children"),
            Output(ids.STATE, "data"),
            Output(ids.RESPONSE, "children"),
            Output(ids.WARNING, "children"),
        ],
        Input(ids.FILTER, "data"),
        Input(ids.REVS, "data"),
        State(ids.STATE, "data"),
        State(ids.LANG, "data"),
        State(ids.SCREEN, "data"),
        [State(ids.map_view(kind), "data") for kind in MAP_KINDS],
        prevent_initial_call=True,
    )
    def update_maps(
        filter_store: dict, _revs: dict, state: dict, lang: str, screen: dict, *views: dict
    ) -> list:
        """The filter or the data changed: patch only the maps whose data changed."""
        nothing = [no_update] * (2 * len(MAP_KINDS) + 4)
        theme = screen_theme(screen)
        flt = filter_from(filter_store)
        asked = {k: v for k, v in (filter_store or {}).items() if k != "follow"}
        reframe = ctx.triggered_id == ids.FILTER and asked != state.get("filter")
        try:
            snap = snapshot(store)
            if (filter_store or {}).get("follow"):  # a wall showing the level in force
                level = snap.activation["level"] if snap.activation else None
                flt = Filter.of(flt.townships, level, flt.grades)
            drawn = data_state(snap, flt)
            changed = {
                layer for layer, rev in drawn["revs"].items() if state["revs"].get(layer) != rev
            }
            if _passed(state.get("due"), snap.read_at):
                changed.add("response")  # an activation or warning started or ended
            followed = not reframe and drawn["filter"] != state.get("filter")
            if not reframe and not changed and not followed:
                return nothing
            banners = [no_update, no_update]
            if "response" in changed:
                banners = [
                    response_banner(snap.activation, lang),
                    warning_banner(snap.warnings, lang),
                ]
        except StoreUnavailable:
            return nothing  # the poll shows the stale banner; the maps keep their data
        sel = snap.select(flt)
        touched = (
            set(MAP_KINDS)
            if reframe or followed  # followed: another level, the same townships and views
            else {kind for layer in changed for kind in AFFECTS[layer]}
        )
        figures, new_views = [], []
        for kind, view in zip(MAP_KINDS, views, strict=True):
            if kind not in touched:
                figures.append(no_update)
                new_views.append(no_update)
                continue
            updates, view_state = map_content(
                kind,
                sel,
                None if reframe else view,
                lang,
                theme,
                snap.towns,
                None if reframe else (view or {}).get("names"),
            )
            if "townships" in changed:
                updates |= _outline_updates(snap, lang)
            figures.append(
                as_patch(
                    updates,
                    _view(sel, theme, kind, lang) if reframe else None,
                    _uirevision(sel) if reframe else None,
                )
            )
            new_views.append(view_state)
        wall = (screen or {}).get("name") == "wall"  # the wall also shows what is due
        figs = key_figures(sel.figures, lang, flt, snap.activation, wall=wall)
        return [*figures, *new_views, figs, drawn, *banners]

    for kind in MAP_KINDS:
        _register_viewport(app, store, kind)
    _register_fonts(app, store)

    @app.callback(
        Output(ids.DETAILS, "children"),
        [Input(ids.map_graph(kind), "clickData") for kind in MAP_KINDS],
        State(ids.LANG, "data"),
        State(ids.EDITING, "data"),
        prevent_initial_call=True,
    )
    def show_details(*args: object) -> list:
        """A click on a point shows its full record (and a node's chain of command),
        with what the signed-in role may do to it; an open form is left alone."""
        lang, editing = str(args[-2]), args[-1]
        if editing:
            return no_update
        kind = str(ctx.triggered_id).removeprefix("map-")
        click = args[MAP_KINDS.index(kind)] if kind in MAP_KINDS else None
        points = (click or {}).get("points") or []
        code = points[0].get("customdata") if points else None
        if not isinstance(code, str) or code.startswith(("township:", "outline:")):
            return no_update
        if code.startswith("incident:"):  # an incident on any map: what it needs, what to do
            return incident_summary(
                store, code.removeprefix("incident:"), current_principal(), lang
            )
        try:
            snap = snapshot(store)
        except StoreUnavailable:
            snap = last_snapshot(store)
        record = snap.record(kind, code) if snap else None
        if record is None:
            return [html.P(t("record_hint", lang))]
        chain = chain_of_command(snap.command, code) if kind == "command" else None
        actions = record_actions(COLLECTION_OF[kind], code, current_principal(), lang)
        return details(kind, record, lang, chain) + actions


def _register_fonts(app: dash.Dash, store: Store) -> None:
    """Serve the subsets pages name in their styles (content-hashed: cached for good), and
    ``names.css``, the page's ``@font-face`` of the current one, linked in every page's
    head (so the first paint already knows it: no race with the GB2312 file). The current
    subset is built as the app starts, so the first page's names need not wait for it."""
    app.config.external_stylesheets.append(app.get_relative_path(fontsubset.ROUTE + "names.css"))

    def build_current() -> None:
        with contextlib.suppress(StoreUnavailable):
            fontsubset.subset_bytes(page_font(snapshot(store)).characters)

    threading.Thread(target=build_current, name="names-font", daemon=True).start()

    @app.server.route(fontsubset.ROUTE + "names.css")
    def names_css() -> flask.Response:
        try:
            css = page_font(snapshot(store)).css()
        except StoreUnavailable:
            css = "/* the store is unreachable: the GB2312 file draws every character */\n"
        response = flask.Response(css, mimetype="text/css")
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.server.route(fontsubset.ROUTE + "<name>")
    def names_font(name: str) -> flask.Response:
        font = fontsubset.lookup(name)
        if font is None:  # another worker's page: the same data gives the same subset
            with contextlib.suppress(StoreUnavailable):
                font = page_font(snapshot(store))
            if font is None or font.name != name:
                flask.abort(404)
        response = flask.Response(fontsubset.subset_bytes(font.characters), mimetype="font/woff2")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _register_viewport(app: dash.Dash, store: Store, kind: str) -> None:
    # Only a move goes to the server: a graph also reports each resize ({"autosize":
    # true}, four at the end of every page's first render), which changes nothing here.
    app.clientside_callback(
        "function (r) { return r && ('map.center' in r || 'map.zoom' in r) ? r"
        " : window.dash_clientside.no_update; }",
        Output(ids.map_moved(kind), "data"),
        Input(ids.map_graph(kind), "relayoutData"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.map_graph(kind), "figure", allow_duplicate=True),
        Output(ids.map_view(kind), "data", allow_duplicate=True),
        Input(ids.map_moved(kind), "data"),
        State(ids.map_view(kind), "data"),
        State(ids.FILTER, "data"),
        State(ids.LANG, "data"),
        State(ids.SCREEN, "data"),
        prevent_initial_call=True,
    )
    def follow_viewport(
        relayout: dict | None, view: dict | None, filter_store: dict, lang: str, screen: dict
    ) -> tuple:
        """Zoomed in or out: swap township totals for points (and labels), or back."""
        viewport = _viewport(relayout)
        if viewport is None:
            return no_update, no_update
        try:
            snap = snapshot(store)
        except StoreUnavailable:
            return no_update, no_update
        sel = snap.select(filter_from(filter_store))
        before = (view or {}).get("names")
        theme = screen_theme(screen)
        updates, state = map_content(kind, sel, viewport, lang, theme, snap.towns, before)
        if not _same_content(view, state):
            return as_patch(updates), state
        if view.get("names") == state["names"]:
            return no_update, {**view, "zoom": state["zoom"], "bbox": state["bbox"]}
        # Only the township names change (a pan, or the re-framing's own move):
        # redraw them, and the bubbles' counts, never the points again.
        spec = SPECS[kind]
        slots = [spec.names_slot]
        if (view.get("names") is None) != (state["names"] is None):
            slots += spec.totals_slots
        return as_patch({slot: updates[slot] for slot in slots}), {**state, "box": view["box"]}
