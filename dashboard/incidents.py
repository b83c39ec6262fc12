"""The duty officer's side of the desk: open incidents, their proposal, the dispatch, its log.

An incident is opened with the editor's form (its needs included); from it,
the recommendation lists depots and forces by travel time with a box to
untick each, what is still short, the command chain and the nearest village
station. Confirming calls :func:`dispatch.orders.dispatch` with a key made
when the proposal was drawn, so a double-click dispatches once. The log moves
orders on (en route, on site, returned; consumed; cancelled).
"""

from __future__ import annotations

import json
import uuid

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from auth import Forbidden, Principal, Unauthenticated, can
from config import Settings
from dashboard import ids
from dashboard.figures import level_label
from dashboard.i18n import t, term_label
from dashboard.notices import refusal
from dispatch.hazards import Inside
from dispatch.orders import Refused, dispatch, incident, move_order, orders, recommendation
from dispatch.recommend import DETOUR, FALLBACK_KMH
from domain import (
    COMMAND_LEVELS,
    FORCE_TYPES,
    INCIDENT_TYPES,
    MATERIAL_CATALOGUE,
    ORDER_STATUSES,
    term,
)
from editing.records import Invalid, NotFound
from store import Store, StoreUnavailable
from store.dispatch import NEXT_STATUS
from web.security import current_principal

_ITEM = {i.code: i for i in MATERIAL_CATALOGUE}


def incident_actions(code: str, principal: Principal | None, lang: str) -> list:
    """Under an incident: its proposal (to dispatch from), its log, its printable sheet."""
    buttons = [
        html.Button(
            t("recommend", lang),
            id=ids.incident_action("recommend", code),
            className="primary" if can(principal, "respond") else None,
        ),
        html.Button(t("dispatch_log", lang), id=ids.incident_action("log", code)),
        html.A(
            t("print_sheet", lang),
            href=f"/incidents/{code}/sheet?lang={lang}",
            target="_blank",
            className="tool-button",
        ),
    ]
    return [html.Div(buttons, className="record-actions")]


def _minutes(seconds: float, lang: str) -> str:
    if seconds is None or seconds < 0 or seconds == float("inf"):
        return t("unreachable", lang)
    return t("minutes", lang).format(m=max(1, round(seconds / 60)))


def _status(status: str, lang: str) -> str:
    return term_label(term(ORDER_STATUSES, status), lang)


def _item(code: str, quantity: float, lang: str) -> str:
    item = _ITEM.get(code)
    if item is None:
        return f"{code} {quantity:g}"
    name, unit = (item.en, item.unit_en) if lang == "en" else (item.zh, item.unit_zh)
    return (
        f"{name} {quantity:,.0f}{unit}"
        if float(quantity).is_integer()
        else f"{name} {quantity:g}{unit}"
    )


def _need_name(code: str, lang: str) -> str:
    if code in _ITEM:
        item = _ITEM[code]
        return item.en if lang == "en" else item.zh
    try:
        return term_label(term(FORCE_TYPES, code), lang)
    except KeyError:
        return t("fig_force_boats", lang) if code == "boats" else t("fig_vehicles", lang)


def proposal_panel(record: dict, got: dict, principal: Principal | None, lang: str) -> list:
    """The recommendation, with a box to untick each resource, and the confirm button."""
    kind = term_label(term(INCIDENT_TYPES, record["type"]), lang)
    routing = (
        t("routing_road", lang).format(closed=got["closed_roads"])
        if got["routing"] == "road"
        else t("routing_straight", lang).format(detour=DETOUR, kmh=FALLBACK_KMH)
    )
    level = (
        t("level_used", lang).format(level=level_label(got["level"], lang))
        if got["level"]
        else t("level_all", lang)
    )
    depots = [
        {
            "label": f"{d['name']} · {_minutes(d['travel_s'], lang)} · "
            + "、".join(_item(k, v, lang) for k, v in d["take"].items()),
            "value": d["code"],
        }
        for d in got["depots"]
    ]
    forces = [
        {
            "label": f"{f['name']} · {_minutes(f['travel_s'], lang)} · {f['headcount']}"
            f"{'' if lang == 'en' else '人'}"
            + (f" · {t('fig_force_boats', lang)} {f['boats']}" if f["boats"] else ""),
            "value": f["code"],
        }
        for f in got["forces"]
    ]
    short = [
        html.Li(
            f"{_need_name(k, lang)} {v:,}" if isinstance(v, int) else f"{_need_name(k, lang)} {v}"
        )
        for k, v in got["short"].items()
    ]
    chain = [
        html.Li(
            [
                f"{term_label(term(COMMAND_LEVELS, n['level']), lang)} · {n['name']} · "
                f"{n['duty_officer']} ",
                html.Span(n["phone"], className="phone"),
            ]
        )
        for n in got["chain"]
    ]
    station = got.get("station")
    may = can(principal, "respond")
    body: list = [
        html.H3(f"{kind} · {record['code']}"),
        html.P(routing, className="hint"),
        html.Div(
            [
                html.Span(level, className="hint"),
                dcc.Checklist(
                    id=ids.DISPATCH_WIDEN,
                    options=[{"label": t("widen", lang), "value": "all"}],
                    value=["all"] if got["level"] is None else [],
                    inline=True,
                ),
            ],
            className="dispatch-level",
        ),
        html.H4(t("depots_proposed", lang)),
        dcc.Checklist(
            id=ids.DISPATCH_DEPOTS,
            options=depots,
            value=[d["value"] for d in depots],
            className="dispatch-list",
            labelStyle={"display": "block"},
        ),
        html.H4(t("forces_proposed", lang)),
        dcc.Checklist(
            id=ids.DISPATCH_FORCES,
            options=forces,
            value=[f["value"] for f in forces],
            className="dispatch-list",
            labelStyle={"display": "block"},
        ),
        html.H4(t("short_title", lang)),
        html.Ul(short, className="short") if short else html.P(t("nothing_short", lang)),
        html.H4(t("chain_here", lang)),
        html.Ol(chain, className="chain"),
    ]
    if station:
        body += [
            html.H4(t("station_nearest", lang)),
            html.P(
                [
                    f"{station['name']} · {station['duty_officer']} ",
                    html.Span(station["phone"], className="phone"),
                    f" · {_minutes(station['travel_s'], lang)}",
                ]
            ),
        ]
    body += [
        dcc.Store(
            id=ids.DISPATCH_PLAN,
            data={
                "code": record["code"],
                "depots": got["depots"],
                "key": uuid.uuid4().hex,
                "widened": got["level"] is None,
            },
        ),
        html.Div(id=ids.DISPATCH_RESULT, className="edit-result"),
    ]
    if may:
        body.append(
            html.Div(
                html.Button(
                    t("confirm_dispatch", lang), id=ids.DISPATCH_CONFIRM, className="primary"
                ),
                className="record-actions",
            )
        )
    return body


def log_panel(record: dict, rows: list[dict], principal: Principal | None, lang: str) -> list:
    """Every order of an incident, with the moves its status allows."""
    items = []
    for order in rows:
        if order["kind"] == "material":
            what = f"{order['depot_code']} → {_item(order['item_code'], order['quantity'], lang)}"
        else:
            what = (
                f"{order['force_code']} · {order['headcount'] or 0}{'' if lang == 'en' else '人'}"
            )
        moves = (
            NEXT_STATUS[order["kind"]].get(order["status"], ()) if can(principal, "respond") else ()
        )
        items.append(
            html.Li(
                [
                    html.Div(f"#{order['id']} {what}", className="history-head"),
                    html.Div(
                        f"{t('field_status', lang)}: {_status(order['status'], lang)}"
                        f" · {_minutes(order['travel_s'], lang)}",
                        className="history-note",
                    ),
                    html.Div(
                        [
                            html.Button(
                                t(f"status_to_{m}", lang), id=ids.order_action(order["id"], m)
                            )
                            for m in moves
                        ],
                        className="record-actions",
                    )
                    if moves
                    else None,
                ],
                className="history-entry",
            )
        )
    return [
        html.H3(f"{t('dispatch_log', lang)} · {record['code']}"),
        html.Ol(items, className="history") if items else html.P(t("history_empty", lang)),
        *incident_actions(record["code"], principal, lang),
    ]


def hazard_summary(inside: Inside, lang: str) -> list:
    """What lies inside a hazard area: people threatened, what may be cut off."""

    def names(rows: list[dict]) -> str:
        shown = "、".join(r["name"] for r in rows[:8])
        return shown + (" …" if len(rows) > 8 else "")

    parts = [
        (t("inside_risk", lang).format(n=len(inside.risk), people=f"{inside.people:,}",
                                        households=f"{inside.households:,}"), inside.risk),
        (t("inside_depots", lang).format(n=len(inside.depots)), inside.depots),
        (t("inside_forces", lang).format(n=len(inside.forces)), inside.forces),
        (t("inside_stations", lang).format(n=len(inside.stations)), inside.stations),
    ]  # fmt: skip
    return [
        html.H4(t("inside_title", lang)),
        html.Ul(
            [html.Li([html.Strong(text), html.Div(names(rows), className="hint")] if rows else text)
             for text, rows in parts],
            className="inside",
        ),
    ]  # fmt: skip


def incident_summary(store: Store, code: str, principal: Principal | None, lang: str) -> list:
    """An incident clicked on a map: what it is, what it needs, what to do next."""
    try:
        record = incident(store, principal, code)
    except (NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
        return [refusal(exc, lang)]
    needs = json.loads(record["needs"] or "{}")
    wanted = [_item(k, v, lang) for k, v in (needs.get("items") or {}).items()]
    wanted += [f"{_need_name(k, lang)} {v}" for k, v in (needs.get("forces") or {}).items()]
    wanted += [f"{_need_name(k, lang)} {needs[k]}" for k in ("boats", "vehicles") if needs.get(k)]
    kind = term_label(term(INCIDENT_TYPES, record["type"]), lang)
    return [
        html.H3(f"{kind} · {record['code']}"),
        html.P(record["description"] or "—"),
        html.P("、".join(wanted) or "—", className="hint"),
        *incident_actions(record["code"], principal, lang),
    ]


def open_list(store: Store, principal: Principal | None, lang: str) -> list:
    frame = store.read("incidents", where={"status": "open"})
    rows = [
        html.Li(
            [
                html.Div(
                    f"{term_label(term(INCIDENT_TYPES, r['type']), lang)} · {r['code']}",
                    className="history-head",
                ),
                html.Div(r["description"] or "—", className="history-note"),
                *incident_actions(r["code"], principal, lang),
            ],
            className="history-entry",
        )
        for r in frame.drop(columns="geom").to_dict("records")
    ]
    return [
        html.H3(t("incidents", lang)),
        html.Ol(rows, className="history") if rows else html.P(t("incidents_none", lang)),
    ]


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.INCIDENTS_OPEN, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def show_open(clicks: int | None, lang: str) -> list:
        if not clicks:
            return no_update
        try:
            return open_list(store, current_principal(), lang)
        except StoreUnavailable as exc:
            return [refusal(exc, lang)]

    def panel(action: str, code: str, widen: bool, lang: str) -> list:
        principal = current_principal()
        try:
            record = incident(store, principal, code)
            if action == "log":
                return log_panel(record, orders(store, principal, code), principal, lang)
            got = recommendation(store, principal, code, widen=widen)
        except (NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)]
        return proposal_panel(record, got.as_json(), principal, lang)

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.incident_action(ALL, ALL), "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def act(clicks: list, lang: str) -> list:
        """An incident's proposal, or its log."""
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            return no_update
        return panel(trigger["action"], trigger["code"], False, lang)

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.DISPATCH_WIDEN, "value"),
        State(ids.DISPATCH_PLAN, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def widen(value: list | None, plan: dict | None, lang: str) -> list:
        """The same proposal, beyond (or back within) what the response in force mobilises."""
        if not plan or bool(value) == plan.get("widened", False):
            return no_update
        return panel("recommend", plan["code"], bool(value), lang)

    @app.callback(
        Output(ids.DISPATCH_RESULT, "children"),
        Output(ids.DISPATCH_CONFIRM, "disabled"),
        Input(ids.DISPATCH_CONFIRM, "n_clicks"),
        State(ids.DISPATCH_DEPOTS, "value"),
        State(ids.DISPATCH_FORCES, "value"),
        State(ids.DISPATCH_PLAN, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def confirm(clicks: int | None, depots: list, forces: list, plan: dict, lang: str) -> tuple:
        """Dispatch what stays ticked; the key makes a second click find the first."""
        if not clicks or not plan:
            return no_update, no_update
        takes = [
            {"code": d["code"], "take": d["take"]}
            for d in plan["depots"]
            if d["code"] in (depots or [])
        ]
        try:
            done = dispatch(
                store, current_principal(), plan["code"], plan["key"], takes, forces or []
            )
        except Refused as exc:
            what = "、".join(f"{k} ({v})" for k, v in exc.short.items())
            return html.Div(
                t("dispatch_refused", lang).format(what=what),
                className="edit-refused",
                role="alert",
            ), False
        except (Invalid, NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return refusal(exc, lang), False
        text = (
            t("dispatched", lang).format(n=len(done.orders))
            if done.created
            else t("already_dispatched", lang)
        )
        return html.Div(
            [
                html.Div(text, className="edit-done", role="status"),
                *incident_actions(plan["code"], current_principal(), lang),
            ]
        ), True

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.order_action(ALL, ALL), "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def move(clicks: list, lang: str) -> list:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            return no_update
        principal = current_principal()
        try:
            order = move_order(store, principal, trigger["order"], trigger["status"])
            record = incident(store, principal, order["incident_id"])
            return log_panel(record, orders(store, principal, record["code"]), principal, lang)
        except (Invalid, NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)]


def validation_components() -> list:
    return [
        html.Button(id=ids.INCIDENTS_OPEN),
        dcc.Checklist(id=ids.DISPATCH_WIDEN),
        dcc.Checklist(id=ids.DISPATCH_DEPOTS),
        dcc.Checklist(id=ids.DISPATCH_FORCES),
        dcc.Store(id=ids.DISPATCH_PLAN),
        html.Div(id=ids.DISPATCH_RESULT),
        html.Button(id=ids.DISPATCH_CONFIRM),
    ]
