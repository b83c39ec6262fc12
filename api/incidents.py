"""``/api``: incidents, recommendations and dispatch over HTTP, for scripts and other systems.

    POST  /api/incidents                         {"lon", "lat", "type", "description", "needs"}
    GET   /api/incidents                         the open incidents
    GET   /api/incidents/{id}                    one, by number or code
    GET   /api/incidents/{id}/recommendation     ?widen=1 for beyond the level in force
    POST  /api/incidents/{id}/dispatch           {"key", "depots": [{"code", "take"}], "forces"}
    GET   /api/incidents/{id}/orders             the dispatch log
    PATCH /api/orders/{id}                       {"status": "en_route" | "on_site" | ...}
    GET   /api/openapi.json                      this API's OpenAPI document

Auth as for ``/ogc`` (a session, or ``Authorization: Bearer``); every write is a
:mod:`dispatch.orders` operation, which checks the role itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import flask

from api.ogc import BadRequest, _base, _json, _plain, router
from api.openapi import hidden_danger_paths
from auth import require
from config import Settings
from dispatch.orders import (
    Refused,
    dispatch,
    incident,
    move_order,
    open_incident,
    orders,
    recommendation,
)
from store import Store
from web.security import current_principal


def blueprint(store: Store, settings: Settings) -> flask.Blueprint:
    bp = flask.Blueprint("incidents_api", __name__, url_prefix="/api")

    route = router(bp, _refused_as_409)

    @route("/incidents", methods=("GET", "POST"))
    def incidents() -> flask.Response:
        if flask.request.method == "GET":
            require(current_principal(), "read")
            frame = store.read("incidents", where={"status": "open"})
            return _json({"incidents": [_incident_json(store.records.get("incidents", c))
                                        for c in frame["code"]]})  # fmt: skip
        body = _body()
        for name in ("lon", "lat", "type"):
            if name not in body:
                raise BadRequest(name, f"{name} is required")
        values = {
            "type": body["type"],
            "description": body.get("description", ""),
            "needs": body.get("needs") or {},
            "geom": {"type": "Point", "coordinates": [_number(body, "lon"), _number(body, "lat")]},
        }
        for optional in ("reporter", "reported_at", "code"):
            if body.get(optional):
                values[optional] = body[optional]
        saved = open_incident(store, current_principal(), values, settings.timezone)
        answer = {"id": saved.record["id"], "code": saved.record["code"]}
        if saved.warnings:
            answer["warnings"] = [w.as_json() for w in saved.warnings]
        response = _json(answer, status=201)
        response.headers["Location"] = f"{_root()}/api/incidents/{saved.record['id']}"
        return response

    @route("/incidents/<ref>")
    def one(ref: str) -> flask.Response:
        return _json(_incident_json(incident(store, current_principal(), ref)))

    @route("/incidents/<ref>/recommendation")
    def recommend(ref: str) -> flask.Response:
        widen = flask.request.args.get("widen", "") in ("1", "true", "yes")
        return _json(recommendation(store, current_principal(), ref, widen=widen).as_json())

    @route("/incidents/<ref>/dispatch", methods=("POST",))
    def send(ref: str) -> flask.Response:
        body = _body()
        depots, forces = body.get("depots") or [], body.get("forces") or []
        if not isinstance(depots, list):
            raise BadRequest("depots", "depots is a list of {code, take}")
        if not isinstance(forces, list):
            raise BadRequest("forces", "forces is a list of force codes")
        done = dispatch(store, current_principal(), ref, str(body.get("key") or ""), depots, forces)
        return _json(
            {"dispatch": done.dispatch_id, "created": done.created, "orders": done.orders},
            status=201 if done.created else 200,
        )

    @route("/incidents/<ref>/orders")
    def log(ref: str) -> flask.Response:
        return _json({"orders": orders(store, current_principal(), ref)})

    @route("/orders/<int(max=2147483647):order_id>", methods=("PATCH",))  # 32-bit ids
    def move(order_id: int) -> flask.Response:
        body = _body()
        if not isinstance(body.get("status"), str):
            raise BadRequest("status", "status is required")
        return _json(move_order(store, current_principal(), order_id, body["status"]))

    @route("/openapi.json")
    def document() -> flask.Response:
        return _json(openapi_document(_root()))

    return bp


def _refused_as_409(handler: Callable[[], flask.Response]) -> flask.Response:
    try:
        return handler()
    except Refused as exc:
        return _json({"status": 409, "error": str(exc), "short": exc.short}, status=409)


def _body() -> dict:
    raw = flask.request.get_data()
    try:
        body = json.loads(raw or b"null")
    except ValueError as exc:
        raise BadRequest("body", f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("body", "send a JSON object")
    return body


def _number(body: dict, name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(name, f"{name} must be a number")
    return float(value)


def _root() -> str:
    return _base().removesuffix("/ogc")


def _incident_json(record: dict | None) -> dict:
    if record is None:
        return {}
    return {
        "id": record["id"],
        "code": record["code"],
        "type": record["type"],
        "status": record["status"],
        "lon": record["geom"].x,
        "lat": record["geom"].y,
        "township_code": record["township_code"],
        "reported_at": _plain(record["reported_at"]),
        "reporter": record["reporter"],
        "description": record["description"],
        "needs": json.loads(record["needs"] or "{}"),
        "version": record["version"],
        "updated_by": record["updated_by"],
    }


def openapi_document(root: str) -> dict:
    """The OpenAPI document of ``/api`` (``/ogc/api`` is the layers')."""
    obj = {"type": "object"}
    err = {"description": "the reason, as JSON", "content": {"application/json": {"schema": obj}}}
    errors = {"400": err, "401": err, "403": err, "404": err, "422": err}
    ref = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "the incident's number or code"}  # fmt: skip
    needs = {
        "type": "object",
        "properties": {
            "items": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0},
                      "description": "catalogue item code -> quantity (domain.MATERIAL_CATALOGUE)"},
            "forces": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                       "description": "force type -> headcount (domain.FORCE_TYPES)"},
            "boats": {"type": "integer", "minimum": 0},
            "vehicles": {"type": "integer", "minimum": 0},
        },
    }  # fmt: skip
    body = {"required": True, "content": {"application/json": {"schema": obj}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Four maps · incidents, dispatch, hidden dangers", "version": "1.0"},
        "servers": [{"url": f"{root}/api"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Needs": needs},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/incidents": {
                "get": {
                    "summary": "the open incidents",
                    "responses": {"200": {"description": "ok"}, **errors},
                },
                "post": {
                    "summary": "open an incident: lon, lat (WGS 84), type, description, needs",
                    "requestBody": body,
                    "responses": {"201": {"description": "{id, code}; Location"}, **errors},
                },
            },
            "/incidents/{id}": {
                "parameters": [ref],
                "get": {
                    "summary": "one incident",
                    "responses": {"200": {"description": "ok"}, **errors},
                },
            },
            "/incidents/{id}/recommendation": {
                "parameters": [ref],
                "get": {
                    "summary": "depots, forces (by travel time), what is short, the command chain",
                    "parameters": [
                        {
                            "name": "widen",
                            "in": "query",
                            "schema": {"type": "boolean"},
                            "description": "beyond what the response in force mobilises",
                        }
                    ],
                    "responses": {
                        "200": {"description": "routing, depots, forces, short, chain"},
                        **errors,
                    },
                },
            },
            "/incidents/{id}/dispatch": {
                "parameters": [ref],
                "post": {
                    "summary": "reserve stock and deploy forces in one transaction",
                    "requestBody": body,
                    "responses": {
                        "201": {"description": "the orders"},
                        "200": {"description": "this key was used: the same orders"},
                        "409": {"description": "what is short; nothing was reserved"},
                        **errors,
                    },
                },
            },
            "/incidents/{id}/orders": {
                "parameters": [ref],
                "get": {
                    "summary": "the dispatch log",
                    "responses": {"200": {"description": "ok"}, **errors},
                },
            },
            "/orders/{order}": {
                "parameters": [
                    {"name": "order", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "patch": {
                    "summary": "move an order on: en_route, on_site, returned, consumed, cancelled",
                    "requestBody": body,
                    "responses": {"200": {"description": "the order"}, **errors},
                },
            },
            **hidden_danger_paths(),
        },
    }
