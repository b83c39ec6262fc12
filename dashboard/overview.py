"""The desk screen: the four maps in a 2x2 grid with filters, key figures and details;
each map opens its table beside it."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from auth import Principal
from config import Settings
from dashboard import editor, ids, ledger_table, record_tables
from dashboard.components import key_figures, response_banner, warning_banner
from dashboard.figures import MAP_KINDS, level_label
from dashboard.i18n import dropdown_labels, name_of, t, term_label
from dashboard.maps import filter_data
from dashboard.screen import PageData, hidden_state, map_cards, status
from domain import RISK_GRADES
from layers import Filter

URL_SYNC = "url-sync"  # the filter-to-URL callback's output (it sets the language links)


def _filters(data: PageData, lang: str) -> html.Div:
    flt = data.sel.filter
    towns = [
        {"label": name_of(row, lang), "value": row["code"]}
        for row in data.snap.towns.drop(columns="geom").to_dict("records")
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
                        labels=dropdown_labels(lang),
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
                        labels=dropdown_labels(lang),
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
                        value=list(flt.grades)
                        if flt.grades is not None
                        else [g.key for g in RISK_GRADES],
                        inline=True,
                    ),
                ],
                className="filter filter-grades",
            ),
        ],
        className="filters",
    )


def with_tables(
    cards: list[html.Div], tables: dict[str, html.Section], lang: str
) -> list[html.Div]:
    """Each map's panel with its table beside the map (one map, one table, one list),
    opened and closed by a button on the map's title. An opened panel takes the whole
    row of the map grid: the map keeps its width on the left, the table takes the
    other map's place on the right (that map moves down a row). The desk only: the
    wall has no tables."""
    panels = []
    for kind, card in zip(MAP_KINDS, cards, strict=True):
        title, graph = card.children
        toggle = html.Button(
            t("table_toggle", lang),
            id=ids.table_part(kind, "toggle"),
            className="table-toggle",
            title=t("table_toggle_hint", lang),
            **{"aria-expanded": "false", "aria-controls": f"{kind}-table-panel"},
        )
        title.children = [title.children, toggle]
        body = html.Div(
            [graph, html.Div(tables[kind], id=f"{kind}-table-panel", className="map-table")],
            className="map-body",
        )
        panels.append(html.Div([title, body], id=ids.map_card(kind), className=card.className))
    return panels


def layout(
    data: PageData, settings: Settings, lang: str, principal: Principal | None = None
) -> html.Div:
    """The desk screen for one page load (with what ``principal``'s role may edit)."""
    district = data.snap.district.drop(columns="geom").iloc[0].to_dict()
    tables = record_tables.sections(lang, principal)
    tables["risk"] = ledger_table.section(lang)
    maps = with_tables(
        map_cards(data, lang, config={"displaylogo": False, "scrollZoom": True}), tables, lang
    )
    return html.Div(
        [
            html.Header(
                [
                    html.H1(f"{name_of(district, lang)} · {t('app_title', lang)}"),
                    html.Div(response_banner(data.activation, lang), id=ids.RESPONSE),
                    html.Div(
                        warning_banner(data.warnings, lang) if data.warnings is not None else None,
                        id=ids.WARNING,
                    ),
                    html.Div(status(data, settings, lang), id=ids.STATUS),
                ],
                className="page-header",
            ),
            _filters(data, lang),
            html.Div(
                key_figures(data.sel.figures, lang, data.sel.filter, data.activation),
                id=ids.FIGURES,
                className="key-figures",
            ),
            html.Div(
                [
                    html.Div(maps, className="map-grid"),
                    html.Aside(
                        # scrolls inside: a long form never stretches the maps
                        html.Div(
                            [
                                editor.toolbar(principal, lang),
                                html.Div(html.P(t("record_hint", lang)), id=ids.DETAILS),
                            ],
                            className="details-inner",
                        ),
                        className="details",
                    ),
                ],
                className="main",
            ),
            *hidden_state(data, settings),
            *editor.page_parts(),
            html.Div(id=URL_SYNC, hidden=True),
        ],
        className="overview",
        lang="zh-CN" if lang == "zh" else "en",
    )


def register(app: dash.Dash) -> None:
    """The filter controls write the filter store the maps listen to; the filter goes
    into the URL (a view can be bookmarked, Back works, the language links keep it),
    and so does each map's view; a click on a township's bubble or inside its
    outline selects that township. Each map's table button opens its table beside it,
    and the browser tab remembers which are open."""
    for kind in MAP_KINDS:
        app.clientside_callback(
            ClientsideFunction(namespace="fourmapsLedger", function_name="toggleTable"),
            Output(ids.map_card(kind), "className"),
            Output(ids.table_part(kind, "toggle"), "aria-expanded"),
            Input(ids.table_part(kind, "toggle"), "n_clicks"),
            State(ids.map_card(kind), "className"),
            State(ids.map_card(kind), "id"),
        )
        app.clientside_callback(
            ClientsideFunction(namespace="fourmaps", function_name="viewToUrl"),
            Output(ids.map_graph(kind), "className"),  # never set: the URL is the output
            Input(ids.map_graph(kind), "relayoutData"),
            State(ids.map_graph(kind), "id"),
            prevent_initial_call=True,
        )
    # The panels beside the maps (tables, the ledger's figures, export links) follow the
    # filter once the maps have drawn it: a pick asks for the maps alone first, and
    # the browser draws them before it renders the panels.
    app.clientside_callback(
        ClientsideFunction(namespace="fourmaps", function_name="afterMaps"),
        Output(ids.FILTER_LATE, "data"),
        Input(ids.FILTER, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fourmaps", function_name="filterToUrl"),
        Output(URL_SYNC, "title"),
        Input(ids.FILTER, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.TOWNSHIPS, "value"),
        [Input(ids.map_graph(kind), "clickData") for kind in MAP_KINDS],
        prevent_initial_call=True,
    )
    def pick_township(*clicks: dict | None) -> list[str]:
        click = clicks[MAP_KINDS.index(str(ctx.triggered_id).removeprefix("map-"))]
        points = (click or {}).get("points") or []
        code = points[0].get("customdata") if points else None
        prefix = next((p for p in ("township:", "outline:") if str(code).startswith(p)), None)
        if prefix is None:  # a bubble or an outline picks its township; a point does not
            raise PreventUpdate
        return [str(code).removeprefix(prefix)]

    @app.callback(
        Output(ids.FILTER, "data"),
        Input(ids.TOWNSHIPS, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.GRADES, "value"),
        prevent_initial_call=True,
    )
    def choose(towns: list[str] | None, level: str | None, grades: list[str] | None) -> dict:
        return filter_data(Filter.of(towns, level, grades or []))
