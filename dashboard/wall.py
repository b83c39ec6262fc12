"""The wall display: four maps, large key figures, a clock and the response banner.

It hangs in the command centre, is read from across the room and runs for
weeks untouched: dark, high contrast, sizes in viewport units so one layout
fills 1920x1080, 3840x2160 and a 5760x1080 LED wall without scrollbars
(``assets/wall.css``). It polls for changes like the desk screen and keeps
the last data with a "not updated since" banner when the database is down.

URL parameters: ``township=CODE[,CODE]`` fixes the wall to townships,
``level=1..4|all`` the response level, ``lang=zh|en`` the language.
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, dcc, html

from config import Settings
from dashboard import ids
from dashboard.components import key_figures, response_banner, warning_banner
from dashboard.figures import MAP_KINDS
from dashboard.i18n import name_of, t
from dashboard.screen import PageData, hidden_state, map_cards, status

CLOCK_TICK = "clock-tick"


def layout(data: PageData, settings: Settings, lang: str) -> html.Div:
    """The wall for one page load."""
    district = data.snap.district.drop(columns="geom").iloc[0].to_dict()
    towns = data.sel.filter.townships
    scope = (
        name_of(district, lang)
        if not towns
        else ("、" if lang == "zh" else ", ").join(
            name_of(row, lang) for row in data.sel.towns.drop(columns="geom").to_dict("records")
        )
    )
    maps = map_cards(
        data, lang, config={"displayModeBar": False, "scrollZoom": True}, responsive=True
    )
    return html.Div(
        [
            html.Header(
                [
                    html.Div(
                        [html.H1(scope), html.Div(t("app_title", lang), className="subtitle")],
                        className="wall-title",
                    ),
                    html.Div(response_banner(data.activation, lang), id=ids.RESPONSE),
                    html.Div(
                        warning_banner(data.warnings, lang) if data.warnings is not None else None,
                        id=ids.WARNING,
                    ),
                    html.Div(status(data, settings, lang), id=ids.STATUS),
                    html.Div(
                        id=ids.CLOCK,
                        className="clock",
                        **{"data-tz": settings.timezone, "data-lang": lang},
                    ),
                ],
                className="wall-header",
            ),
            html.Div(
                [
                    html.Div(maps, className="wall-maps"),
                    html.Aside(
                        key_figures(
                            data.sel.figures, lang, data.sel.filter, data.activation, wall=True
                        ),
                        id=ids.FIGURES,
                        className="key-figures wall-figures",
                    ),
                ],
                className="wall-body",
            ),
            html.Div(id=ids.DETAILS, hidden=True),
            dcc.Interval(id=CLOCK_TICK, interval=1000),
            *hidden_state(data, settings),
        ],
        className="wall",
        lang="zh-CN" if lang == "zh" else "en",
    )


def register(app: dash.Dash, settings: Settings) -> None:
    """The clock runs in the browser; linked views too, when the setting asks for them."""
    app.clientside_callback(
        ClientsideFunction(namespace="fourmaps", function_name="clock"),
        Output(ids.CLOCK, "children"),
        Input(CLOCK_TICK, "n_intervals"),
        State(ids.CLOCK, "data-tz"),
        State(ids.CLOCK, "data-lang"),
    )
    if settings.linked_views:
        for kind in MAP_KINDS:
            app.clientside_callback(
                ClientsideFunction(namespace="fourmaps", function_name="linkViews"),
                Output(ids.map_graph(kind), "id"),
                Input(ids.map_graph(kind), "relayoutData"),
                State(ids.map_graph(kind), "id"),
                prevent_initial_call=True,
            )
