"""The tables beside the maps: one map, one table, one list (一图一表一清单).

One parametrised component for the materials, forces and command maps: a
:class:`TableSpec` per map says which columns its table shows, and
:func:`register` wires each with the same callbacks (rows for the desk's
filter and the map's pick, row click centres the map, Excel of the visible
rows). The map-to-table links (box or lasso pick, its note, row click to
centre) are shared with the risk ledger (:mod:`dashboard.ledger_table`)
through :func:`register_map_links` and :func:`picked_from`.

Client-side row model, on purpose: depots, forces and command nodes are a few
hundred to a few thousand rows even at city scale, so the grid gets every row
the map's filter keeps at once (from the layer's GeoDataFrame, already
filtered by :meth:`layers.snapshot.Snapshot.select`) and sorts and filters in
the browser with no round trip. The risk ledger, 150,000 rows at city scale,
keeps its server-side infinite model.

People's names and phones (keeper, leader, duty officer) are columns only for
a signed-in principal: the layout leaves them out, and so does every callback
(a hand-made POST gets no more than the page would show).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from auth import Principal
from dashboard import ids
from dashboard.components import channels_text
from dashboard.figures import level_label
from dashboard.i18n import GRID_ZH, t, term_label
from dashboard.maps import filter_from
from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    MATERIAL_CATALOGUE,
    NODE_STATUSES,
    Term,
)
from layers.snapshot import Selection, Snapshot, snapshot
from store import Store, StoreUnavailable
from web.security import current_principal

# A column's cells from the filtered frame, the page's language and the whole layer.
Cells = Callable[[pd.DataFrame, str, pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Column:
    """One column of a record table."""

    field: str  # the row's key and the grid's colId
    heading: str  # the i18n key of its header (or a catalogue item's code, see stock)
    width: int
    cells: Cells
    filter: str | None = "text"  # "text", "number" or None
    private: bool = False  # a person's name or phone: signed-in principals only


@dataclass(frozen=True)
class TableSpec:
    """The table beside one map: its title and columns."""

    kind: str  # the map (and the Selection's frame) it lists
    title: str  # i18n key
    columns: tuple[Column, ...]

    def shown(self, signed_in: bool) -> tuple[Column, ...]:
        """The columns a principal may see: no names or phones when signed out."""
        return tuple(c for c in self.columns if signed_in or not c.private)


def _raw(column: str) -> Cells:
    return lambda frame, _lang, _every: frame[column]


def _name(frame: pd.DataFrame, lang: str, _every: pd.DataFrame) -> pd.Series:
    if lang == "en" and "name_en" in frame:
        english = frame["name_en"].fillna("")
        return english.where(english.astype(bool), frame["name"])
    return frame["name"]


def _township(frame: pd.DataFrame, lang: str, _every: pd.DataFrame) -> pd.Series:
    column = "township_name_en" if lang == "en" else "township_name"
    return frame[column].fillna("") if column in frame else frame["township_code"].fillna("")


def _vocab(column: str, terms: tuple[Term, ...]) -> Cells:
    def cells(frame: pd.DataFrame, lang: str, _every: pd.DataFrame) -> pd.Series:
        labels = {term.key: term_label(term, lang) for term in terms}
        return frame[column].map(lambda v: labels.get(v, v if isinstance(v, str) else ""))

    return cells


def _mobilise(frame: pd.DataFrame, lang: str, _every: pd.DataFrame) -> pd.Series:
    return frame["mobilise_level"].map(lambda v: level_label(int(v), lang) if pd.notna(v) else "")


def _stock(*items: str) -> Cells:
    return lambda frame, _lang, _every: sum(frame[f"stock_{i}"] for i in items).round(1)


def _parent(frame: pd.DataFrame, lang: str, every: pd.DataFrame) -> pd.Series:
    names = pd.Series(_name(every, lang, every).to_numpy(), index=every["code"].to_numpy())
    return frame["parent_code"].map(lambda c: names.get(c, "") if isinstance(c, str) else "")


def _channels(frame: pd.DataFrame, lang: str, _every: pd.DataFrame) -> pd.Series:
    return frame["channels"].map(lambda v: channels_text(v, lang) if isinstance(v, str) else "")


def _key_stock() -> tuple[Column, ...]:
    """The key items of the catalogue (those of the key figures), boats as one column."""
    items = [i for i in MATERIAL_CATALOGUE if i.key and not i.code.endswith("_boat")]
    columns = [Column(f"stock_{i.code}", f"stock:{i.code}", 140, _stock(i.code), "number")
               for i in items]  # fmt: skip
    columns.insert(2, Column("stock_boats", "table_boats", 110,
                             _stock("assault_boat", "rubber_boat"), "number"))  # fmt: skip
    return tuple(columns)


CODE = Column("code", "field_code", 170, _raw("code"))
NAME = Column("name", "field_name", 200, _name)
TOWNSHIP = Column("township", "field_township", 120, _township)
MOBILISE = Column("mobilise", "field_mobilise", 110, _mobilise, None)

SPECS: dict[str, TableSpec] = {
    "materials": TableSpec("materials", "table_materials", (
        CODE, NAME,
        Column("level", "field_level", 90, _vocab("level", DEPOT_LEVELS)),
        TOWNSHIP,
        *_key_stock(),
        Column("stock_lines", "table_stock_lines", 90, _raw("stock_lines"), "number"),
        Column("keeper", "field_keeper", 90, _raw("keeper"), private=True),
        Column("keeper_phone", "field_phone", 120, _raw("keeper_phone"), private=True),
        MOBILISE,
    )),
    "forces": TableSpec("forces", "table_forces", (
        CODE, NAME,
        Column("type", "field_type", 170, _vocab("type", FORCE_TYPES)),
        TOWNSHIP,
        Column("headcount", "field_headcount", 90, _raw("headcount"), "number"),
        Column("vehicles", "field_vehicles", 80, _raw("vehicles"), "number"),
        Column("boats", "field_boats", 90, _raw("boats"), "number"),
        Column("status", "field_status", 90, _vocab("status", FORCE_STATUSES)),
        Column("leader", "field_team_leader", 90, _raw("leader"), private=True),
        Column("leader_phone", "field_phone", 120, _raw("leader_phone"), private=True),
        MOBILISE,
    )),
    "command": TableSpec("command", "table_command", (
        CODE, NAME,
        Column("level", "field_level", 110, _vocab("level", COMMAND_LEVELS)),
        TOWNSHIP,
        Column("parent", "field_parent", 180, _parent),
        Column("status", "table_on_duty", 90, _vocab("status", NODE_STATUSES)),
        Column("duty_officer", "field_duty_officer", 100, _raw("duty_officer"), private=True),
        Column("duty_phone", "field_phone", 120, _raw("duty_phone"), private=True),
        Column("channels", "field_channels", 150, _channels),
        MOBILISE,
    )),
}  # fmt: skip
TABLE_KINDS = tuple(SPECS)

FILTERS = {
    "text": {"filter": "agTextColumnFilter",
             "filterParams": {"filterOptions": ["contains"], "maxNumConditions": 1}},
    "number": {"filter": "agNumberColumnFilter",
               "filterParams": {"filterOptions": ["greaterThanOrEqual", "lessThanOrEqual",
                                                  "equals"], "maxNumConditions": 1}},
}  # fmt: skip


NUMBER = {"function": "params.value == null ? '' : Number(params.value).toLocaleString()"}


def signed_in(principal: Principal | None) -> bool:
    """Whether names and phones may be shown: to anyone signed in, as elsewhere."""
    return principal is not None


def heading(column: Column, lang: str) -> str:
    """A column's header in the page's language (a stock item with its unit)."""
    if column.heading.startswith("stock:"):
        code = column.heading.removeprefix("stock:")
        item = next(i for i in MATERIAL_CATALOGUE if i.code == code)
        name, unit = (item.en, item.unit_en) if lang == "en" else (item.zh, item.unit_zh)
        return t("table_stock", lang).format(item=name, unit=unit)
    return t(column.heading, lang)


def column_defs(spec: TableSpec, lang: str, may_see_people: bool) -> list[dict]:
    """The grid's columns: every one sortable, a text or number filter where it helps."""
    defs = []
    for col in spec.shown(may_see_people):
        item = {"field": col.field, "colId": col.field, "headerName": heading(col, lang),
                "width": col.width, "minWidth": col.width, "sortable": True,
                "resizable": True}  # fmt: skip
        if col.filter:
            item |= FILTERS[col.filter]
        if col.filter == "number":
            item["valueFormatter"] = NUMBER
            item["type"] = "rightAligned"
        defs.append(item)
    defs[0]["pinned"] = "left"
    return defs


def picked_from(selected: dict | None) -> dict | None:
    """What a box or lasso on a map picked: ``{"townships": [...]}`` on township totals,
    ``{"codes": [...]}`` on points, None for nothing."""
    if not selected:
        return None
    values = [p.get("customdata") for p in selected.get("points") or []]
    values = [v[0] if isinstance(v, list) and v else v for v in values]
    towns = sorted({v.removeprefix("township:") for v in values
                    if isinstance(v, str) and v.startswith("township:")})  # fmt: skip
    if towns:
        return {"townships": towns}
    others = ("incident:", "outline:")  # what else answers a box: incidents, townships
    return {"codes": sorted({v for v in values if isinstance(v, str) and v
                             and not v.startswith(others)})}  # fmt: skip


def frame_for(spec: TableSpec, sel: Selection, picked: dict | None) -> pd.DataFrame:
    """The layer's rows the map's filter keeps, narrowed to the map's pick."""
    frame = getattr(sel, spec.kind)
    if picked and picked.get("townships"):
        frame = frame[frame["township_code"].isin(picked["townships"])]
    elif picked and picked.get("codes") is not None:
        frame = frame[frame["code"].isin(picked["codes"])]
    return frame


def rows(
    spec: TableSpec,
    frame: pd.DataFrame,
    lang: str,
    may_see_people: bool,
    every: pd.DataFrame | None = None,
) -> list[dict]:
    """The grid's rows: the shown columns in the page's words, and where the point is
    (``lon``, ``lat``) for the row click."""
    every = frame if every is None else every
    table = pd.DataFrame(
        {col.field: col.cells(frame, lang, every) for col in spec.shown(may_see_people)},
        index=frame.index,
    )
    table["lon"] = frame.geometry.x.round(6)
    table["lat"] = frame.geometry.y.round(6)
    table = table.astype(object).where(table.notna(), None)
    return table.to_dict("records")


def table_rows(
    spec: TableSpec, snap: Snapshot, flt: dict | None, picked: dict | None, lang: str,
    principal: Principal | None,
) -> list[dict]:  # fmt: skip
    """The rows the table shows for the desk's filter and the map's pick."""
    sel = snap.select(filter_from(flt))
    frame = frame_for(spec, sel, picked)
    return rows(spec, frame, lang, signed_in(principal), getattr(snap, spec.kind))


def workbook(spec: TableSpec, rows_: list[dict], lang: str, may_see_people: bool) -> bytes:
    """The rows as an .xlsx: the table's headers and cells, in the table's order."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = t(spec.title, lang)[:31]
    columns = spec.shown(may_see_people)
    sheet.append([heading(c, lang) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows_:
        sheet.append([row.get(c.field) for c in columns])
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def visible(all_rows: list[dict], shown: list[str] | None) -> list[dict]:
    """The server's rows that the grid shows (after its filters), in the grid's order.

    Only the codes and their order come from the browser: the cells come from the
    layer, so a forged list exports nothing the principal may not see.
    """
    if shown is None:
        return all_rows
    by_code = {r["code"]: r for r in all_rows}
    return [by_code[c] for c in shown if isinstance(c, str) and c in by_code]


def layer_revs(kind: str, revisions: dict) -> list:
    """The revisions a table's rows are drawn from: its layer's and the townships'
    (their names are in the rows)."""
    return [revisions.get(kind), revisions.get("townships")]


def layer_changed(kind: str, revs: dict | None, drawn: list | None) -> bool:
    """Whether the poll's revisions (the ``data-revisions`` store) differ from those
    the table was drawn from (nothing drawn yet: changed)."""
    return drawn is None or layer_revs(kind, (revs or {}).get("revs") or {}) != list(drawn)


def grid_locale(lang: str) -> dict:
    """The grid's own words in the page's language (AG Grid's are English)."""
    return {} if lang == "en" else dict(GRID_ZH)


# Every header whole: long ones wrap onto a second line instead of being cut off.
DEFAULT_COL = {"suppressHeaderMenuButton": True, "wrapHeaderText": True,
               "autoHeaderHeight": True}  # fmt: skip
# Rows as dense as a spreadsheet's: beside its map a table has half a panel, where
# the grid's own 42 px rows showed 4-7 of them under the ledger's figures and controls.
ROW_HEIGHT = 30


def pick_controls(kind: str, lang: str) -> list:
    """The map pick's note and its clear button (shared with the risk ledger)."""
    return [
        html.Span(id=ids.table_part(kind, "picked-note"), className="ledger-picked"),
        html.Button(
            t("ledger_clear", lang),
            id=ids.table_part(kind, "clear"),
            className="ledger-clear",
            hidden=True,
        ),
    ]


def section(spec: TableSpec, lang: str, principal: Principal | None) -> html.Section:
    """One map's table, empty until it is opened: at city scale the forces table alone
    is 35,000 rows (7.8 MB of JSON), which a page load must not carry for a table
    nobody opened (:func:`_register_table` fills it when its button opens it)."""
    kind, people = spec.kind, signed_in(principal)
    grid = dag.AgGrid(
        id=ids.table(kind),
        rowData=[],
        columnDefs=column_defs(spec, lang, people),
        columnSize="responsiveSizeToFit",  # the page's width, and never narrower than set
        defaultColDef=DEFAULT_COL | {"floatingFilter": False},
        getRowId="params.data.code",
        dashGridOptions={
            "rowSelection": {
                "mode": "singleRow",
                "checkboxes": False,
                "enableClickSelection": True,
            },
            "localeText": grid_locale(lang),
            "animateRows": False,
            "rowHeight": ROW_HEIGHT,
        },
        style={"height": "100%", "width": "100%"},
        className="ledger-grid record-grid",
    )
    return html.Section(
        [
            html.Div(
                [
                    html.H2(t(spec.title, lang)),
                    html.Span(
                        [html.B(id=ids.table_part(kind, "count")), " ", t("table_rows", lang)],
                        className="record-count",
                    ),
                    *pick_controls(kind, lang),
                    html.Button(
                        t("ledger_export", lang),
                        id=ids.table_part(kind, "export"),
                        className="ledger-export",
                    ),
                    dcc.Download(id=ids.table_part(kind, "download")),
                    html.Span(t("ledger_hint", lang), className="ledger-hint"),
                ],
                className="ledger-controls records-head",
            ),
            html.Div(grid, className="ledger-grid-box"),
            dcc.Store(id=ids.table_part(kind, "picked"), data=None),
            dcc.Store(id=ids.table_part(kind, "shown"), data=None),
            dcc.Store(id=ids.table_part(kind, "revs"), data=None),  # no rows drawn yet
            html.Div(id=ids.table_part(kind, "centred"), hidden=True),
        ],
        className="records",
        id=f"{kind}-records",
    )


def sections(lang: str, principal: Principal | None) -> dict[str, html.Section]:
    """The tables of the materials, forces and command maps, by map: each goes beside
    its map (:func:`dashboard.overview.layout`)."""
    return {kind: section(SPECS[kind], lang, principal) for kind in TABLE_KINDS}


def register_map_links(app: dash.Dash, kind: str) -> None:
    """A box or lasso on map ``kind`` picks the table's rows (a clear button undoes it),
    a note says how many; a row selected in the table centres the map and rings it."""
    picked_id, clear_id = ids.table_part(kind, "picked"), ids.table_part(kind, "clear")

    @app.callback(
        Output(picked_id, "data"),
        Input(ids.map_graph(kind), "selectedData"),
        Input(clear_id, "n_clicks"),
        prevent_initial_call=True,
    )
    def pick(selected: dict | None, _clear: int | None) -> dict | None:
        if dash.ctx.triggered_id == clear_id:
            return None
        return picked_from(selected)

    @app.callback(
        Output(ids.table_part(kind, "picked-note"), "children"),
        Output(clear_id, "hidden"),
        Input(picked_id, "data"),
        State(ids.LANG, "data"),
    )
    def picked_note(picked: dict | None, lang: str) -> tuple:
        if not picked:
            return "", True
        if picked.get("townships"):
            return t("ledger_picked_towns", lang).format(n=len(picked["townships"])), False
        return t("ledger_picked", lang).format(n=len(picked.get("codes") or [])), False

    app.clientside_callback(
        ClientsideFunction(namespace="fourmapsLedger", function_name="centre"),
        Output(ids.table_part(kind, "centred"), "title"),
        Input(ids.table(kind), "selectedRows"),
        State(ids.map_graph(kind), "id"),
        prevent_initial_call=True,
    )


def _register_table(app: dash.Dash, store: Store, spec: TableSpec) -> None:
    """The callbacks of one map's table (the factory :func:`register` calls per map)."""
    kind = spec.kind
    register_map_links(app, kind)

    @app.callback(
        Output(ids.table(kind), "rowData"),
        Output(ids.table_part(kind, "revs"), "data"),
        Input(ids.FILTER_LATE, "data"),
        Input(ids.REVS, "data"),
        Input(ids.table_part(kind, "picked"), "data"),
        Input(ids.table_part(kind, "toggle"), "aria-expanded"),
        State(ids.table_part(kind, "revs"), "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def refresh(flt: dict | None, revs: dict | None, picked: dict | None, opened: str | None,
                drawn: list | None, lang: str) -> tuple[list[dict], list]:  # fmt: skip
        """The table was opened, or while open the filter, the pick or this table's
        layer changed: every row again (the grid keeps its sort, filters and
        selection: rows are known by their code). A closed table, or another layer's
        change (a ledger step, an incident), sends nothing."""
        if opened != "true":
            raise PreventUpdate
        if dash.ctx.triggered_id == ids.REVS and not layer_changed(kind, revs, drawn):
            raise PreventUpdate
        try:
            snap = snapshot(store)
        except StoreUnavailable:
            raise PreventUpdate from None
        now = layer_revs(kind, {k: r.revision for k, r in snap.revisions.items()})
        return table_rows(spec, snap, flt, picked, lang, current_principal()), now

    # What the grid shows after its filters and sort: how many, and their codes for
    # the export (codes only: the request stays small at a few thousand rows).
    app.clientside_callback(
        "function (rows) { rows = rows || [];"
        " return [rows.length.toLocaleString(), rows.map(function (r) { return r.code; })]; }",
        Output(ids.table_part(kind, "count"), "children"),
        Output(ids.table_part(kind, "shown"), "data"),
        Input(ids.table(kind), "virtualRowData"),
    )

    @app.callback(
        Output(ids.table_part(kind, "download"), "data"),
        Input(ids.table_part(kind, "export"), "n_clicks"),
        State(ids.table_part(kind, "shown"), "data"),
        State(ids.FILTER, "data"),
        State(ids.table_part(kind, "picked"), "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def export(_n: int | None, shown: list[str] | None, flt: dict | None,
               picked: dict | None, lang: str) -> dict:  # fmt: skip
        """The rows the grid shows, as the layer holds them, to an .xlsx."""
        principal = current_principal()
        try:
            snap = snapshot(store)
        except StoreUnavailable:
            raise PreventUpdate from None
        every = table_rows(spec, snap, flt, picked, lang, principal)
        data = workbook(spec, visible(every, shown), lang, signed_in(principal))
        return dcc.send_bytes(data, f"{kind}-{date.today().isoformat()}.xlsx")


def register(app: dash.Dash, store: Store) -> None:
    """Wire the table of each of the materials, forces and command maps."""
    for kind in TABLE_KINDS:
        _register_table(app, store, SPECS[kind])
