"""OGC API – Features: the layers for GIS tools (QGIS, GDAL) and other departments' systems.

Part 1 (read): landing page, conformance, collections, items as GeoJSON with
``bbox`` and ``limit``, paged by key (``next`` links carry ``after=<id>``: no
OFFSET scan and no count per page), one item with an ``ETag`` (its version).
Part 4 (write): ``POST`` items (201 and ``Location``), ``PUT``/``PATCH`` with
``If-Match`` (412 with who changed it and when), ``DELETE``; and each item's
``/history``. Every write goes through :mod:`editing.records`, which checks
the role and writes the history in the same transaction.

Each handler is a thin function from the request to a capability call to
JSON; errors become 4xx with a JSON body that names the field and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import flask
import orjson
import shapely
import shapely.geometry

from api.openapi import openapi_document
from auth import Forbidden, Unauthenticated, require
from config import Settings
from editing.fields import FIELDS, NOUNS
from editing.records import (
    Conflict,
    EditError,
    InUse,
    Invalid,
    NotFound,
    create_record,
    delete_record,
    get_record,
    record_history,
    update_record,
)
from layers.townships import townships
from store import Store, StoreUnavailable
from web.security import current_principal

COLLECTIONS = (
    "townships",
    "risk_points",
    "depots",
    "forces",
    "command_nodes",
    "roads",
    "hazard_areas",
)
READ_ONLY = {"roads": "load roads with python manage.py load roads FILE.osm.pbf"}
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


class BadRequest(Exception):
    """A request the API cannot read (400), naming the parameter."""

    def __init__(self, field: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.field, self.reason, self.status = field, reason, status


def blueprint(store: Store, settings: Settings) -> flask.Blueprint:
    """The ``/ogc`` routes."""
    bp = flask.Blueprint("ogc", __name__, url_prefix="/ogc")

    def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable:
        def wrap(fn: Callable) -> Callable:
            def handler(**kwargs: Any) -> flask.Response:
                return _answer(lambda: fn(**kwargs))

            endpoint = fn.__name__ + ("_slash" if rule == "/" else "")
            bp.add_url_rule(rule, endpoint, view_func=handler, methods=list(methods))
            return fn

        return wrap

    @route("")
    @route("/")
    def landing() -> flask.Response:
        base = _base()
        return _json(
            {
                "title": "应急指挥“四张图” · Four maps",
                "description": "Risk points, depots, forces and command nodes (OGC API - Features)",
                "links": [
                    _link(base, "self", "application/json", "this document"),
                    _link(f"{base}/conformance", "conformance", "application/json"),
                    _link(f"{base}/collections", "data", "application/json", "the layers"),
                    _link(
                        f"{base}/api",
                        "service-desc",
                        "application/vnd.oai.openapi+json;version=3.0",
                        "the API definition",
                    ),
                    _link(
                        base.removesuffix("/ogc") + "/api/openapi.json",
                        "related",
                        "application/vnd.oai.openapi+json;version=3.0",
                        "incidents and dispatch (/api)",
                    ),
                ],
            }
        )

    @route("/conformance")
    def conformance() -> flask.Response:
        return _json({"conformsTo": CONFORMANCE})

    @route("/api")
    def api_document() -> flask.Response:
        return _json(
            openapi_document(_base(), COLLECTIONS, MAX_LIMIT, DEFAULT_LIMIT),
            mimetype="application/vnd.oai.openapi+json;version=3.0",
        )

    @route("/collections")
    def collections() -> flask.Response:
        base = _base()
        extent = _extent(store)
        return _json(
            {
                "links": [_link(f"{base}/collections", "self", "application/json")],
                "collections": [_collection(base, name, extent) for name in COLLECTIONS],
                "crs": [CRS84],
            }
        )

    @route("/collections/<name>")
    def collection(name: str) -> flask.Response:
        _known(name)
        return _json(_collection(_base(), name, _extent(store)))

    @route("/collections/<name>/items", methods=("GET", "POST"))
    def items(name: str) -> flask.Response:
        _known(name)
        if flask.request.method == "POST":
            _writable(name)
            return _create(store, settings, name)
        args = flask.request.args
        limit = _integer(args.get("limit"), "limit", DEFAULT_LIMIT, 1)
        limit = min(limit, MAX_LIMIT)
        after = _integer(args.get("after"), "after", None, 0)
        bbox = _bbox(args.get("bbox"))
        require(current_principal(), "read")
        rows = store.records.page(
            name, after=after, limit=limit, bbox=bbox, is_postgis=store.is_postgis
        )
        base = _base()
        url = f"{base}/collections/{name}/items"
        query = {"limit": limit, **({"bbox": args["bbox"]} if bbox else {})}
        links = [_link(_with(url, query, after), "self", GEOJSON)]
        if len(rows) == limit:
            links.append(_link(_with(url, query, rows[-1]["id"]), "next", GEOJSON, "next page"))
        return _json(
            {
                "type": "FeatureCollection",
                "features": [_feature(name, r) for r in rows],
                "numberReturned": len(rows),
                "timeStamp": datetime.now().astimezone().isoformat(timespec="seconds"),
                "links": links,
            },
            mimetype=GEOJSON,
        )

    @route("/collections/<name>/items/<code>", methods=("GET", "PUT", "PATCH", "DELETE"))
    def item(name: str, code: str) -> flask.Response:
        _known(name)
        method = flask.request.method
        if method == "GET":
            record = get_record(store, current_principal(), name, code)
            etag = _etag(record)
            if flask.request.headers.get("If-None-Match") == etag:
                return flask.Response(status=304, headers={"ETag": etag})
            response = _json(_feature(name, record), mimetype=GEOJSON)
            response.headers["ETag"] = etag
            return response
        _writable(name)
        version = _if_match()
        if method == "DELETE":
            delete_record(store, current_principal(), name, code, version)
            return flask.Response(status=204)
        values = _feature_values(name)
        saved = update_record(
            store,
            current_principal(),
            name,
            code,
            values,
            version,
            partial=method == "PATCH",
            timezone=settings.timezone,
        )
        return _saved(name, saved, 200)

    @route("/collections/<name>/items/<code>/history")
    def history(name: str, code: str) -> flask.Response:
        _known(name)
        entries = record_history(store, current_principal(), name, code)
        if not entries and store.records.get(name, code) is None:
            raise NotFound(f"no {name} record {code}")
        return _json(
            {
                "collection": name,
                "code": code,
                "history": [
                    {
                        "id": e["id"],
                        "at": e["at"],
                        "actor": e["actor"],
                        "action": e["action"],
                        "version": e["version"],
                        "note": e["note"],
                        "reverts": e["reverts"],
                        "changes": {
                            f: {"old": _plain(old), "new": _plain(new)}
                            for f, (old, new) in e["changes"].items()
                        },
                    }
                    for e in entries
                ],
            }
        )

    return bp


# --- writes ---------------------------------------------------------------------------


def _create(store: Store, settings: Settings, name: str) -> flask.Response:
    values = _feature_values(name)
    saved = create_record(store, current_principal(), name, values, timezone=settings.timezone)
    response = _saved(name, saved, 201)
    response.headers["Location"] = f"{_base()}/collections/{name}/items/{saved.record['code']}"
    return response


def _saved(name: str, saved: Any, status: int) -> flask.Response:
    body = _feature(name, saved.record)
    if saved.warnings:
        body["warnings"] = [w.as_json() for w in saved.warnings]
    response = _json(body, status=status, mimetype=GEOJSON)
    response.headers["ETag"] = _etag(saved.record)
    return response


def _feature_values(name: str) -> dict:
    """A GeoJSON Feature's properties and geometry as the values of a record."""
    body = flask.request.get_data()
    if not body:
        raise BadRequest("body", "send a GeoJSON Feature")
    try:
        feature = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("body", f"not JSON: {exc}") from None
    if not isinstance(feature, dict) or not isinstance(feature.get("properties", {}), dict):
        raise BadRequest("body", "send a GeoJSON Feature with a properties object")
    values = dict(feature.get("properties") or {})
    for derived in ("township_name", "township_name_en"):
        values.pop(derived, None)
    if feature.get("id") is not None and "code" not in values:
        values["code"] = feature["id"]
    if "geometry" in feature:
        values["geom"] = feature["geometry"]
    return values


def _if_match() -> int:
    """The version an ``If-Match`` names (``"3"``, ``W/"3"``, ``"3:gzip"``)."""
    header = flask.request.headers.get("If-Match")
    if not header:
        raise BadRequest(
            "If-Match", "send If-Match with the ETag of the item you changed", status=428
        )
    tag = header.strip().removeprefix("W/").strip('"').split(":")[0]
    if not tag.isdigit() or int(tag) > MAX_INTEGER:
        raise BadRequest("If-Match", f"not an ETag of this API: {header}")
    return int(tag)


# --- reading ------------------------------------------------------------------------------


def _known(name: str) -> None:
    if name not in COLLECTIONS:
        raise NotFound(f"no collection {name!r}: there are {', '.join(COLLECTIONS)}")


def _writable(name: str) -> None:
    if name in READ_ONLY:
        raise BadRequest("collection", f"{name} is read-only here: {READ_ONLY[name]}", status=405)


MAX_INTEGER = 2**31 - 1  # ids and versions are 32-bit integer columns


def _integer(text: str | None, field: str, default: int | None, minimum: int) -> int | None:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(field, f"{field} must be a whole number") from None
    if value < minimum:
        raise BadRequest(field, f"{field} must be at least {minimum}")
    if value > MAX_INTEGER:
        raise BadRequest(field, f"{field} must be at most {MAX_INTEGER}")
    return value


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise BadRequest("bbox", "bbox is west,south,east,north in degrees") from None
    if len(values) == 6:  # with heights: drop them
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadRequest("bbox", "bbox is west,south,east,north in degrees")
    west, south, east, north = values
    if south > north or not (-90 <= south <= 90 and -90 <= north <= 90):
        raise BadRequest("bbox", "bbox latitudes must be south <= north, within -90..90")
    return west, south, east, north


def _extent(store: Store) -> list[float]:
    return [round(float(v), 6) for v in townships(store).total_bounds]


def _collection(base: str, name: str, extent: list[float]) -> dict:
    zh, en = NOUNS[name]
    url = f"{base}/collections/{name}"
    return {
        "id": name,
        "title": f"{zh} · {en}s",
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [
            _link(url, "self", "application/json"),
            _link(f"{url}/items", "items", GEOJSON, f"the {en}s"),
        ],
    }


def _feature(name: str, record: dict) -> dict:
    geometry = record.get("geom")
    properties = {f.name: _plain(record.get(f.name)) for f in FIELDS[name] if f.name != "geom"}
    if "version" in record:  # roads are loaded whole, not edited: no version
        properties.update(
            version=record["version"],
            updated_at=_plain(record.get("updated_at")),
            updated_by=record.get("updated_by", ""),
        )
    return {
        "type": "Feature",
        "id": record.get("code", record.get("id")),
        "geometry": shapely.geometry.mapping(geometry) if geometry is not None else None,
        "properties": properties,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, shapely.Geometry):
        return shapely.geometry.mapping(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _etag(record: dict) -> str:
    return f'"{record.get("version", 1)}"'


def _base() -> str:
    return flask.request.host_url.rstrip("/") + "/ogc"


def _with(url: str, query: dict, after: int | None) -> str:
    return f"{url}?{urlencode({**query, **({'after': after} if after is not None else {})})}"


def _link(href: str, rel: str, kind: str, title: str = "") -> dict:
    return {"href": href, "rel": rel, "type": kind, **({"title": title} if title else {})}


def _json(body: Any, status: int = 200, mimetype: str = "application/json") -> flask.Response:
    return flask.Response(
        orjson.dumps(body, default=_plain, option=orjson.OPT_NON_STR_KEYS),
        status=status,
        mimetype=mimetype,
    )


def router(
    bp: flask.Blueprint, guard: Callable[[Callable[[], flask.Response]], flask.Response]
) -> Callable:
    """A ``@route(rule, methods)`` decorator for ``bp``: each view runs inside
    :func:`_answer` and ``guard`` (which turns a blueprint's own refusals into answers)."""

    def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable:
        def wrap(fn: Callable) -> Callable:
            def handler(**kwargs: Any) -> flask.Response:
                return _answer(lambda: guard(lambda: fn(**kwargs)))

            bp.add_url_rule(rule, fn.__name__, view_func=handler, methods=list(methods))
            return fn

        return wrap

    return route


def _answer(handler: Callable[[], flask.Response]) -> flask.Response:
    """Run a handler; what it raises becomes a 4xx (never a 500 with a traceback)."""
    try:
        return handler()
    except BadRequest as exc:
        return _error(exc.status, exc.reason, [{"field": exc.field, "reason": exc.reason}])
    except Unauthenticated as exc:
        return _error(401, str(exc))
    except Forbidden as exc:
        return _error(403, str(exc))
    except Invalid as exc:
        return _error(422, "the record is not valid", [p.as_json() for p in exc.problems])
    except Conflict as exc:
        current = exc.current or {}
        body = {
            "status": 412,
            "error": f"not saved: {exc}",
            "updated_by": current.get("updated_by"),
            "updated_at": _plain(current.get("updated_at")),
            "version": current.get("version"),
        }
        response = _json(body, status=412)
        if current:
            response.headers["ETag"] = _etag(current)
        return response
    except InUse as exc:
        return _error(409, str(exc), [{"field": "code", "references": exc.references}])
    except NotFound as exc:
        return _error(404, str(exc))
    except EditError as exc:
        return _error(400, str(exc))
    except StoreUnavailable as exc:
        return _error(503, str(exc))


def _error(status: int, message: str, problems: list | None = None) -> flask.Response:
    body: dict = {"status": status, "error": message}
    if problems:
        body["problems"] = problems
    return _json(body, status=status)
