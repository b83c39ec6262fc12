"""``/api/files``: imports and exports over HTTP, for the desk's import panel and for scripts.

    POST /api/files/{layer}/import     multipart ``file``; form fields ``dry_run``,
                                       ``accept_partial``, ``crs``, ``encoding``, ``sheet``,
                                       ``lang``: the report, row by row
    GET  /api/files/{layer}/export.{csv|xlsx|geojson|gpkg|zip}?township=T1,T2&level=3
    GET  /api/files/{layer}/map.html?township=...&level=...&lang=en    the offline map
    GET  /api/files/imports            the latest imports, with the rows they left out

Auth as for ``/api``. An import answers 200 when every row was accepted (and,
unless a dry run, committed), 422 with the same report otherwise, and 413 for a
file over the size limit. Exports stream: a city's CSV starts at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask

from api.ogc import BadRequest, _answer, _json
from auth import require
from config import Settings
from files.exports import MEDIA_TYPES, ExportError, export_stream
from files.imports import UnknownLayer, import_file
from files.readers import MAX_MB
from files.webmap import offline_map
from store import Store
from web.security import current_principal

_TRUE = ("1", "true", "yes", "on")


def blueprint(store: Store, settings: Settings) -> flask.Blueprint:
    bp = flask.Blueprint("files_api", __name__, url_prefix="/api/files")

    def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable:
        def wrap(fn: Callable) -> Callable:
            def handler(**kwargs: Any) -> flask.Response:
                return _answer(lambda: _known(lambda: fn(**kwargs)))

            bp.add_url_rule(rule, fn.__name__, view_func=handler, methods=list(methods))
            return fn

        return wrap

    @route("/<layer>/import", methods=("POST",))
    def upload(layer: str) -> flask.Response:
        principal = current_principal()
        require(principal, "edit")
        size = flask.request.content_length or 0
        if size > MAX_MB * 1024 * 1024:
            raise BadRequest("file", f"the file is too large: the limit is {MAX_MB} MB", 413)
        sent = flask.request.files.get("file")
        if sent is None or not sent.filename:
            raise BadRequest("file", "send the file as multipart form field 'file'")
        form = flask.request.form
        lang = form.get("lang", "en")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            sent.save(path)
            report = import_file(
                store, principal, layer, path, name=Path(sent.filename).name,
                crs=form.get("crs") or None, encoding=form.get("encoding") or None,
                sheet=form.get("sheet") or None,
                dry_run=form.get("dry_run", "").lower() in _TRUE,
                accept_partial=form.get("accept_partial", "").lower() in _TRUE,
            )  # fmt: skip
        body = {**report.as_json(lang), "rows": report.rows(lang)}
        return _json(body, status=200 if report.ok else 422)

    @route("/<layer>/export.<fmt>")
    def download(layer: str, fmt: str) -> flask.Response:
        fmt = {"zip": "shp"}.get(fmt, fmt)
        if fmt not in MEDIA_TYPES or fmt == "html":
            raise BadRequest("format", "csv, xlsx, geojson, gpkg or zip (Shapefile)", 404)
        chunks = export_stream(store, current_principal(), layer, fmt, **_filter())
        first = next(chunks)  # the checks (sign-in, the layer) run before the answer starts
        name = f"{layer}.{'zip' if fmt == 'shp' else fmt}"

        def stream() -> Any:
            yield first
            yield from chunks

        return flask.Response(
            flask.stream_with_context(stream()),
            mimetype=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @route("/<layer>/map.html")
    def webmap(layer: str) -> flask.Response:
        page = offline_map(
            store, current_principal(), layer, lang=flask.request.args.get("lang", "zh"),
            **_filter(),
        )  # fmt: skip
        return flask.Response(
            page,
            mimetype="text/html",
            headers={"Content-Disposition": f'attachment; filename="{layer}-map.html"'},
        )

    @route("/imports")
    def recent() -> flask.Response:
        require(current_principal(), "edit")
        return _json({"imports": store.imports.recent(50)})

    return bp


def _filter() -> dict[str, Any]:
    args = flask.request.args
    towns = [t for t in args.get("township", "").split(",") if t]
    try:
        return {"townships": towns or None, "level": args.get("level") or None}
    except ValueError as exc:
        raise BadRequest("level", str(exc)) from None


def _known(handler: Callable[[], flask.Response]) -> flask.Response:
    try:
        return handler()
    except (UnknownLayer, ExportError) as exc:
        raise BadRequest("layer", str(exc), 404) from None
    except ValueError as exc:  # a level that is not 1-4
        raise BadRequest("level", str(exc)) from None
