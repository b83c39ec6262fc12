"""A record's history on the desk: who changed what, when; an admin reverts or restores."""

from __future__ import annotations

from typing import Any

import dash
import shapely
from dash import ALL, Input, Output, State, ctx, html, no_update

from auth import Forbidden, Unauthenticated, can
from config import Settings
from dashboard import ids
from dashboard.components import local_time
from dashboard.editor import _done, _title, label
from dashboard.i18n import t
from dashboard.notices import refusal
from editing.fields import NOUNS
from editing.records import (
    Conflict,
    Invalid,
    NotFound,
    deleted_records,
    record_history,
    restore_record,
    revert_change,
)
from store import Store, StoreUnavailable
from web.security import current_principal


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, shapely.Point):
        return f"{value.x:.6f}, {value.y:.6f}"
    if isinstance(value, shapely.Geometry):
        return value.geom_type
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in value.items()) or "—"  # fmt: skip
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def entries(collection: str, rows: list[dict], admin: bool, settings: Settings, lang: str) -> list:
    """The history as a list, newest first; admins get revert and restore buttons."""
    items = []
    for entry in rows:
        changes = [
            html.Li([html.Span(label(collection, field, lang), className="field"), " ",
                     _value(old), " → ", _value(new)])
            for field, (old, new) in entry["changes"].items()
            if entry["action"] in ("update", "revert")
        ]  # fmt: skip
        buttons = []
        if admin and entry["action"] in ("update", "create"):
            buttons.append(
                html.Button(t("revert", lang), id=ids.history_action("revert", entry["id"]))
            )
        if admin and entry["action"] == "delete":
            buttons.append(
                html.Button(t("restore", lang), id=ids.history_action("restore", entry["id"]))
            )
        when = local_time(entry["at"], settings.timezone, "%Y-%m-%d %H:%M:%S")
        head = f"#{entry['id']} {when} · {entry['actor']} · {t('action_' + entry['action'], lang)}"
        items.append(
            html.Li(
                [
                    html.Div(head, className="history-head"),
                    html.Div(entry["note"], className="history-note") if entry["note"] else None,
                    html.Ul(changes, className="history-changes") if changes else None,
                    html.Div(buttons, className="record-actions") if buttons else None,
                ],
                className=f"history-entry history-{entry['action']}",
            )
        )
    return items


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    """History of a record, the deleted records, and undoing."""

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.record_action("history", ALL, ALL), "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def show_history(clicks: list, lang: str) -> list:
        button = ctx.triggered_id
        if not button or not any(clicks):
            return no_update
        principal = current_principal()
        collection, code = button["collection"], button["code"]
        try:
            rows = record_history(store, principal, collection, code)
            record = store.records.get(collection, code)
        except (Forbidden, Unauthenticated, NotFound, StoreUnavailable) as exc:
            return [refusal(exc, lang)]
        name = _title(collection, record, lang) if record else code
        listed = entries(collection, rows, can(principal, "admin"), settings, lang)
        return [
            html.H3(t("history_title", lang).format(name=name)),
            html.Ol(listed, className="history") if listed else html.P(t("history_empty", lang)),
        ]

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.DELETED_OPEN, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def show_deleted(clicks: int | None, lang: str) -> list:
        if not clicks:
            return no_update
        try:
            rows = deleted_records(store, current_principal())
        except (Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)]
        items = [
            html.Li(
                [
                    html.Div(
                        f"{NOUNS[e['collection']][0 if lang == 'zh' else 1]} · "
                        f"{(e['changes'].get('name') or [e['code']])[0]} · {e['code']}",
                        className="history-head",
                    ),
                    html.Div(
                        f"{local_time(e['at'], settings.timezone, '%Y-%m-%d %H:%M')} · "
                        f"{e['actor']}" + (f" · {e['note']}" if e["note"] else ""),
                        className="history-note",
                    ),
                    html.Button(t("restore", lang), id=ids.history_action("restore", e["id"])),
                ],
                className="history-entry",
            )
            for e in rows
        ]
        return [
            html.H3(t("deleted_title", lang)),
            html.Ol(items, className="history") if items else html.P(t("deleted_empty", lang)),
        ]

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.history_action(ALL, ALL), "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def undo(clicks: list, lang: str) -> list:
        """Revert a change or restore a deletion (the operation checks for an admin)."""
        button = ctx.triggered_id
        if not button or not any(clicks):
            return no_update
        principal = current_principal()
        entry = store.records.history_entry(int(button["entry"]))
        try:
            if button["action"] == "restore":
                saved = restore_record(store, principal, button["entry"])
                text = t("restored", lang)
            else:
                saved = revert_change(store, principal, button["entry"])
                text = t("reverted", lang).replace("{entry}", str(button["entry"]))
        except Conflict:
            return [html.Div(t("revert_blocked", lang), className="edit-refused", role="alert")]
        except (Invalid, NotFound, Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)]
        collection = entry["collection"] if entry else ""
        return _done(collection, saved.record, text, principal, saved.warnings, lang)
