"""What both screens share: reading the store for a page load, and the hidden state."""

from __future__ import annotations

from dataclasses import dataclass

from dash import dcc, html

from config import Settings
from dashboard import ids
from dashboard.figures import MAP_KINDS, SPECS
from dashboard.i18n import t
from dashboard.maps import (
    data_state,
    filter_data,
    first_figures,
    revisions_state,
    screen_theme,
    status_line,
)
from layers import Filter
from layers.snapshot import Selection, Snapshot, last_snapshot, snapshot
from store import Store, StoreUnavailable


@dataclass(frozen=True)
class PageData:
    """Everything a page load needs, read once."""

    snap: Snapshot
    sel: Selection
    figures: dict[str, dict]
    views: dict[str, dict]
    state: dict
    activation: dict | None
    warnings: object  # a DataFrame of warnings in force
    stale: bool
    screen: dict  # which screen, and the browser window it is drawn for


def default_filter(query: dict[str, str], activation: dict | None) -> Filter:
    """The filter a page opens with: URL parameters, else the response in force.

    ``?township=CODE[,CODE]`` fixes townships (one wall per township centre),
    ``?level=1..4`` or ``?level=all`` the response level.
    """
    level = query.get("level") or (activation["level"] if activation else None)
    towns = [code for code in query.get("township", "").split(",") if code]
    return Filter.of(towns, level)


def page_data(
    store: Store, settings: Settings, query: dict[str, str], lang: str, screen: dict
) -> PageData | None:
    """Read the store for a page; the last data read when it is down; None if never read."""
    stale = False
    try:
        snap = snapshot(store)
    except StoreUnavailable:
        snap = last_snapshot(store)  # the last data read, with its response and warnings
        if snap is None:
            return None
        stale = True
    flt = default_filter(query, snap.activation)
    known = set(snap.towns["code"])
    flt = (
        Filter(tuple(c for c in flt.townships if c in known) or None, flt.level, flt.grades)
        if flt.townships
        else flt
    )
    sel = snap.select(flt)
    figures, views = first_figures(sel, snap, lang, screen_theme(screen), settings)
    state = data_state(snap, flt)
    if stale:  # redraw everything at the first poll that reaches the database
        state["revs"] = {}
    return PageData(snap, sel, figures, views, state, snap.activation, snap.warnings, stale, screen)


def status(data: PageData, settings: Settings, lang: str) -> html.Div:
    """The page's first status line: when data changed, or since when it is stale."""
    return status_line(
        data.state["updated"],
        settings,
        lang,
        stale_since=data.snap.read_at.isoformat() if data.stale else None,
    )


def hidden_state(data: PageData, settings: Settings) -> list:
    """The stores and the poll every screen carries."""
    return [
        dcc.Store(id=ids.SCREEN, data=data.screen),
        dcc.Store(id=ids.FILTER, data=filter_data(data.sel.filter)),
        dcc.Store(id=ids.STATE, data=data.state),
        dcc.Store(id=ids.REVS, data={**revisions_state(data.snap), "revs": data.state["revs"]}),
        dcc.Store(id=ids.LAST_OK, data=data.snap.read_at.isoformat()),
        dcc.Store(id=ids.EDITING, data=None),  # a form is open: clicks on points leave it be
        *[dcc.Store(id=ids.map_view(kind), data=data.views[kind]) for kind in MAP_KINDS],
        dcc.Interval(id=ids.POLL, interval=int(settings.poll_seconds * 1000)),
    ]


def unreachable_page(message: str, lang: str) -> html.Div:
    """Shown only when the database was never reachable since the app started."""
    return html.Div(
        [
            html.H1(t("app_title", lang)),
            html.P(message, className="status stale"),
            dcc.Interval(id="retry", interval=10_000),  # reloads the page on the next tick
        ],
        className="unreachable",
    )


def map_cards(data: PageData, lang: str, **graph: object) -> list[html.Div]:
    """The four maps, each under its title; ``graph`` adds dcc.Graph properties."""
    return [
        html.Div([
            html.H2(t(SPECS[kind].title_key, lang)),
            dcc.Graph(id=ids.map_graph(kind), figure=data.figures[kind],
                      className="map-graph", **graph),
        ], className=f"map-card map-{kind}")
        for kind in MAP_KINDS
    ]  # fmt: skip
