"""The desk screen: the four maps in a 2x2 grid with filters, key figures and details."""

from __future__ import annotations

from datetime import UTC, datetime

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from config import Settings
from dashboard import ids
from dashboard.components import details, key_figures, local_time, response_banner
from dashboard.figures import MAP_KINDS, SPECS, level_label
from dashboard.i18n import t, term_label
from dashboard.maps import Theme, first_figures, map_patches
from domain import RISK_GRADES
from layers import Filter
from layers.command import chain_of_command
from layers.snapshot import Snapshot, snapshot
from store import Store, StoreUnavailable

THEME = Theme()


def data_state(snap: Snapshot, flt: Filter) -> dict:
    """What a page remembers between polls: revisions, when it last read, its filter."""
    return {
        "revs": {layer: rev.revision for layer, rev in snap.revisions.items()},
        "updated": max(rev.updated_at for rev in snap.revisions.values()).isoformat(),
        "ok_at": datetime.now(UTC).isoformat(),
        "filter": [list(flt.townships or ()), flt.level, list(flt.grades or ())],
    }


def status_line(state: dict, settings: Settings, lang: str, stale: bool = False) -> html.Div:
    """ "Data updated hh:mm", or the stale banner when the database is unreachable."""
    if stale:
        since = local_time(datetime.fromisoformat(state["ok_at"]), settings.timezone)
        return html.Div(t("stale", lang).format(time=since), className="status stale")
    updated = local_time(
        datetime.fromisoformat(state["updated"]), settings.timezone, "%Y-%m-%d %H:%M:%S"
    )
    return html.Div(f"{t('data_updated', lang)} {updated}", className="status")


def _filters(snap: Snapshot, flt: Filter, lang: str) -> html.Div:
    towns = [
        {"label": row.name_en if lang == "en" else row.name, "value": row.code}
        for row in snap.towns.itertuples()
    ]
    levels = [{"label": level_label(None, lang), "value": "all"}] + [
        {"label": level_label(n, lang), "value": str(n)} for n in (4, 3, 2, 1)
    ]
    grades = [{"label": term_label(g, lang), "value": g.key} for g in RISK_GRADES]
    return html.Div(
        [
            html.Label(
                [
                    t("filter_townships", lang),
                    dcc.Dropdown(
                        id=ids.TOWNSHIPS,
                        options=towns,
                        value=list(flt.townships or []),
                        multi=True,
                        placeholder=t("filter_townships_all", lang),
                    ),
                ],
                className="filter filter-towns",
            ),
            html.Label(
                [
                    t("filter_level", lang),
                    dcc.Dropdown(
                        id=ids.LEVEL,
                        options=levels,
                        value=str(flt.level) if flt.level else "all",
                        clearable=False,
                        searchable=False,
                    ),
                ],
                className="filter filter-level",
            ),
            html.Div(
                [
                    html.Span(t("filter_grades", lang)),
                    dcc.Checklist(
                        id=ids.GRADES,
                        options=grades,
                        value=list(flt.grades or [g.key for g in RISK_GRADES]),
                        inline=True,
                    ),
                ],
                className="filter filter-grades",
            ),
            html.Div(
                [
                    html.Span(t("language", lang)),
                    dcc.RadioItems(
                        id=ids.LANG_SWITCH,
                        options=[
                            {"label": "中文", "value": "zh"},
                            {"label": "English", "value": "en"},
                        ],
                        value=lang,
                        inline=True,
                    ),
                ],
                className="filter filter-lang",
            ),
        ],
        className="filters",
    )


def default_filter(store: Store, query: dict[str, str]) -> Filter:
    """The filter a page opens with: URL parameters, else the response in force."""
    activation = store.current_activation()
    level = query.get("level") or (activation["level"] if activation else None)
    towns = [code for code in query.get("township", "").split(",") if code]
    return Filter.of(towns, level)


def layout(store: Store, settings: Settings, query: dict[str, str], lang: str) -> html.Div:
    """The desk screen, built fresh for each page load."""
    snap = snapshot(store)
    flt = default_filter(store, query)
    sel = snap.select(flt)
    figures = first_figures(sel, snap, lang, THEME, settings.tile_url, settings.tile_attribution)
    state = data_state(snap, flt)
    district = snap.district.iloc[0]
    maps = [
        html.Div(
            [
                html.H2(t(SPECS[kind].title_key, lang)),
                dcc.Graph(
                    id=ids.map_graph(kind),
                    figure=figures[kind],
                    config={"displaylogo": False, "scrollZoom": True},
                    className="map-graph",
                ),
            ],
            className=f"map-card map-{kind}",
        )
        for kind in MAP_KINDS
    ]
    return html.Div(
        [
            html.Header(
                [
                    html.H1(
                        f"{district['name_en'] if lang == 'en' else district['name']} · "
                        f"{t('app_title', lang)}"
                    ),
                    html.Div(response_banner(store.current_activation(), lang), id=ids.RESPONSE),
                    html.Div(status_line(state, settings, lang), id=ids.STATUS),
                ],
                className="page-header",
            ),
            _filters(snap, flt, lang),
            html.Div(key_figures(sel.figures, lang), id=ids.FIGURES, className="key-figures"),
            html.Div(
                [
                    html.Div(maps, className="map-grid"),
                    html.Aside(html.P(t("record_hint", lang)), id=ids.DETAILS, className="details"),
                ],
                className="main",
            ),
            dcc.Store(id=ids.STATE, data=state),
            dcc.Interval(id=ids.POLL, interval=int(settings.poll_seconds * 1000)),
        ],
        className="overview",
    )


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    """Wire the desk screen's callbacks to ``store``."""

    @app.callback(
        [Output(ids.map_graph(kind), "figure") for kind in MAP_KINDS]
        + [
            Output(ids.FIGURES, "children"),
            Output(ids.STATE, "data"),
            Output(ids.STATUS, "children"),
            Output(ids.RESPONSE, "children"),
        ],
        Input(ids.TOWNSHIPS, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.GRADES, "value"),
        Input(ids.POLL, "n_intervals"),
        State(ids.STATE, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def update_maps(
        towns: list[str] | None,
        level: str | None,
        grades: list[str] | None,
        _tick: int | None,
        state: dict,
        lang: str,
    ) -> list:
        """Filters changed or the poll ticked: patch only the maps whose data changed."""
        unchanged = [no_update] * (len(MAP_KINDS) + 1)
        try:
            snap = snapshot(store)
        except StoreUnavailable:
            return [*unchanged, state, status_line(state, settings, lang, stale=True), no_update]
        flt = Filter.of(towns, level, grades or [])
        revs = {layer: rev.revision for layer, rev in snap.revisions.items()}
        changed = {layer for layer, rev in revs.items() if state["revs"].get(layer) != rev}
        reframe = ctx.triggered_id != ids.POLL
        new_state = data_state(snap, flt)
        if not reframe and not changed:
            return [*unchanged, new_state, status_line(new_state, settings, lang), no_update]
        sel = snap.select(flt)
        patches = map_patches(sel, snap, lang, THEME, changed=changed, reframe=reframe)
        banner = (
            response_banner(store.current_activation(), lang)
            if "response" in changed
            else no_update
        )
        return [
            *patches,
            key_figures(sel.figures, lang),
            new_state,
            status_line(new_state, settings, lang),
            banner,
        ]

    @app.callback(
        Output(ids.DETAILS, "children"),
        [Input(ids.map_graph(kind), "clickData") for kind in MAP_KINDS],
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def show_details(*args: object) -> list:
        """A click on a point shows its full record (and a node's chain of command)."""
        lang = args[-1]
        kind = str(ctx.triggered_id).removeprefix("map-")
        click = args[MAP_KINDS.index(kind)] if kind in MAP_KINDS else None
        points = (click or {}).get("points") or []
        code = points[0].get("customdata") if points else None
        if not isinstance(code, str) or code.startswith("township:"):
            return no_update
        try:
            snap = snapshot(store)
        except StoreUnavailable as exc:
            return [html.P(str(exc), className="error")]
        record = snap.record(kind, code)
        if record is None:
            return [html.P(t("record_hint", lang))]
        chain = chain_of_command(snap.command, code) if kind == "command" else None
        return details(kind, record, lang, chain)
