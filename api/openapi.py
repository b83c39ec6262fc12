"""The OpenAPI 3.0 document of ``/ogc`` (its ``service-desc``), made from the field descriptions.

GDAL's OAPIF driver (and so QGIS) reads the ``limit`` parameter's maximum
from here and pages with it: the fewer round trips, the faster a whole layer.
"""

from __future__ import annotations

from editing.fields import FIELDS, Field

_KINDS: dict[str, dict] = {
    "code": {"type": "string", "maxLength": 100},
    "text": {"type": "string"},
    "phone": {"type": "string", "pattern": "^[0-9+\\-() ]{3,30}$"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "level": {"type": "integer", "minimum": 1, "maximum": 4},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "ref": {"type": "string"},
    "channels": {"type": "string", "description": "comma separated channels"},
    "bool": {"type": "boolean"},
    "needs": {"type": "object"},
    "stock": {
        "type": "object",
        "description": "catalogue item code -> quantity in the item's unit",
        "additionalProperties": {"type": "number", "minimum": 0},
    },
    "townships": {"type": "array", "items": {"type": "string"}},
}
_GEOMETRY = {
    "point": {"$ref": "#/components/schemas/Point"},
    "multipolygon": {"$ref": "#/components/schemas/MultiPolygon"},
    "linestring": {"$ref": "#/components/schemas/LineString"},
}


def _property(f: Field) -> dict:
    schema = dict(_KINDS.get(f.kind, {"type": "string"}))
    if f.kind in ("text", "code"):
        schema["maxLength"] = f.max_len
    if f.vocab is not None:
        schema["enum"] = [t.key for t in f.vocab]
    if f.minimum is not None:
        schema["minimum"] = f.minimum
    if f.ref:
        schema["description"] = f"the code of one of {f.ref}"
    if not f.required:
        schema["nullable"] = True
    return schema


def _feature_schema(collection: str) -> dict:
    fields = [f for f in FIELDS[collection] if f.name != "geom"]
    geometry = next(f for f in FIELDS[collection] if f.name == "geom")
    return {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": _GEOMETRY[geometry.kind],
            "properties": {
                "type": "object",
                "required": [f.name for f in fields if f.required and f.name != "township_code"],
                "properties": {
                    **{f.name: _property(f) for f in fields},
                    "version": {"type": "integer", "readOnly": True},
                    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
                    "updated_by": {"type": "string", "readOnly": True},
                },
            },
        },
    }


def _json(schema_ref: str, kind: str = "application/json") -> dict:
    return {"content": {kind: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


_ERRORS = {
    "400": {"description": "the request cannot be read", **_json("Error")},
    "401": {"description": "not signed in: a session or Authorization: Bearer", **_json("Error")},
    "403": {"description": "this role may not", **_json("Error")},
    "404": {"description": "no such collection or item", **_json("Error")},
}


def openapi_document(base: str, collections: tuple[str, ...], max_limit: int, default: int) -> dict:
    """The whole document for the API at ``base``."""
    geo = "application/geo+json"
    paths: dict = {
        "/": {"get": {"summary": "landing page", "responses": {"200": {"description": "links"}}}},
        "/conformance": {
            "get": {"summary": "conformance classes", "responses": {"200": {"description": "ok"}}}
        },
        "/api": {"get": {"summary": "this document", "responses": {"200": {"description": "ok"}}}},
        "/collections": {
            "get": {"summary": "the layers", "responses": {"200": {"description": "ok"}}}
        },
    }
    for name in collections:
        item = f"{name.title().replace('_', '')}Feature"
        write_errors = {
            **_ERRORS,
            "422": {"description": "a field is not valid (each named)", **_json("Error")},
        }
        paths[f"/collections/{name}"] = {
            "get": {
                "summary": f"the {name} collection",
                "responses": {"200": {"description": "ok"}},
            }
        }
        paths[f"/collections/{name}/items"] = {
            "get": {
                "summary": f"{name}, paged by key",
                "parameters": [
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/bbox"},
                    {"$ref": "#/components/parameters/after"},
                ],
                "responses": {
                    "200": {"description": "a FeatureCollection", "content": {geo: {}}},
                    **_ERRORS,
                },
            },
            "post": {
                "summary": f"add one of {name}",
                "requestBody": {"required": True, **_json(item, geo)},
                "responses": {
                    "201": {"description": "created; Location and ETag headers"},
                    **write_errors,
                },
            },
        }
        code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
        if_match = {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "the ETag of the item as you read it",
        }
        stale = {"412": {"description": "changed by someone else since (who and when)"}}
        paths[f"/collections/{name}/items/{{code}}"] = {
            "parameters": [code],
            "get": {
                "summary": "one item, with its ETag",
                "responses": {"200": {"description": "a Feature", **_json(item, geo)}, **_ERRORS},
            },
            "put": {
                "summary": "replace the item",
                "parameters": [if_match],
                "requestBody": {"required": True, **_json(item, geo)},
                "responses": {"200": {"description": "saved"}, **write_errors, **stale},
            },
            "patch": {
                "summary": "change some properties (JSON merge patch)",
                "parameters": [if_match],
                "requestBody": {"required": True, **_json(item, geo)},
                "responses": {"200": {"description": "saved"}, **write_errors, **stale},
            },
            "delete": {
                "summary": "delete the item (an admin can restore it)",
                "parameters": [if_match],
                "responses": {
                    "204": {"description": "deleted"},
                    "409": {"description": "other records still refer to it"},
                    **_ERRORS,
                    **stale,
                },
            },
        }
        paths[f"/collections/{name}/items/{{code}}/history"] = {
            "parameters": [code],
            "get": {
                "summary": "every change of the item: who, when, old and new values",
                "responses": {"200": {"description": "the history, newest first"}, **_ERRORS},
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Four maps · OGC API - Features",
            "version": "1.0",
            "description": "Sign in with a session or `Authorization: Bearer TOKEN` "
            "(`python manage.py token create USER`).",
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": max_limit,
                        "default": default,
                    },
                    "style": "form",
                    "explode": False,
                },
                "bbox": {
                    "name": "bbox",
                    "in": "query",
                    "schema": {"type": "array", "items": {"type": "number"}, "minItems": 4},
                    "style": "form",
                    "explode": False,
                },
                "after": {
                    "name": "after",
                    "in": "query",
                    "description": "from the next link: the key after which the page starts",
                    "schema": {"type": "integer", "minimum": 0},
                },
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "error": {"type": "string"},
                        "problems": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "Point": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["Point"]},
                        "coordinates": {"type": "array", "items": {"type": "number"}},
                    },
                },
                "LineString": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["LineString"]},
                        "coordinates": {"type": "array", "items": {}},
                    },
                },
                "MultiPolygon": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["MultiPolygon", "Polygon"]},
                        "coordinates": {"type": "array", "items": {}},
                    },
                },
                **{f"{n.title().replace('_', '')}Feature": _feature_schema(n) for n in collections},
            },
        },
        "security": [{"bearer": []}],
    }


def hidden_danger_paths() -> dict:
    """The paths of ``/api/hidden-dangers`` (the rectification ledger), for ``/api``'s document."""
    obj = {"type": "object"}
    err = {"description": "the reason, as JSON", "content": {"application/json": {"schema": obj}}}
    errors = {"400": err, "401": err, "403": err, "404": err}
    refused = {
        "description": "a rule refused the step: {rule, error, error_zh}; nothing was written",
        "content": {"application/json": {"schema": obj}},
    }
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "the risk point's code"}  # fmt: skip
    township = {"name": "township", "in": "query", "schema": {"type": "string"},
                "description": "township codes, comma separated"}  # fmt: skip

    def query(name: str, description: str, kind: dict | None = None) -> dict:
        schema = kind or {"type": "string"}
        return {"name": name, "in": "query", "schema": schema, "description": description}

    listing = [
        township,
        query("status", "found, rectifying, rectified, verified (comma separated)"),
        query("grade", "major or general"),
        query("overdue", "open past the deadline", {"type": "boolean"}),
        query("supervised", "listed for supervision", {"type": "boolean"}),
        query("q", "text in the code, name or responsible person"),
        query("sort", "code, name, township, grade, status, deadline, responsible_person, "
              "found_on, supervised, overdue, next_inspection; -name for descending; "
              "default: supervised first, then overdue, then by deadline"),
        query("offset", "rows to skip", {"type": "integer", "minimum": 0}),
        query("limit", "rows (at most 1000)", {"type": "integer", "minimum": 1, "maximum": 1000}),
    ]  # fmt: skip
    step_body = {
        "type": "object",
        "required": ["to"],
        "properties": {
            "to": {"type": "string", "enum": ["rectifying", "rectified", "verified", "reopened"]},
            "note": {"type": "string", "description": "required to report rectified or reopen"},
            "measures": {"type": "string", "description": "the measures taken"},
            "verifier": {"type": "string", "description": "who accepted it (major: required)"},
            "verified_on": {"type": "string", "format": "date", "description": "major: required"},
            "photo": {"type": "string", "format": "byte",
                      "description": "JPEG, PNG, GIF or WebP, base64, at most 5 MB"},
        },
    }  # fmt: skip
    ok = {"description": "ok"}
    body = {"required": True, "content": {"application/json": {"schema": obj}}}
    return {
        "/hidden-dangers": {
            "get": {
                "summary": "a page of the ledger, filtered and sorted by the server",
                "parameters": listing,
                "responses": {
                    "200": {
                        "description": '{"total", "rows": [{"code", "grade", '
                        '"status", "deadline", "overdue", ...}]}'
                    },
                    **errors,
                },
            }
        },
        "/hidden-dangers/figures": {
            "get": {
                "summary": "found, rectified, rate, overdue, major_open, supervised",
                "parameters": [township],
                "responses": {"200": ok, **errors},
            }
        },
        "/hidden-dangers/figures/townships": {
            "get": {
                "summary": "the figures per township and the total",
                "responses": {"200": ok, **errors},
            }
        },
        "/hidden-dangers/figures/monthly": {
            "get": {
                "summary": "found, rectified and verified per month",
                "parameters": [township, query("months", "how many", {"type": "integer"})],
                "responses": {"200": ok, **errors},
            }
        },
        "/hidden-dangers/ledger.xlsx": {
            "get": {
                "summary": "the ledger as an .xlsx (one row per item; figures on sheet 2)",
                "parameters": listing[:6],
                "responses": {"200": {"description": "the workbook"}, **errors},
            }
        },
        "/hidden-dangers/{code}": {
            "parameters": [code],
            "get": {
                "summary": "one item, its account and its steps",
                "responses": {"200": ok, **errors},
            },
        },
        "/hidden-dangers/{code}/steps": {
            "parameters": [code],
            "post": {
                "summary": "move the item on (also multipart/form-data with a photo file)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": step_body}},
                },
                "responses": {
                    "200": {"description": "the item, with its new status"},
                    "409": refused,
                    **errors,
                },
            },
        },
        "/hidden-dangers/{code}/account": {
            "parameters": [code],
            "put": {
                "summary": "found_on, finder, description, responsible unit and person, "
                "deadline, measures, funds, contingency plan",
                "requestBody": body,
                "responses": {"200": ok, "409": refused, **errors},
            },
        },
        "/hidden-dangers/{code}/supervision": {
            "parameters": [code],
            "put": {
                "summary": "list for supervision (by, on) or take off the list (listed: false)",
                "requestBody": body,
                "responses": {"200": ok, "409": refused, **errors},
            },
        },
        "/hidden-dangers/photos/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {"summary": "a step's photo", "responses": {"200": ok, **errors}},
        },
        "/risk-points/{code}/inspections": {
            "parameters": [code],
            "post": {
                "summary": "record an inspection (on, next_due: else by the grade's schedule)",
                "requestBody": body,
                "responses": {"200": ok, **errors},
            },
        },
    }
