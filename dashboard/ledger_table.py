"""The table beside the risk map: one map, one table, one list (一图一表一清单).

The other three maps' tables are :mod:`dashboard.record_tables` (client-side
rows); the map pick, its note and the row click centring are shared with them.

The grid (dash-ag-grid, infinite row model) asks for pages of 100 rows as it
scrolls; each page is one :func:`ledger.operations.hidden_dangers` call that
filters, sorts, counts and cuts in the database, with the desk's filter
(townships, grades), the table's own (statuses, overdue, supervised, column
text filters) and the points picked on the risk map by box or lasso. A row
click centres the risk map on the point and rings it; the export button
writes the rows the table selects to an .xlsx in the ledger's layout. Above
it, the ledger's figures for the filter and their monthly trend.
"""

from __future__ import annotations

import base64
from datetime import date

import dash
import dash_ag_grid as dag
import plotly.graph_objects as go
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from auth import Forbidden, Unauthenticated, can
from config import Settings
from dashboard import ids
from dashboard.i18n import t, term_label
from dashboard.maps import filter_from
from dashboard.record_tables import (
    DEFAULT_COL,
    ROW_HEIGHT,
    grid_locale,
    pick_controls,
    register_map_links,
)
from domain import FIVE_IN_PLACE, LEDGER_STATUSES, LEDGER_STEPS, RISK_GRADES, RISK_KINDS, term
from editing.records import Conflict, NotFound
from layers.townships import townships
from ledger.export import ledger_workbook
from ledger.figures import Figures, figures, monthly
from ledger.operations import hidden_danger, hidden_dangers, take_step
from ledger.rules import PHOTO_MAX_BYTES, Refused, five_missing
from store import Store, StoreUnavailable
from store.ledger import CONTAINS, SORTS, Query
from web.security import current_principal

PAGE = 100
TEXT_FILTER = {"filter": "agTextColumnFilter",
               "filterParams": {"filterOptions": ["contains"], "maxNumConditions": 1,
                                "debounceMs": 400}}  # fmt: skip
# (column id, heading key, width, text filter)
COLUMNS = (
    ("code", "ledger_col_code", 170, True),
    ("name", "ledger_col_name", 190, True),
    ("township", "ledger_col_township", 110, False),
    ("grade", "ledger_col_grade", 90, False),
    ("kind", "ledger_col_kind", 80, False),
    ("status", "ledger_col_status", 110, False),
    ("overdue", "ledger_col_overdue", 70, False),
    ("supervised", "ledger_col_supervised", 110, False),
    ("deadline", "ledger_col_deadline", 105, False),
    ("responsible_person", "ledger_col_person", 90, True),
    ("responsible_unit", "ledger_col_unit", 130, True),
    ("measures", "ledger_col_measures", 180, True),
    ("next_inspection", "ledger_col_next_inspection", 105, False),
)


def column_defs(lang: str) -> list[dict]:
    """The grid's columns: sortable where the server can sort, text filters where it can."""
    defs = []
    for col, key, width, text in COLUMNS:
        spec = {"field": col, "colId": col, "headerName": t(key, lang), "width": width,
                "sortable": col in SORTS or col == "kind", "resizable": True}  # fmt: skip
        if text and col in CONTAINS:
            spec |= TEXT_FILTER
        defs.append(spec)
    defs[0]["pinned"] = "left"
    return defs


def section(lang: str) -> html.Section:
    """The list beside the risk map: figures, controls, the grid, the selected item's
    account and step form, the export and the monthly trend."""
    statuses = [{"label": term_label(s, lang), "value": s.key} for s in LEDGER_STATUSES]
    flags = [
        {"label": t("ledger_hidden_only", lang), "value": "hidden"},
        {"label": t("ledger_overdue_only", lang), "value": "overdue"},
        {"label": t("ledger_supervised_only", lang), "value": "supervised"},
    ]
    grid = dag.AgGrid(
        id=ids.RISK_TABLE,
        rowModelType="infinite",
        columnDefs=column_defs(lang),
        defaultColDef=DEFAULT_COL,
        getRowId="params.data.code",
        rowClassRules={
            "ledger-overdue": "params.data && params.data.overdue_flag",
            "ledger-supervised": "params.data && params.data.supervised_flag",
        },
        dashGridOptions={
            "rowSelection": {
                "mode": "singleRow",
                "checkboxes": False,
                "enableClickSelection": True,
            },
            "cacheBlockSize": PAGE,
            "maxBlocksInCache": 10,
            "infiniteInitialRowCount": PAGE,
            "rowBuffer": 0,
            "rowHeight": ROW_HEIGHT,
            "localeText": grid_locale(lang),
        },
        style={"height": "100%", "width": "100%"},
        className="ledger-grid",
    )
    return html.Section(
        [
            html.Div(
                [
                    html.H2(t("ledger_title", lang)),
                    html.Div(id=ids.RISK_TABLE_FIGURES, className="ledger-figures"),
                ],
                className="ledger-head",
            ),
            html.Div(
                [
                    dcc.Dropdown(
                        id=ids.RISK_TABLE_STATUS,
                        options=statuses,
                        value=[],
                        multi=True,
                        placeholder=t("ledger_statuses_all", lang),
                        searchable=False,
                        className="ledger-status",
                    ),
                    dcc.Checklist(
                        id=ids.RISK_TABLE_FLAGS,
                        options=flags,
                        value=[],
                        inline=True,
                        className="ledger-flags",
                    ),
                    *pick_controls("risk", lang),
                    html.Button(
                        t("ledger_export", lang),
                        id=ids.RISK_TABLE_EXPORT,
                        className="ledger-export",
                    ),
                    dcc.Download(id=ids.RISK_TABLE_DOWNLOAD),
                ],
                className="ledger-controls",
            ),
            html.P(t("ledger_hint", lang), className="ledger-hint"),
            html.Div(
                [
                    html.Div(grid, className="ledger-grid-box"),
                    step_form(lang),
                    dcc.Graph(
                        id=ids.LEDGER_TREND,
                        className="ledger-trend",
                        config={"displayModeBar": False},
                    ),
                ],
                className="ledger-body",
            ),
            dcc.Store(id=ids.RISK_TABLE_PICKED, data=None),
            dcc.Store(id=ids.LEDGER_ITEM_CODE, data=None),
            html.Div(id=ids.RISK_TABLE_REFRESHED, hidden=True),
            html.Div(id=ids.RISK_TABLE_CENTRED, hidden=True),
        ],
        className="ledger",
        id="ledger",
    )


def step_form(lang: str) -> html.Div:
    """The selected item's account and steps, and the form that moves it on."""
    steps = [{"label": term_label(s, lang), "value": s.key} for s in LEDGER_STEPS]
    return html.Div(
        [
            html.Div(html.P(t("ledger_pick_row", lang)), id=ids.LEDGER_ITEM,
                     className="ledger-item"),
            html.Div(
                [
                    html.Label([t("ledger_step", lang),
                                dcc.Dropdown(id=ids.LEDGER_STEP_TO, options=steps,
                                             value="rectified", clearable=False,
                                             searchable=False)]),
                    html.Label([t("ledger_step_measures", lang),
                                dcc.Input(id=ids.LEDGER_STEP_MEASURES, type="text",
                                          debounce=True)]),
                    html.Label([t("ledger_step_note", lang),
                                dcc.Textarea(id=ids.LEDGER_STEP_NOTE, rows=2)]),
                    html.Label([t("ledger_step_verifier", lang),
                                dcc.Input(id=ids.LEDGER_STEP_VERIFIER, type="text")]),
                    html.Label([t("ledger_step_on", lang),
                                dcc.Input(id=ids.LEDGER_STEP_ON, type="text",
                                          placeholder="2026-12-31")]),
                    dcc.Upload(html.Span(t("ledger_step_photo", lang)), id=ids.LEDGER_STEP_PHOTO,
                               accept="image/jpeg,image/png,image/gif,image/webp",
                               max_size=PHOTO_MAX_BYTES, className="ledger-photo"),
                    html.Button(t("ledger_step_go", lang), id=ids.LEDGER_STEP_GO,
                                className="primary", disabled=True),
                    html.Div(id=ids.LEDGER_STEP_RESULT, className="ledger-step-result",
                             role="status"),
                ],
                className="ledger-step-form",
            ),
        ],
        className="ledger-side",
    )  # fmt: skip


def item_panel(item: dict, lang: str) -> list:
    """One item's account (status, responsibility, the five in place) and its steps."""
    name = item["name"] if lang == "zh" else (item.get("name_en") or item["name"])
    lines = [html.H3(f"{item['code']} · {name}")]
    if item["kind"] != "hidden_danger":
        lines.append(html.P(term_label(term(RISK_KINDS, item["kind"]), lang)))
    else:
        status = term_label(term(LEDGER_STATUSES, item["status"]), lang)
        missing = five_missing(item)
        five = (t("ledger_five_ok", lang) if not missing else t("ledger_five_missing", lang)
                .format(missing=("、" if lang == "zh" else ", ").join(
                    term_label(term(FIVE_IN_PLACE, k), lang) for k in missing)))  # fmt: skip
        pairs = [
            (t("ledger_col_status", lang), status),
            (t("ledger_col_deadline", lang), _day(item["rectification_deadline"])),
            (t("ledger_col_unit", lang), item["responsible_unit"]),
            (t("ledger_col_person", lang), item["responsible_person"]),
            (t("ledger_col_measures", lang), item["measures"]),
            (t("ledger_five", lang), five),
            (t("ledger_col_supervised", lang), item["supervised_by"] if item["supervised"] else ""),
        ]
        lines.append(html.Dl([part for k, v in pairs if v
                              for part in (html.Dt(k), html.Dd(str(v)))]))  # fmt: skip
    steps = item.get("steps") or []
    said = [
        f"{s['at']:%Y-%m-%d %H:%M} {s['actor']} · {_step_label(s['step'], lang)}"
        + (f"：{s['note']}" if s["note"] else "")
        for s in steps
    ]
    lines.append(
        html.Ol([html.Li(text) for text in said], className="ledger-steps")
        if steps
        else html.P(t("ledger_steps_none", lang), className="ledger-steps")
    )
    return lines


def _step_label(step: str, lang: str) -> str:
    try:
        return term_label(term(LEDGER_STEPS, step), lang)
    except KeyError:
        return step


def table_query(
    filter_store: dict | None,
    picked: dict | None,
    statuses: list[str] | None,
    flags: list[str] | None,
    request: dict | None,
    *,
    offset: int = 0,
    limit: int = PAGE,
) -> Query:
    """The page the grid asks for, with the desk's filter and the map's pick."""
    flt = filter_from(filter_store)
    towns = list(flt.townships) if flt.townships is not None else None
    codes = None
    if picked and picked.get("townships"):
        chosen = set(picked["townships"])
        towns = [c for c in towns if c in chosen] if towns is not None else sorted(chosen)
    if picked and picked.get("codes") is not None:
        codes = list(picked["codes"])
    flags = flags or []
    sort, descending = "", False
    for item in (request or {}).get("sortModel") or []:
        if item.get("colId") in SORTS:
            sort, descending = item["colId"], item.get("sort") == "desc"
            break
    contains = {
        col: str(spec.get("filter"))
        for col, spec in ((request or {}).get("filterModel") or {}).items()
        if col in CONTAINS and spec.get("filter")
    }
    return Query(
        townships=towns,
        statuses=list(statuses) if statuses else None,
        grades=list(flt.grades) if flt.grades is not None else None,
        hidden_only="hidden" in flags or bool(statuses),
        overdue=True if "overdue" in flags else None,
        supervised=True if "supervised" in flags else None,
        codes=codes,
        contains=contains or None,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit,
    )


def row_view(row: dict, lang: str, names: dict[str, str]) -> dict:
    """One grid row: labels in the page's language, and what the map needs (lon, lat)."""
    yes = t("ledger_yes", lang)
    status = row["status"]
    supervised = row["supervised"] and status != "verified"
    return {
        "code": row["code"],
        "name": row["name"] if lang == "zh" else (row["name_en"] or row["name"]),
        "township": names.get(row["township_code"], row["township_code"]),
        "grade": term_label(term(RISK_GRADES, row["grade"]), lang),
        "kind": term_label(term(RISK_KINDS, row["kind"]), lang),
        "status": term_label(term(LEDGER_STATUSES, status), lang) if status else "",
        "overdue": yes if row["overdue"] else "",
        "supervised": (row["supervised_by"] or yes) if supervised else "",
        "deadline": _day(row["rectification_deadline"]),
        "responsible_person": row["responsible_person"],
        "responsible_unit": row["responsible_unit"] or "",
        "measures": row["measures"] or "",
        "next_inspection": _day(row["next_inspection"]),
        "overdue_flag": row["overdue"],
        "supervised_flag": supervised,
        "lon": row["lon"],
        "lat": row["lat"],
    }


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def figures_line(fig: Figures, lang: str) -> list:
    """The ledger's figures for the filter, as the key figures show them."""
    rate = "—" if fig.rate is None else f"{fig.rate:.1%}"
    items = [
        ("ledger_fig_found", f"{fig.found:,}"),
        ("ledger_fig_rectified", f"{fig.rectified:,}"),
        ("ledger_fig_rate", rate),
        ("ledger_fig_overdue", f"{fig.overdue:,}"),
        ("ledger_fig_major_open", f"{fig.major_open:,}"),
        ("ledger_fig_supervised", f"{fig.supervised:,}"),
        ("ledger_fig_due_week", f"{fig.due_this_week:,}"),
    ]
    return [
        html.Span([html.Span(t(key, lang), className="label"), html.B(value)],
                  className=f"ledger-figure {key.removeprefix('ledger_fig_')}")
        for key, value in items
    ]  # fmt: skip


def trend_figure(table: object, lang: str) -> go.Figure:
    """Found and rectified per month: bars, with verified as a line."""
    fig = go.Figure()
    fig.add_bar(x=table["month"], y=table["found"], name=t("ledger_fig_found", lang),
                marker_color="#e02020")  # fmt: skip
    fig.add_bar(x=table["month"], y=table["rectified"], name=t("ledger_fig_rectified", lang),
                marker_color="#20a050")  # fmt: skip
    fig.add_scatter(x=table["month"], y=table["verified"], mode="lines+markers",
                    name=term_label(term(LEDGER_STATUSES, "verified"), lang),
                    line={"color": "#2f7fe0"})  # fmt: skip
    fig.update_layout(
        title={"text": t("ledger_trend", lang), "font": {"size": 13}},
        barmode="group",
        margin={"l": 30, "r": 10, "t": 30, "b": 30},
        height=420,
        legend={"orientation": "h", "y": -0.12},
        xaxis={
            "type": "category",
            "tickangle": -45,
            "tickfont": {"size": 10},
            "automargin": True,
        },
        yaxis={"rangemode": "tozero"},
    )
    return fig


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    """The grid's pages, its refresh when a filter changes, the map pick, row clicks,
    the export, and the figures and trend of the filter."""

    @app.callback(
        Output(ids.RISK_TABLE, "getRowsResponse"),
        Input(ids.RISK_TABLE, "getRowsRequest"),
        State(ids.FILTER, "data"),
        State(ids.RISK_TABLE_PICKED, "data"),
        State(ids.RISK_TABLE_STATUS, "value"),
        State(ids.RISK_TABLE_FLAGS, "value"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def rows(request: dict | None, flt: dict, picked: dict, statuses: list, flags: list,
             lang: str) -> dict:  # fmt: skip
        if not request:
            raise PreventUpdate
        start = int(request.get("startRow") or 0)
        end = int(request.get("endRow") or start + PAGE)
        query = table_query(flt, picked, statuses, flags, request, offset=start,
                            limit=max(1, min(end - start, 1000)))  # fmt: skip
        try:
            total, found = hidden_dangers(store, current_principal(), query)
            names = _names(store, lang)
        except StoreUnavailable:
            raise PreventUpdate from None
        return {"rowData": [row_view(r, lang, names) for r in found], "rowCount": total}

    # A filter, the pick or the table's controls changed: drop the cached pages.
    app.clientside_callback(
        ClientsideFunction(namespace="fourmapsLedger", function_name="refresh"),
        Output(ids.RISK_TABLE_REFRESHED, "title"),
        Input(ids.FILTER_LATE, "data"),
        Input(ids.RISK_TABLE_PICKED, "data"),
        Input(ids.RISK_TABLE_STATUS, "value"),
        Input(ids.RISK_TABLE_FLAGS, "value"),
        Input(ids.REVS, "data"),
        State(ids.RISK_TABLE, "id"),
        prevent_initial_call=True,
    )
    # The map's box or lasso picks rows; a row click centres the risk map and rings it.
    register_map_links(app, "risk")

    @app.callback(
        Output(ids.RISK_TABLE_DOWNLOAD, "data"),
        Input(ids.RISK_TABLE_EXPORT, "n_clicks"),
        State(ids.FILTER, "data"),
        State(ids.RISK_TABLE_PICKED, "data"),
        State(ids.RISK_TABLE_STATUS, "value"),
        State(ids.RISK_TABLE_FLAGS, "value"),
        State(ids.RISK_TABLE, "getRowsRequest"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def export(_n: int | None, flt: dict, picked: dict, statuses: list, flags: list,
               request: dict | None, lang: str) -> dict:  # fmt: skip
        query = table_query(flt, picked, statuses, flags, request, limit=0)
        data = ledger_workbook(
            store, current_principal(), query, lang=lang, timezone=settings.timezone
        )
        return dcc.send_bytes(data, f"hidden-dangers-{date.today().isoformat()}.xlsx")

    @app.callback(
        Output(ids.RISK_TABLE_FIGURES, "children"),
        Output(ids.LEDGER_TREND, "figure"),
        Input(ids.FILTER_LATE, "data"),
        Input(ids.REVS, "data"),
        State(ids.LANG, "data"),
    )
    def ledger_figures(flt: dict, _revs: dict, lang: str) -> tuple:
        towns = filter_from(flt).townships
        try:
            towns = list(towns) if towns is not None else None
            fig = figures(store, current_principal(), towns)
            trend = monthly(store, current_principal(), towns)
        except StoreUnavailable:
            return no_update, no_update
        return figures_line(fig, lang), trend_figure(trend, lang)

    _register_steps(app, store)


def _register_steps(app: dash.Dash, store: Store) -> None:
    @app.callback(
        Output(ids.LEDGER_ITEM_CODE, "data"),
        Input(ids.RISK_TABLE, "selectedRows"),
        prevent_initial_call=True,
    )
    def choose(rows: list | None) -> str | None:
        return rows[0]["code"] if rows else None

    @app.callback(
        Output(ids.LEDGER_ITEM, "children"),
        Output(ids.LEDGER_STEP_GO, "disabled"),
        Input(ids.LEDGER_ITEM_CODE, "data"),
        Input(ids.LEDGER_STEP_RESULT, "children"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def show(code: str | None, _result: object, lang: str) -> tuple:
        if not code:
            return [html.P(t("ledger_pick_row", lang))], True
        try:
            item = hidden_danger(store, current_principal(), code)
        except (NotFound, StoreUnavailable):
            return [html.P(t("ledger_pick_row", lang))], True
        may = can(current_principal(), "respond") and item["kind"] == "hidden_danger"
        return item_panel(item, lang), not may

    @app.callback(
        Output(ids.LEDGER_STEP_RESULT, "children"),
        Output(ids.LEDGER_STEP_PHOTO, "contents"),
        Input(ids.LEDGER_STEP_GO, "n_clicks"),
        State(ids.LEDGER_ITEM_CODE, "data"),
        State(ids.LEDGER_STEP_TO, "value"),
        State(ids.LEDGER_STEP_NOTE, "value"),
        State(ids.LEDGER_STEP_MEASURES, "value"),
        State(ids.LEDGER_STEP_VERIFIER, "value"),
        State(ids.LEDGER_STEP_ON, "value"),
        State(ids.LEDGER_STEP_PHOTO, "contents"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def step(
        _n: int | None,
        code: str | None,
        to: str,
        note: str | None,
        measures: str | None,
        verifier: str | None,
        on: str | None,
        photo: str | None,
        lang: str,
    ) -> tuple:
        """The desk's step: the same :func:`ledger.operations.take_step` the API calls,
        which checks the role itself."""
        if not code:
            raise PreventUpdate
        data = None
        if photo:
            try:
                data = base64.b64decode(photo.split(",", 1)[1])
            except (IndexError, ValueError):
                data = b""
        try:
            after = take_step(store, current_principal(), code, to, note or "",
                              measures=measures, verifier=verifier, verified_on=on,
                              photo=data)  # fmt: skip
        except Refused as exc:
            return html.Span(t("ledger_step_refused", lang).format(reason=exc.say(lang)),
                             className="refused"), no_update  # fmt: skip
        except (Forbidden, Unauthenticated):
            return html.Span(t("ledger_step_forbidden", lang), className="refused"), no_update
        except (Conflict, NotFound) as exc:
            return html.Span(t("ledger_step_refused", lang).format(reason=str(exc)),
                             className="refused"), no_update  # fmt: skip
        status = term_label(term(LEDGER_STATUSES, after["status"]), lang)
        return html.Span(t("ledger_step_done", lang).format(code=code, status=status),
                         className="done"), None  # fmt: skip


def _names(store: Store, lang: str) -> dict[str, str]:
    towns = townships(store)
    return dict(zip(towns["code"], towns["name" if lang == "zh" else "name_en"], strict=True))
