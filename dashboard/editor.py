"""Editing on the desk screen: a form for any record, checked as the planner types.

The form is drawn from :data:`editing.fields.FIELDS`; what it saves goes
through :mod:`editing.records`, which checks the role again (a hand-made POST
to these callbacks meets the same rule) and writes the history. A location is
typed in WGS 84, CGCS2000 or GCJ-02 (decimal or 东经/北纬 DMS) or picked by
clicking any of the four maps. A save refused because someone else saved
first keeps the planner's entries on screen, says who and when, and offers to
save them over the latest version.

Open walls and desks show a saved change at their next poll (the store's
revision counters), with nothing else to do here.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from auth import Forbidden, Principal, Unauthenticated, can
from config import Settings
from dashboard import ids, imports
from dashboard.components import local_time
from dashboard.figures import level_label
from dashboard.i18n import STRINGS, name_of, t, term_label
from dashboard.incidents import hazard_summary, incident_actions
from dashboard.notices import refusal
from dispatch.hazards import inside_area
from dispatch.orders import open_incident
from domain import FORCE_TYPES, INCIDENT_TYPES, MATERIAL_CATALOGUE, term
from editing.coords import SYSTEMS, CoordinateError, parse_position
from editing.fields import CHANNELS, FIELDS, NOUNS, PERMISSION, Field
from editing.messages import Problem, say
from editing.records import (
    Conflict,
    InUse,
    Invalid,
    NotFound,
    create_record,
    delete_record,
    get_record,
    update_record,
)
from editing.validate import Context, clean
from store import Store, StoreUnavailable
from web.security import current_principal

# The map a record is drawn on, and back.
COLLECTION_OF = {
    "risk": "risk_points",
    "materials": "depots",
    "forces": "forces",
    "command": "command_nodes",
}
NEW_ORDER = (
    "incidents",
    "hazard_areas",
    "risk_points",
    "depots",
    "forces",
    "command_nodes",
    "response_activations",
    "weather_warnings",
)
LOCATION = ("lon", "lat", "system")
_COUNTS = ("boats", "vehicles")  # an incident's needs besides items and force types
_FOUND_FOR_NEW_INCIDENTS = {"code", "status", "reported_at", "reporter", "township_code"}
# Labels of fields whose name is not their label key.
_LABELS = {
    "name": "field_name",
    "township_code": "field_township",
    "responsible_person": "field_responsible",
    "responsible_phone": "field_phone",
    "supervising_leader": "field_leader",
    "people_threatened": "field_people",
    "households_threatened": "field_households",
    "rectification_status": "field_rectification",
    "rectification_deadline": "field_deadline",
    "last_inspection": "field_inspection",
    "keeper_phone": "field_phone",
    "mobilise_level": "field_mobilise",
    "leader_phone": "field_phone",
    "duty_phone": "field_phone",
    "parent_code": "field_parent",
    "jurisdiction_code": "field_jurisdiction",
    "geom": "field_location",
    "stock": "stock",
}


def label(collection: str, name: str, lang: str) -> str:
    """A field's label in ``lang``."""
    if collection == "forces" and name == "leader":
        return t("field_team_leader", lang)
    if collection == "incidents" and name == "type":
        return t("field_incident_type", lang)
    key = _LABELS.get(name, f"field_{name}")
    return t(key, lang) if key in STRINGS else name


# --- what a signed-in person is offered ---------------------------------------------


def toolbar(principal: Principal | None, lang: str) -> html.Div:
    """Adding records, the response and the deleted records, as the role allows."""
    allowed = [c for c in NEW_ORDER if can(principal, PERMISSION[c])]
    children: list = (
        [html.Button(t("incidents", lang), id=ids.INCIDENTS_OPEN, className="tool-button")]
        if principal is not None
        else []
    )
    if allowed:
        children.append(
            dcc.Dropdown(
                id=ids.EDIT_NEW,
                options=[{"label": t(f"edit_new_{c}", lang), "value": c} for c in allowed],
                placeholder=t("edit_new", lang),
                searchable=False,
                className="edit-new",
            )
        )
    if can(principal, "respond"):
        children += [
            html.Button(t("edit_response", lang), id=ids.RESPONSE_EDIT, className="tool-button"),
            html.Button(t("edit_warning", lang), id=ids.WARNING_EDIT, className="tool-button"),
        ]
    children += imports.open_button(principal, lang)
    if can(principal, "admin"):
        children.append(
            html.Button(t("deleted_title", lang), id=ids.DELETED_OPEN, className="tool-button")
        )
    return html.Div(children, id=ids.TOOLBAR, className="edit-toolbar")


def record_actions(collection: str, code: str, principal: Principal | None, lang: str) -> list:
    """Buttons under a record's details: edit and delete for those who may, history for all."""
    buttons = [html.Button(t("history", lang), id=ids.record_action("history", collection, code))]
    if can(principal, PERMISSION.get(collection, "admin")):
        buttons = [
            html.Button(
                t("edit", lang), id=ids.record_action("edit", collection, code), className="primary"
            ),
            *buttons,
            html.Button(
                t("delete", lang),
                id=ids.record_action("delete", collection, code),
                className="danger",
            ),
        ]
    return [html.Div(buttons, className="record-actions")]


# --- the form ----------------------------------------------------------------------


def form(
    collection: str,
    record: dict | None,
    context: Context,
    lang: str,
) -> list:
    """The form of a record (``None``: a new one), with a message slot under each field."""
    title = (
        t("edit_title", lang).format(name=_title(collection, record, lang))
        if record
        else t("edit_title_new", lang).format(what=NOUNS[collection][0 if lang == "zh" else 1])
    )
    rows: list = []
    for f in FIELDS[collection]:
        if collection == "incidents" and record is None and f.name in _FOUND_FOR_NEW_INCIDENTS:
            continue  # numbered, timed and placed by the operation
        if f.kind == "point":
            rows.append(_location_row(collection, record, lang))
        elif f.kind == "multipolygon" and collection == "hazard_areas":
            rows.append(_area_row(record, lang))
        elif f.kind == "multipolygon":
            rows.append(html.P(t("boundary_by_import", lang), className="hint"))
        elif f.kind == "stock":
            rows.append(_stock_rows(record, lang))
        elif f.kind == "needs":
            rows.append(_needs_rows(record, lang))
        else:
            rows.append(_field_row(collection, f, record, context, lang))
    state = {
        "collection": collection,
        "code": None if record is None else str(record.get("code", record.get("id"))),
        "version": None if record is None else record["version"],
    }
    return [
        html.H3(title),
        dcc.Store(id=ids.EDIT_STATE, data=state),
        html.Div(id=ids.EDIT_RESULT, className="edit-result"),
        html.Div(rows, className="edit-form"),
        html.Div(id=ids.EDIT_WARNINGS, className="edit-warnings"),
        html.Div(
            [
                html.Button(t("save", lang), id=ids.EDIT_SAVE, className="primary"),
                html.Button(t("cancel", lang), id=ids.EDIT_CANCEL),
            ],
            className="record-actions",
        ),
    ]


def _title(collection: str, record: dict, lang: str) -> str:
    if collection == "response_activations":
        return level_label(record["level"], lang)
    if collection == "weather_warnings":
        return str(record.get("event") or record.get("identifier"))
    if collection == "incidents":
        return f"{term_label(term(INCIDENT_TYPES, record['type']), lang)} · {record['code']}"
    return name_of(record, lang)


def _row(collection: str, name: str, widget: Any, lang: str, required: bool = False) -> html.Div:
    mark = html.Span(" *", className="required") if required else None
    return html.Div(
        [
            html.Label([label(collection, name, lang), mark], className="edit-label"),
            widget,
            html.Div(id=ids.edit_message(name), className="edit-msg"),
        ],
        className=f"edit-row edit-{name}",
    )


def _field_row(
    collection: str, f: Field, record: dict | None, context: Context, lang: str
) -> html.Div:
    value = _shown(record.get(f.name) if record else f.default)
    common = {"id": ids.edit_field(f.name)}
    if f.kind == "choice":
        assert f.vocab is not None
        widget = dcc.Dropdown(
            options=[{"label": term_label(term, lang), "value": term.key} for term in f.vocab],
            value=value or None,
            clearable=not f.required,
            **common,
        )
    elif f.kind == "level":
        widget = dcc.Dropdown(
            options=[{"label": level_label(n, lang), "value": n} for n in (4, 3, 2, 1)],
            value=int(value) if value not in (None, "") else None,
            clearable=False,
            **common,
        )
    elif f.kind == "ref":
        widget = dcc.Dropdown(
            options=_ref_options(f.ref or "", context, lang),
            value=value or None,
            clearable=not f.required,
            **common,
        )
    elif f.kind == "townships":
        widget = dcc.Dropdown(
            options=_ref_options("townships", context, lang),
            value=list(value or []),
            multi=True,
            **common,
        )
    elif f.kind == "bool":
        widget = dcc.RadioItems(
            options=[
                {"label": t("yes", lang), "value": True},
                {"label": t("no", lang), "value": False},
            ],
            value=bool(value) if value is not None else True,
            inline=True,
            **common,
        )
    elif f.kind == "channels":
        chosen = [c for c in str(value or "phone").split(",") if c]
        widget = dcc.Checklist(
            options=[{"label": t(f"channel_{c}", lang), "value": c} for c in CHANNELS],
            value=chosen,
            inline=True,
            **common,
        )
    else:
        placeholder = {"date": "2026-06-30", "datetime": "2026-06-26 14:00"}.get(f.kind, "")
        widget = dcc.Input(
            type="text",
            value="" if value is None else str(value),
            placeholder=placeholder,
            disabled=f.name == "code" and record is not None,
            maxLength=f.max_len,
            inputMode="decimal" if f.kind in ("int", "float") else None,
            **common,
        )
    return _row(collection, f.name, widget, lang, f.required)


def _shown(value: Any) -> Any:
    if isinstance(value, datetime):
        return local_time(value, "Asia/Shanghai", "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _ref_options(collection: str, context: Context, lang: str) -> list[dict]:
    if collection == "townships":
        frame = context.towns
    elif collection == "jurisdictions":
        frame = context.district
    else:  # command nodes: any node that can have children
        frame = context.store.read("command_nodes")
        frame = frame[frame["level"] != "village"]
    return [
        {"label": f"{name_of(row, lang)} · {row['code']}", "value": row["code"]}
        for row in frame.drop(columns="geom").to_dict("records")
    ]


def _location_row(collection: str, record: dict | None, lang: str) -> html.Div:
    geom = record.get("geom") if record else None
    lon, lat = ("", "") if geom is None else (f"{geom.x:.6f}", f"{geom.y:.6f}")
    return html.Div(
        [
            html.Label([t("field_location", lang), html.Span(" *", className="required")],
                       className="edit-label"),
            html.Div(
                [
                    dcc.Input(id=ids.edit_field("lon"), value=lon,
                              placeholder=t("field_lon", lang) + " 112.2391 / 东经112°14′21″"),
                    dcc.Input(id=ids.edit_field("lat"), value=lat,
                              placeholder=t("field_lat", lang) + " 30.3377 / 北纬30°20′16″"),
                ],
                className="edit-pair",
            ),
            dcc.RadioItems(
                id=ids.edit_field("system"),
                options=[{"label": t(f"system_{s}", lang), "value": s} for s in SYSTEMS],
                value="wgs84",
                inline=True,
                className="edit-system",
            ),
            html.Div(
                [
                    html.Button(t("pick_on_map", lang), id=ids.EDIT_PICK, type="button"),
                    html.Span(id=ids.EDIT_PICK_STATUS, className="hint",
                              **{"data-text": t("picking", lang)}),
                ],
                className="edit-pick",
            ),
            html.Div(id=ids.edit_message("geom"), className="edit-msg"),
        ],
        className="edit-row edit-geom",
    )  # fmt: skip


def _area_row(record: dict | None, lang: str) -> html.Div:
    """A hazard area's outline: drawn by clicking the map (double-click ends), or typed
    as ``lon,lat`` corners one per line."""
    geom = (record or {}).get("geom")
    corners = ""
    if geom is not None:
        ring = max(geom.geoms, key=lambda g: g.area).exterior.coords[:-1]
        corners = "\n".join(f"{x:.6f},{y:.6f}" for x, y in ring)
    return html.Div(
        [
            html.Label([t("field_area", lang), html.Span(" *", className="required")],
                       className="edit-label"),
            dcc.Textarea(id=ids.edit_field("area"), value=corners, className="edit-area",
                         placeholder="112.2010,30.3520\n112.2110,30.3520\n112.2060,30.3600"),
            html.Div(
                [
                    html.Button(t("draw_on_map", lang), id=ids.EDIT_DRAW, type="button"),
                    html.Span(id=ids.EDIT_DRAW_STATUS, className="hint",
                              **{"data-text": t("drawing", lang)}),
                ],
                className="edit-pick",
            ),
            html.Div(id=ids.edit_message("geom"), className="edit-msg"),
        ],
        className="edit-row edit-geom",
    )  # fmt: skip


def _area(text: str) -> dict:
    """Corners typed or drawn (``lon,lat`` per line) as a GeoJSON polygon."""
    corners = []
    for line in text.replace(";", "\n").splitlines():
        if line.strip():
            lon, lat = (float(v) for v in line.replace("，", ",").split(",")[:2])
            corners.append([lon, lat])
    if len(corners) < 3:
        raise ValueError("a polygon needs three corners")
    return {"type": "Polygon", "coordinates": [[*corners, corners[0]]]}


def _stock_rows(record: dict | None, lang: str) -> html.Div:
    stock = (record or {}).get("stock") or {}
    rows = [
        html.Tr(
            [
                html.Th(item.en if lang == "en" else item.zh),
                html.Td(
                    dcc.Input(
                        id=ids.edit_stock(item.code),
                        value=_quantity(stock.get(item.code, 0)),
                        inputMode="decimal",
                        className="stock-input",
                    )
                ),
                html.Td(item.unit_en if lang == "en" else item.unit_zh, className="unit"),
            ]
        )
        for item in MATERIAL_CATALOGUE
    ]
    return html.Div(
        [
            html.Label(t("stock", lang), className="edit-label"),
            html.Table(rows, className="record stock-table"),
            html.Div(id=ids.edit_message("stock"), className="edit-msg"),
        ],
        className="edit-row edit-stock-rows",
    )


def _needs_rows(record: dict | None, lang: str) -> html.Div:
    """What an incident needs: items in their units, force types by headcount, boats, vehicles.

    The inputs share the stock inputs' pattern (``force:<type>`` for forces), so the
    form's callbacks read them as they read a depot's stock."""
    needs = json.loads((record or {}).get("needs") or "{}")
    items, forces = needs.get("items", {}), needs.get("forces", {})

    def row(label_text: str, key: str, value: object, unit: str) -> html.Tr:
        return html.Tr(
            [
                html.Th(label_text),
                html.Td(dcc.Input(id=ids.edit_stock(key), value=_quantity(value or 0),
                                  inputMode="decimal", className="stock-input")),
                html.Td(unit, className="unit"),
            ]
        )  # fmt: skip

    item_rows = [
        row(item.en if lang == "en" else item.zh, item.code, items.get(item.code),
            item.unit_en if lang == "en" else item.unit_zh)
        for item in MATERIAL_CATALOGUE
    ]  # fmt: skip
    force_rows = [
        row(term_label(kind, lang), f"force:{kind.key}", forces.get(kind.key), t("headcount", lang))
        for kind in FORCE_TYPES
    ]
    counts = [
        row(t("fig_force_boats", lang), "boats", needs.get("boats"), ""),
        row(t("fig_vehicles", lang), "vehicles", needs.get("vehicles"), ""),
    ]
    return html.Div(
        [
            html.Label(t("field_needs", lang), className="edit-label"),
            html.Table(item_rows + force_rows + counts, className="record stock-table"),
            html.Div(id=ids.edit_message("needs"), className="edit-msg"),
        ],
        className="edit-row edit-needs-rows",
    )


def _quantity(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- from the form to values, and problems back to the form --------------------------


def form_values(
    collection: str, fields: list[dict], stock: list[dict]
) -> tuple[dict, list[Problem]]:
    """What the form holds, as values for :func:`editing.validate.clean`.

    ``fields``/``stock`` are Dash's ALL-pattern ``State`` lists (id and value).
    The location is read here (any system, DMS); its problems come back at once.
    """
    given = {item["id"]["name"]: item.get("value") for item in fields}
    problems: list[Problem] = []
    values = {k: v for k, v in given.items() if k not in LOCATION}
    if "lon" in given:
        lon, lat = str(given.get("lon") or ""), str(given.get("lat") or "")
        if lon.strip() or lat.strip():
            try:
                point = parse_position(lon, lat, given.get("system") or "wgs84")
                values["geom"] = {"type": "Point", "coordinates": [point.lon, point.lat]}
            except CoordinateError as exc:
                problems.append(Problem("geom", exc.code, exc.params))
        else:
            values["geom"] = None
    if "area" in given:
        values.pop("area")
        try:
            values["geom"] = _area(str(given.get("area") or ""))
        except ValueError:
            problems.append(
                Problem(
                    "geom", "bad_geometry", {"kind": "polygon", "kind_zh": "面（至少三个角点）"}
                )
            )
    if any(f.kind == "stock" for f in FIELDS[collection]):
        values["stock"] = {item["id"]["item"]: item.get("value") or 0 for item in stock}
    if any(f.kind == "needs" for f in FIELDS[collection]):
        typed = {item["id"]["item"]: item.get("value") or 0 for item in stock}
        values["needs"] = {
            "items": {k: v for k, v in typed.items() if ":" not in k and k not in _COUNTS},
            "forces": {k.split(":", 1)[1]: v for k, v in typed.items() if k.startswith("force:")},
            **{k: typed.get(k, 0) for k in _COUNTS},
        }
    return values, problems


def _messages(names: list[str], problems: list[Problem], lang: str) -> list:
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem.say(lang))
    return [" ".join(by_field.get(name, [])) or None for name in names]


def _warnings(warnings: list[Problem], lang: str) -> Any:
    if not warnings:
        return None
    return html.Div(
        [html.Strong(t("warnings", lang)), html.Ul([html.Li(w.say(lang)) for w in warnings])],
        className="warning-list",
    )


def _conflict(
    error: Conflict, collection: str, mine: dict, settings: Settings, lang: str
) -> html.Div:
    current = error.current or {}
    when = current.get("updated_at")
    shown = local_time(when, settings.timezone, "%m-%d %H:%M:%S") if when else "—"
    changed = [
        label(collection, k, lang)
        for k, v in mine.items()
        if k in current and k != "geom" and _shown(current[k]) != v and v not in (None, "")
    ]
    parts: list = [
        html.P(t("conflict", lang).format(who=current.get("updated_by") or "—", when=shown))
    ]
    if changed:
        parts.append(html.P(t("conflict_fields", lang).format(fields="、".join(changed[:8]))))
    parts.append(html.Button(t("reapply", lang), id=ids.EDIT_REAPPLY, className="primary"))
    return html.Div(parts, className="edit-refused edit-conflict", role="alert")


def _done(collection: str, record: dict, text: str, principal: Principal | None,
          warnings: list[Problem], lang: str) -> list:  # fmt: skip
    code = str(record.get("code", record.get("id")))
    name = _title(collection, record, lang)
    return [
        html.Div(
            text.format(name=name, version=record.get("version")),
            className="edit-done",
            role="status",
        ),
        _warnings(warnings, lang),
        *(
            incident_actions(code, principal, lang)
            if collection == "incidents"
            else record_actions(collection, code, principal, lang)
        ),
    ]


# --- callbacks -----------------------------------------------------------------------


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    """Open, check, save, cancel and delete; all on the desk's details panel."""

    def context() -> Context:
        return Context(store, settings.timezone)

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Output(ids.EDITING, "data", allow_duplicate=True),
        Output(ids.EDIT_NEW, "value"),
        Input(ids.EDIT_NEW, "value"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def open_new(collection: str | None, lang: str) -> tuple:
        """Add a record: an empty form."""
        if not collection or collection not in FIELDS:
            return no_update, no_update, no_update
        if not can(current_principal(), PERMISSION[collection]):
            return [refusal(Forbidden(current_principal(), "edit"), lang)], None, None
        return form(collection, None, context(), lang), {"collection": collection}, None

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Output(ids.EDITING, "data", allow_duplicate=True),
        Input(ids.RESPONSE_EDIT, "n_clicks"),
        Input(ids.WARNING_EDIT, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def open_in_force(_response: int | None, _warning: int | None, lang: str) -> tuple:
        """The response or the newest weather warning in force, to change or end."""
        principal = current_principal()
        collection = (
            "response_activations" if ctx.triggered_id == ids.RESPONSE_EDIT else "weather_warnings"
        )
        if not can(principal, PERMISSION[collection]):
            return [refusal(Forbidden(principal, "respond"), lang)], None
        try:
            if collection == "response_activations":
                now = store.current_activation()
                code = None if now is None else str(now["id"])
            else:
                now = store.current_warnings()
                code = None if now.empty else str(now["identifier"].iloc[0])
            record = store.records.get(collection, code) if code else None
        except StoreUnavailable as exc:
            return [refusal(exc, lang)], None
        if record is None:  # nothing in force: declare one
            return form(collection, None, context(), lang), {"collection": collection}
        return form(collection, record, context(), lang), {"collection": collection, "code": code}

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Output(ids.EDITING, "data", allow_duplicate=True),
        Input(ids.record_action("edit", ALL, ALL), "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def open_edit(clicks: list, lang: str) -> tuple:
        """Edit a record: its form, as the store holds it now."""
        button = ctx.triggered_id
        if not button or not any(clicks):
            return no_update, no_update
        principal = current_principal()
        collection, code = button["collection"], button["code"]
        try:
            record = get_record(store, principal, collection, code)
        except (NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)], None
        if not can(principal, PERMISSION[collection]):
            return [refusal(Forbidden(principal, "edit"), lang)], None
        return form(collection, record, context(), lang), {"collection": collection, "code": code}

    @app.callback(
        Output(ids.edit_message(ALL), "children"),
        Output(ids.EDIT_WARNINGS, "children"),
        Input(ids.edit_field(ALL), "value"),
        Input(ids.edit_stock(ALL), "value"),
        State(ids.edit_field(ALL), "id"),
        State(ids.edit_stock(ALL), "id"),
        State(ids.EDIT_STATE, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def check(values: list, quantities: list, field_ids: list, stock_ids: list,
              state: dict, lang: str) -> tuple:  # fmt: skip
        """As the planner types: what is wrong, field by field, and what to look at twice."""
        names = [o["id"]["name"] for o in ctx.outputs_list[0]]
        if not state:
            return [None] * len(names), None
        fields = [{"id": i, "value": v} for i, v in zip(field_ids, values, strict=True)]
        stock = [{"id": i, "value": v} for i, v in zip(stock_ids, quantities, strict=True)]
        collection = state["collection"]
        given, problems = form_values(collection, fields, stock)
        try:
            current = store.records.get(collection, state["code"]) if state.get("code") else None
            checked = clean(collection, given, context(), current=current)
        except StoreUnavailable:
            return [None] * len(names), None
        # Only what the planner has touched is judged; a new form starts quiet.
        touched = {item["prop_id"].split(".")[0] for item in ctx.triggered}
        touched_names = {_name_of(prop) for prop in touched}
        shown = [
            p for p in problems + checked.problems
            if state.get("code") or p.field in touched_names or _filled(p.field, given)
        ]  # fmt: skip
        return _messages(names, shown, lang), _warnings(checked.warnings, lang)

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Output(ids.EDITING, "data", allow_duplicate=True),
        Output(ids.EDIT_RESULT, "children"),
        Output(ids.edit_message(ALL), "children", allow_duplicate=True),
        Output(ids.EDIT_STATE, "data"),
        Input(ids.EDIT_SAVE, "n_clicks"),
        State(ids.edit_field(ALL), "value"),
        State(ids.edit_stock(ALL), "value"),
        State(ids.edit_field(ALL), "id"),
        State(ids.edit_stock(ALL), "id"),
        State(ids.EDIT_STATE, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def save(clicks: int | None, values: list, quantities: list, field_ids: list,
             stock_ids: list, state: dict, lang: str) -> tuple:  # fmt: skip
        """Save through the editing operation (which checks the role and writes the history)."""
        names = [o["id"]["name"] for o in ctx.outputs_list[3]]
        quiet = [no_update] * len(names)
        if not clicks or not state:
            return no_update, no_update, no_update, quiet, no_update
        principal = current_principal()
        collection = state["collection"]
        fields = [{"id": i, "value": v} for i, v in zip(field_ids, values, strict=True)]
        stock = [{"id": i, "value": v} for i, v in zip(stock_ids, quantities, strict=True)]
        given, problems = form_values(collection, fields, stock)
        if problems:  # the location cannot be read: say so, and what else is wrong
            with contextlib.suppress(StoreUnavailable):
                code = state.get("code")
                current = store.records.get(collection, code) if code else None
                problems += clean(collection, given, context(), current=current).problems
            return (
                no_update,
                no_update,
                refusal(Invalid(problems), lang),
                _messages(names, problems, lang),
                no_update,
            )
        try:
            if state.get("code"):
                saved = update_record(
                    store, principal, collection, state["code"], given, state["version"],
                    timezone=settings.timezone,
                )  # fmt: skip
                text = t("saved", lang)
            elif collection == "incidents":  # numbered, timed and signed by the operation
                saved = open_incident(store, principal, given, settings.timezone)
                text = t("created", lang)
            else:
                saved = create_record(
                    store, principal, collection, given, timezone=settings.timezone
                )
                text = t("created", lang)
        except Invalid as exc:
            return (
                no_update,
                no_update,
                refusal(exc, lang),
                _messages(names, exc.problems, lang),
                no_update,
            )
        except Conflict as exc:
            mine = {item["id"]["name"]: item.get("value") for item in fields}
            latest = {**state, "latest": (exc.current or {}).get("version")}
            return (
                no_update,
                no_update,
                _conflict(exc, collection, mine, settings, lang),
                quiet,
                latest,
            )
        except (Forbidden, Unauthenticated, NotFound, StoreUnavailable) as exc:
            return no_update, no_update, refusal(exc, lang), quiet, no_update
        done = _done(collection, saved.record, text, principal, saved.warnings, lang)
        if collection == "hazard_areas":  # what the area holds: who is threatened, what cut off
            with contextlib.suppress(StoreUnavailable):
                done += hazard_summary(inside_area(store, principal, saved.record["geom"]), lang)
        return done, None, no_update, quiet, no_update

    @app.callback(
        Output(ids.EDIT_STATE, "data", allow_duplicate=True),
        Output(ids.EDIT_RESULT, "children", allow_duplicate=True),
        Output(ids.EDIT_SAVE, "n_clicks"),
        Input(ids.EDIT_REAPPLY, "n_clicks"),
        State(ids.EDIT_STATE, "data"),
        State(ids.EDIT_SAVE, "n_clicks"),
        prevent_initial_call=True,
    )
    def reapply(clicks: int | None, state: dict, saves: int | None) -> tuple:
        """Take the latest version as the one these entries change, and save them again."""
        if not clicks or not state or state.get("latest") is None:
            return no_update, no_update, no_update
        return {**state, "version": state["latest"], "latest": None}, None, (saves or 0) + 1

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Output(ids.EDITING, "data", allow_duplicate=True),
        Input(ids.EDIT_CANCEL, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def cancel(clicks: int | None, lang: str) -> tuple:
        if not clicks:
            return no_update, no_update
        return [html.P(t("record_hint", lang))], None

    @app.callback(
        Output(ids.DELETE_CONFIRM, "displayed"),
        Output(ids.DELETE_CONFIRM, "message"),
        Output(ids.DELETE_TARGET, "data"),
        Input(ids.record_action("delete", ALL, ALL), "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def ask_delete(clicks: list, lang: str) -> tuple:
        """Deleting asks first (the browser's own dialog)."""
        button = ctx.triggered_id
        if not button or not any(clicks):
            return no_update, no_update, no_update
        try:
            record = store.records.get(button["collection"], button["code"])
        except StoreUnavailable:
            return no_update, no_update, no_update
        name = _title(button["collection"], record, lang) if record else button["code"]
        target = {"collection": button["collection"], "code": button["code"],
                  "version": record["version"] if record else None}  # fmt: skip
        return True, t("confirm_delete", lang).format(name=name), target

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Output(ids.EDITING, "data", allow_duplicate=True),
        Input(ids.DELETE_CONFIRM, "submit_n_clicks"),
        State(ids.DELETE_TARGET, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def confirm_delete(clicks: int | None, target: dict | None, lang: str) -> tuple:
        if not clicks or not target or target.get("version") is None:
            return no_update, no_update
        try:
            gone = delete_record(
                store,
                current_principal(),
                target["collection"],
                target["code"],
                target["version"],
            )
        except Conflict as exc:
            return [_conflict(exc, target["collection"], {}, settings, lang)], None
        except (InUse, NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)], None
        text = t("deleted", lang).format(name=_title(target["collection"], gone, lang))
        return [html.Div(text, className="edit-done", role="status")], None

    # Picking a location on any map (assets/fourmaps.js listens for the map's click).
    app.clientside_callback(
        dash.ClientsideFunction(namespace="fourmaps", function_name="drawArea"),
        Output(ids.EDIT_DRAW_STATUS, "children"),
        Input(ids.EDIT_DRAW, "n_clicks"),
        State(ids.EDIT_DRAW_STATUS, "data-text"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        dash.ClientsideFunction(namespace="fourmaps", function_name="pickLocation"),
        Output(ids.EDIT_PICK_STATUS, "children"),
        Input(ids.EDIT_PICK, "n_clicks"),
        State(ids.EDIT_PICK_STATUS, "data-text"),
        prevent_initial_call=True,
    )


def _name_of(prop: str) -> str:
    """The field a triggered pattern id names (``{"name":"lon",...}`` -> ``geom``)."""
    if not prop.startswith("{"):
        return prop
    key = json.loads(prop)
    name = key.get("name") or ("stock" if "item" in key else "")
    return "geom" if name in LOCATION else name


def _filled(field: str, given: dict) -> bool:
    value = given.get(field)
    return value not in (None, "", [], {}) and field != "stock"


def page_parts() -> list:
    """What the desk carries for editing whether or not a form is open."""
    return [
        dcc.ConfirmDialog(id=ids.DELETE_CONFIRM),
        dcc.Store(id=ids.DELETE_TARGET),
    ]


def validation_components() -> list:
    """Components the callbacks above refer to, for Dash's layout check."""
    return [
        *page_parts(),
        dcc.Dropdown(id=ids.EDIT_NEW),
        dcc.Store(id=ids.EDIT_STATE),
        html.Div(id=ids.EDIT_RESULT),
        html.Div(id=ids.EDIT_WARNINGS),
        html.Button(id=ids.EDIT_SAVE),
        html.Button(id=ids.EDIT_CANCEL),
        html.Button(id=ids.EDIT_REAPPLY),
        html.Button(id=ids.EDIT_PICK),
        html.Span(id=ids.EDIT_PICK_STATUS),
        html.Button(id=ids.EDIT_DRAW),
        html.Span(id=ids.EDIT_DRAW_STATUS),
        html.Button(id=ids.DELETED_OPEN),
        html.Button(id=ids.RESPONSE_EDIT),
        html.Button(id=ids.WARNING_EDIT),
    ]


__all__ = ["COLLECTION_OF", "form", "record_actions", "register", "say", "toolbar"]
