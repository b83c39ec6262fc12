"""What both screens share: reading the store for a page load, and the hidden state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from dash import dcc, html

from config import Settings
from dashboard import ids
from dashboard.figures import MAP_KINDS, SPECS, View
from dashboard.i18n import t
from dashboard.maps import (
    data_state,
    filter_data,
    first_figures,
    revisions_state,
    screen_theme,
    status_line,
)
from domain import RISK_GRADES, keys
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
    ignored: dict[str, str] = field(default_factory=dict)  # URL parameters not used
    follows_level: bool = False  # the level is the one in force, whatever it becomes


class UrlFilter(NamedTuple):
    """The filter a page opens with, and the URL parameters it could not use."""

    filter: Filter
    ignored: dict[str, str]  # parameter -> the value ignored ("township": unknown codes)


def default_filter(
    query: dict[str, str], activation: dict | None, known: Iterable[str] | None = None
) -> UrlFilter:
    """The filter a page opens with: URL parameters, else the response in force.

    ``?township=CODE[,CODE]`` fixes townships (one wall per township centre),
    ``?level=1..4`` or ``?level=all`` the response level, ``?grades=major,larger``
    the risk grades (``none`` for none; the desk writes its filters there). A value
    that names no township in ``known`` (default: any code is known), no level or no
    grade is ignored and returned in ``ignored``: the page opens as if it were not there.
    """
    ignored: dict[str, str] = {}
    level: int | str | None = activation["level"] if activation else None
    if "level" in query:
        try:
            Filter.of(level=query["level"])
            level = query["level"]
        except ValueError:
            ignored["level"] = query["level"]
    towns = [code for code in query.get("township", "").split(",") if code.strip()]
    if known is not None:
        known = set(known)
        unknown = [code for code in towns if code not in known]
        if unknown:
            ignored["township"] = ",".join(unknown)
        towns = [code for code in towns if code in known]
    grades = None
    if "grades" in query:
        asked = [g for g in query["grades"].split(",") if g and g != "none"]
        grades = [g for g in asked if g in keys(RISK_GRADES)]
        if len(grades) < len(asked):
            ignored["grades"] = ",".join(g for g in asked if g not in grades)
    return UrlFilter(Filter.of(towns, level, grades), ignored)


def url_views(query: dict[str, str]) -> tuple[dict[str, View], dict[str, str]]:
    """Each map's view from ``?view=risk:lon,lat,zoom;forces:...`` (the desk writes it as
    a map moves), and the entries it could not use (an unknown map, a number out of range).
    """
    views: dict[str, View] = {}
    bad: list[str] = []
    for entry in filter(None, query.get("view", "").split(";")):
        kind, _, numbers = entry.partition(":")
        try:
            lon, lat, zoom = (float(n) for n in numbers.split(","))
        except ValueError:
            bad.append(entry)
            continue
        if kind in MAP_KINDS and -180 <= lon <= 180 and -85 <= lat <= 85 and 0 <= zoom <= 22:
            views[kind] = View(lon, lat, zoom)
        else:
            bad.append(entry)
    return views, ({"view": ";".join(bad)} if bad else {})


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
    flt, ignored = default_filter(query, snap.activation, snap.towns["code"])
    sel = snap.select(flt)
    asked, bad_views = url_views(query)
    figures, views = first_figures(sel, snap, lang, screen_theme(screen), settings, asked)
    state = data_state(snap, flt)
    if stale:  # redraw everything at the first poll that reaches the database
        state["revs"] = {}
    # A wall with no level in its URL shows the response in force, and follows the next.
    follows = screen.get("name") == "wall" and ("level" not in query or "level" in ignored)
    return PageData(
        snap, sel, figures, views, state, snap.activation, snap.warnings, stale, screen,
        ignored | bad_views, follows,
    )  # fmt: skip


# Why each URL parameter may be ignored: the i18n key of the reason.
_IGNORED_REASON = {
    "township": "url_township", "level": "url_level", "lang": "url_lang", "view": "url_view",
}  # fmt: skip


def url_note(ignored: dict[str, str], lang: str) -> html.Div | None:
    """A small note saying which URL parameters the page ignored, and why; None if none."""
    if not ignored:
        return None
    zh = lang == "zh"
    parts = [
        f"{name}={value if len(value) <= 40 else value[:40] + '…'}"
        + ("（{}）" if zh else " ({})").format(t(_IGNORED_REASON.get(name, "url_unknown"), lang))
        for name, value in ignored.items()
    ]
    text = t("url_ignored", lang) + ("：" if zh else ": ") + ("；" if zh else "; ").join(parts)
    return html.Div(text, id=ids.URL_NOTE, className="url-note", role="status")


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
    flt = filter_data(data.sel.filter) | ({"follow": True} if data.follows_level else {})
    return [
        dcc.Store(id=ids.SCREEN, data=data.screen),
        dcc.Store(id=ids.FILTER, data=flt),
        dcc.Store(id=ids.FILTER_LATE, data=flt),
        dcc.Store(id=ids.STATE, data=data.state),
        dcc.Store(
            id=ids.REVS,
            data={**revisions_state(data.snap), "revs": data.state["revs"], "due": None},
        ),
        dcc.Store(id=ids.LAST_OK, data=data.snap.read_at.isoformat()),
        dcc.Store(id=ids.EDITING, data=None),  # a form is open: clicks on points leave it be
        *[dcc.Store(id=ids.map_view(kind), data=data.views[kind]) for kind in MAP_KINDS],
        *[dcc.Store(id=ids.map_moved(kind)) for kind in MAP_KINDS],
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
