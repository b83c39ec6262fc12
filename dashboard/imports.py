"""Files in and out on the desk: upload a file, see row by row what it would do, commit.

The panel opens in the details column. An upload is checked at once (a dry
run of :func:`files.imports.import_file`): the preview says how the file was
read (encoding, coordinate system, what was dropped) and, for every row,
whether it is added, updated (matched by code), unchanged or rejected and
why. Nothing is written until the planner commits; with rejected rows only
"commit the accepted rows only" is offered, and the import's history lists
the rows left out. ``import_file`` checks the role itself, so a hand-made
POST to these callbacks meets the same rule. Exports of the layer, filtered
as on screen, are links to ``/api/files``.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from auth import Forbidden, Principal, Unauthenticated, can
from config import Settings
from dashboard import ids
from dashboard.i18n import t
from dashboard.notices import refusal
from files.headers import LAYERS
from files.imports import Report, import_file
from files.readers import MAX_MB
from store import Store, StoreUnavailable
from web.security import current_principal

SHOWN_ROWS = 500  # rows of the preview drawn; the counts cover every row
CRS_CHOICES = ("", "wgs84", "cgcs2000", "gcj02")
EXPORTS = ("csv", "xlsx", "geojson", "gpkg", "zip")


def open_button(principal: Principal | None, lang: str) -> list:
    """The toolbar's button, for those who may edit."""
    if not can(principal, "edit"):
        return []
    return [html.Button(t("files_open", lang), id=ids.FILES_OPEN, className="tool-button")]


def panel(lang: str) -> html.Div:
    """The import panel: layer, coordinate system, the file; then the preview."""
    return html.Div(
        [
            html.H3(t("files_title", lang)),
            html.Label(t("files_layer", lang)),
            dcc.Dropdown(
                id=ids.FILES_LAYER,
                options=[
                    {"label": t(f"files_layer_{layer}", lang), "value": layer} for layer in LAYERS
                ],
                value="risk_points",
                clearable=False,
                searchable=False,
            ),
            html.Label(t("files_crs", lang)),
            dcc.RadioItems(
                id=ids.FILES_CRS,
                options=[
                    {"label": t(f"files_crs_{c or 'file'}", lang), "value": c} for c in CRS_CHOICES
                ],
                value="",
                inline=True,
            ),
            dcc.Upload(
                html.Div(t("files_drop", lang).format(limit=MAX_MB)),
                id=ids.FILES_UPLOAD,
                className="files-upload",
                max_size=int(MAX_MB * 1024 * 1024),
                multiple=False,
            ),
            dcc.Loading(html.Div(id=ids.FILES_PREVIEW, className="files-preview")),
            html.Div(
                [
                    html.Button(
                        t("files_commit", lang),
                        id=ids.FILES_COMMIT,
                        hidden=True,
                        className="tool-button",
                    ),
                    html.Button(
                        t("files_commit_partial", lang),
                        id=ids.FILES_PARTIAL,
                        hidden=True,
                        className="tool-button",
                    ),
                ],
                className="files-actions",
            ),
            dcc.Loading(html.Div(id=ids.FILES_RESULT, className="files-result")),
            html.H4(t("files_export", lang)),
            html.Div(id=ids.FILES_EXPORTS, className="files-exports"),
        ],
        className="files-panel",
    )


def preview(report: Report, lang: str) -> list:
    """How the file was read and what each row would do."""
    if report.error is not None:
        return [html.P(report.error.say(lang), className="files-error")]
    got = report.as_json(lang)
    rows = report.rows(lang)
    rejected = len({r["row"] for r in got["rejected"]})
    summary = t("files_summary", lang).format(
        file=report.file, encoding=report.encoding or "-", crs=report.crs or "-",
        added=len(got["added"]), updated=len(got["updated"]),
        unchanged=len(got["unchanged"]), rejected=rejected,
    )  # fmt: skip
    head = html.Tr([html.Th(t(f"files_col_{c}", lang)) for c in ("row", "code", "action", "why")])
    body = [
        html.Tr(
            [
                html.Td(r["row"]),
                html.Td(r["code"]),
                html.Td(t(f"files_action_{r['action']}", lang)),
                html.Td(r["why"]),
            ],
            className=f"files-{r['action']}",
        )
        for r in rows[:SHOWN_ROWS]
    ]
    more = (
        [html.P(t("files_more", lang).format(n=len(rows) - SHOWN_ROWS))]
        if len(rows) > SHOWN_ROWS
        else []
    )
    return [
        html.P(summary, className="files-summary"),
        html.Ul([html.Li(n) for n in got["notes"]], className="files-notes"),
        html.Table([html.Thead(head), html.Tbody(body)], className="files-rows"),
        *more,
    ]


def _saved(contents: str) -> Path:
    """An upload's bytes in a temporary file (the caller removes it)."""
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (IndexError, binascii.Error):
        data = b""
    with tempfile.NamedTemporaryFile(delete=False, suffix=".upload") as tmp:
        tmp.write(data)
    return Path(tmp.name)


def export_links(layer: str, flt: dict | None, lang: str) -> list:
    """Links to this layer's exports and offline map, filtered as on screen."""
    flt = flt or {}
    query = {}
    if flt.get("townships"):
        query["township"] = ",".join(flt["townships"])
    if flt.get("level"):
        query["level"] = str(flt["level"])
    search = f"?{urlencode(query)}" if query else ""
    links = [
        html.A(fmt.upper() if fmt != "zip" else "Shapefile",
               href=f"/api/files/{layer}/export.{fmt}{search}", className="files-link")
        for fmt in EXPORTS
    ]  # fmt: skip
    if layer != "townships":
        map_query = urlencode({**query, "lang": lang})
        links.append(
            html.A(t("files_offline_map", lang), href=f"/api/files/{layer}/map.html?{map_query}",
                   className="files-link")
        )  # fmt: skip
    return links


def register(app: dash.Dash, store: Store, settings: Settings) -> None:
    """Open the panel, preview an upload, commit it; the export links follow the filter."""

    @app.callback(
        Output(ids.DETAILS, "children", allow_duplicate=True),
        Input(ids.FILES_OPEN, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def open_panel(clicks: int | None, lang: str) -> list:
        if not clicks:
            return no_update
        if not can(current_principal(), "edit"):
            return [refusal(Forbidden(current_principal(), "edit"), lang)]
        return [panel(lang)]

    def run(contents: str, name: str, layer: str, crs: str, **options: bool) -> Report:
        path = _saved(contents)
        try:
            return import_file(
                store, current_principal(), layer, path, name=name or "upload",
                crs=crs or None, **options,
            )  # fmt: skip
        finally:
            path.unlink(missing_ok=True)

    @app.callback(
        Output(ids.FILES_PREVIEW, "children"),
        Output(ids.FILES_COMMIT, "hidden"),
        Output(ids.FILES_PARTIAL, "hidden"),
        Output(ids.FILES_RESULT, "children"),
        Input(ids.FILES_UPLOAD, "contents"),
        Input(ids.FILES_LAYER, "value"),
        Input(ids.FILES_CRS, "value"),
        State(ids.FILES_UPLOAD, "filename"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def check(contents: str | None, layer: str, crs: str, name: str | None, lang: str) -> tuple:
        """A dry run of the upload: nothing is written."""
        if not contents:
            return no_update, True, True, ""
        try:
            report = run(contents, name or "", layer, crs, dry_run=True)
        except (Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)], True, True, ""
        accepted = report.plan is not None and any(
            r.action in ("add", "update") for r in report.plan.rows
        )
        rejected = report.plan is not None and bool(report.plan.rejected)
        return (
            preview(report, lang),
            not (accepted and not rejected),
            not (accepted and rejected),
            "",
        )

    @app.callback(
        Output(ids.FILES_RESULT, "children", allow_duplicate=True),
        Output(ids.FILES_COMMIT, "hidden", allow_duplicate=True),
        Output(ids.FILES_PARTIAL, "hidden", allow_duplicate=True),
        Input(ids.FILES_COMMIT, "n_clicks"),
        Input(ids.FILES_PARTIAL, "n_clicks"),
        State(ids.FILES_UPLOAD, "contents"),
        State(ids.FILES_UPLOAD, "filename"),
        State(ids.FILES_LAYER, "value"),
        State(ids.FILES_CRS, "value"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def commit(
        _all: int | None, _partial: int | None, contents: str | None, name: str | None,
        layer: str, crs: str, lang: str,
    ) -> tuple:  # fmt: skip
        """Write the file: every row, or (chosen) the accepted rows only."""
        if not contents or not ctx.triggered_id or not (_all or _partial):
            return no_update, no_update, no_update
        try:
            report = run(
                contents, name or "", layer, crs,
                accept_partial=ctx.triggered_id == ids.FILES_PARTIAL,
            )  # fmt: skip
        except (Forbidden, Unauthenticated, StoreUnavailable) as exc:
            return [refusal(exc, lang)], True, True
        if not report.committed:
            text = report.error.say(lang) if report.error else t("files_not_committed", lang)
            return [html.P(text, className="files-error")], True, True
        got = report.as_json(lang)
        text = t("files_committed", lang).format(
            n=report.import_id, added=len(got["added"]), updated=len(got["updated"]),
            left=len({r["row"] for r in got["rejected"]}),
        )  # fmt: skip
        return [html.P(text, className="files-done")], True, True

    @app.callback(
        Output(ids.FILES_EXPORTS, "children"),
        Input(ids.FILES_LAYER, "value"),
        Input(ids.FILTER_LATE, "data"),
        State(ids.LANG, "data"),
    )
    def exports(layer: str, flt: dict | None, lang: str) -> list:
        return export_links(layer or "risk_points", flt, lang)


def validation_components() -> list:
    """Components the callbacks above refer to, for Dash's layout check."""
    return [
        html.Button(id=ids.FILES_OPEN),
        dcc.Dropdown(id=ids.FILES_LAYER),
        dcc.RadioItems(id=ids.FILES_CRS),
        dcc.Upload(id=ids.FILES_UPLOAD),
        html.Div(id=ids.FILES_PREVIEW),
        html.Button(id=ids.FILES_COMMIT),
        html.Button(id=ids.FILES_PARTIAL),
        html.Div(id=ids.FILES_RESULT),
        html.Div(id=ids.FILES_EXPORTS),
    ]
