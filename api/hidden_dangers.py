"""``/api/hidden-dangers``: the rectification ledger over HTTP, for a field app and scripts.

    GET  /api/hidden-dangers                 ?township=&status=&grade=&overdue=&supervised=
                                             &q=&sort=&offset=&limit=   -> {"total", "rows"}
    GET  /api/hidden-dangers/figures         ?township=   -> found, rectified, rate, ...
    GET  /api/hidden-dangers/figures/townships            -> one row per township, and the total
    GET  /api/hidden-dangers/figures/monthly ?township=&months=
    GET  /api/hidden-dangers/ledger.xlsx     ?township=&status=&...  the ledger, bureau layout
    GET  /api/hidden-dangers/{code}          the item, its account and its steps
    POST /api/hidden-dangers/{code}/steps    {"to", "note", "measures", "verifier", "verified_on",
                                             "photo" (base64)} or multipart with a ``photo`` file
    PUT  /api/hidden-dangers/{code}/account  {"responsible_unit", "measures", "funds", ...}
    PUT  /api/hidden-dangers/{code}/supervision  {"by", "on", "listed"}
    GET  /api/hidden-dangers/photos/{id}     a step's photo
    POST /api/risk-points/{code}/inspections {"on", "next_due", "note"}

Codes are the risk points' codes. Auth as for the rest of ``/api``; every
operation is a :mod:`ledger.operations` function, which checks the role itself.
A step the rules refuse answers 409 with the rule (``rule``) and its reason in
English and Chinese.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from typing import Any

import flask

from api.incidents import _body
from api.ogc import BadRequest, _json, _plain, router
from auth import require
from config import Settings
from ledger import operations as ops
from ledger.figures import by_township, figures, monthly
from ledger.rules import Refused, danger_grade
from store import Store
from store import ledger as store_ledger
from store.ledger import SORTS, Query
from web.security import current_principal

MAX_LIMIT = 1000
GRADES = {"major": ["major"], "general": ["larger", "general", "low"]}
STATUSES = ("found", "rectifying", "rectified", "verified")


def blueprint(store: Store, settings: Settings) -> flask.Blueprint:
    bp = flask.Blueprint("hidden_dangers_api", __name__, url_prefix="/api")

    route = router(bp, _refused_as_409)

    @route("/hidden-dangers")
    def listing() -> flask.Response:
        total, rows = ops.hidden_dangers(store, current_principal(), query_from(flask.request.args))
        return _json({"total": total, "rows": [row_json(r) for r in rows]})

    @route("/hidden-dangers/figures")
    def key_figures() -> flask.Response:
        return _json(figures(store, current_principal(), _townships(flask.request.args)).as_json())

    @route("/hidden-dangers/figures/townships")
    def per_township() -> flask.Response:
        table = by_township(store, current_principal())
        return _json({"townships": table.to_dict("records")})

    @route("/hidden-dangers/figures/monthly")
    def trend() -> flask.Response:
        months = _int(flask.request.args, "months", 12, 1, 120)
        table = monthly(store, current_principal(), _townships(flask.request.args), months=months)
        return _json({"months": table.to_dict("records")})

    @route("/hidden-dangers/ledger.xlsx")
    def export() -> flask.Response:
        from ledger.export import ledger_workbook

        query = query_from(flask.request.args)
        data = ledger_workbook(
            store, current_principal(), query, lang=_lang(), timezone=settings.timezone
        )
        response = flask.Response(
            data,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response.headers["Content-Disposition"] = "attachment; filename=hidden-dangers.xlsx"
        return response

    @route("/hidden-dangers/<code>")
    def one(code: str) -> flask.Response:
        return _json(item_json(ops.hidden_danger(store, current_principal(), code)))

    @route("/hidden-dangers/<code>/steps", methods=("POST",))
    def step(code: str) -> flask.Response:
        body, photo = _step_body()
        if not isinstance(body.get("to"), str):
            raise BadRequest("to", "to is required: rectifying, rectified, verified or reopened")
        after = ops.take_step(
            store,
            current_principal(),
            code,
            body["to"],
            str(body.get("note") or ""),
            measures=_text(body, "measures"),
            verifier=_text(body, "verifier"),
            verified_on=_text(body, "verified_on"),
            photo=photo,
        )
        return _json(item_json(after))

    @route("/hidden-dangers/<code>/account", methods=("PUT",))
    def account(code: str) -> flask.Response:
        body = _body()
        note = str(body.pop("note", "") or "")
        unknown = set(body) - set(ops.ACCOUNT_FIELDS) - set(ops.POINT_FIELDS)
        if unknown:
            raise BadRequest(sorted(unknown)[0], f"not a field of the ledger: {sorted(unknown)}")
        after = ops.register_hidden_danger(store, current_principal(), code, body, note)
        return _json(item_json(after))

    @route("/hidden-dangers/<code>/supervision", methods=("PUT",))
    def supervision(code: str) -> flask.Response:
        body = _body()
        listed = body.get("listed", True)
        if not isinstance(listed, bool):
            raise BadRequest("listed", "listed is true or false")
        after = ops.supervise_hidden_danger(
            store, current_principal(), code, str(body.get("by") or ""), body.get("on"),
            listed=listed, note=str(body.get("note") or ""),
        )  # fmt: skip
        return _json(item_json(after))

    @route("/hidden-dangers/photos/<int(max=2147483647):photo_id>")  # a 32-bit id
    def photo(photo_id: int) -> flask.Response:
        require(current_principal(), "read")
        found = store_ledger.photo(store.engine, photo_id)
        if found is None:
            return _json({"status": 404, "error": f"no photo #{photo_id}"}, status=404)
        response = flask.Response(bytes(found["data"]), mimetype=found["content_type"])
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    @route("/risk-points/<code>/inspections", methods=("POST",))
    def inspection(code: str) -> flask.Response:
        body = _body()
        after = ops.record_inspection(
            store, current_principal(), code, body.get("on"), body.get("next_due"),
            str(body.get("note") or ""),
        )  # fmt: skip
        return _json(
            {
                "code": code,
                "last_inspection": _plain(after["last_inspection"]),
                "next_inspection": _plain(after["next_inspection"]),
            }
        )

    return bp


def query_from(args: Any) -> Query:
    """The page a request's parameters ask for (the grid's and the API's)."""
    statuses = _list(args, "status")
    for status in statuses or ():
        if status not in STATUSES:
            raise BadRequest("status", f"status is one of {', '.join(STATUSES)}")
    grades = None
    if args.get("grade"):
        grades = []
        for grade in _list(args, "grade") or ():
            if grade not in GRADES:
                raise BadRequest("grade", "grade is major or general")
            grades += GRADES[grade]
    sort = args.get("sort", "")
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort and sort not in SORTS:
        raise BadRequest("sort", f"sort by one of {', '.join(SORTS)} (-name: descending)")
    return Query(
        townships=_townships(args),
        statuses=statuses,
        grades=grades,
        overdue=_bool(args, "overdue"),
        supervised=_bool(args, "supervised"),
        text=args.get("q", "").strip(),
        sort=sort,
        descending=descending,
        offset=_int(args, "offset", 0, 0, 10**9),
        limit=_int(args, "limit", 100, 1, MAX_LIMIT),
    )


def row_json(row: dict) -> dict:
    """One row of a page, as the API and the grid send it."""
    return {
        "code": row["code"],
        "name": row["name"],
        "name_en": row["name_en"],
        "township_code": row["township_code"],
        "grade": danger_grade(row["grade"]) if row["kind"] == "hidden_danger" else None,
        "risk_grade": row["grade"],
        "kind": row["kind"],
        "category": row["category"],
        "status": row["status"],
        "deadline": _plain(row["rectification_deadline"]),
        "overdue": row["overdue"],
        "supervised": row["supervised"],
        "supervised_by": row["supervised_by"] or "",
        "responsible_unit": row["responsible_unit"] or "",
        "responsible_person": row["responsible_person"],
        "responsible_phone": row["responsible_phone"],
        "measures": row["measures"] or "",
        "funds": row["funds"],
        "contingency_plan": row["contingency_plan"] or "",
        "found_on": _plain(row["found_on"]),
        "finder": row["finder"] or "",
        "rectified_by": row["rectified_by"] or "",
        "rectified_at": _plain(row["rectified_at"]),
        "verifier": row["verifier"] or "",
        "verified_on": _plain(row["verified_on"]),
        "last_inspection": _plain(row["last_inspection"]),
        "next_inspection": _plain(row["next_inspection"]),
    }


def item_json(item: dict) -> dict:
    """One item: its row's fields, where it is, its version and its steps."""
    fields = {k: _plain(v) for k, v in item.items() if k not in ("geom", "steps")}
    fields["grade"] = danger_grade(item["grade"]) if item["kind"] == "hidden_danger" else None
    fields["risk_grade"] = item["grade"]
    fields["lon"], fields["lat"] = item["geom"].x, item["geom"].y
    if "steps" in item:
        fields["steps"] = [{k: _plain(v) for k, v in s.items()} for s in item["steps"]]
    return fields


def _refused_as_409(handler: Callable[[], flask.Response]) -> flask.Response:
    try:
        return handler()
    except Refused as exc:
        return _json({"status": 409, **exc.as_json(), "params": exc.params}, status=409)
    except ValueError as exc:  # a sort or field the store does not know
        return _json({"status": 400, "error": str(exc)}, status=400)


def _step_body() -> tuple[dict, bytes | None]:
    request = flask.request
    if request.mimetype == "multipart/form-data":
        body = request.form.to_dict()
        upload = request.files.get("photo")
        return body, (upload.read() if upload else None)
    body = _body()
    photo = body.get("photo")
    if photo in (None, ""):
        return body, None
    if not isinstance(photo, str):
        raise BadRequest("photo", "photo is the image, base64-encoded")
    try:
        return body, base64.b64decode(photo, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("photo", "photo is not base64") from None


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    return None if value in (None, "") else str(value)


def _list(args: Any, name: str) -> list[str] | None:
    raw = args.get(name, "")
    values = [v.strip() for v in raw.split(",") if v.strip()]
    return values or None


def _townships(args: Any) -> list[str] | None:
    return _list(args, "township")


def _bool(args: Any, name: str) -> bool | None:
    raw = args.get(name, "").lower()
    if raw == "":
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise BadRequest(name, f"{name} is true or false")


def _int(args: Any, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise BadRequest(name, f"{name} must be from {low} to {high}")
    return value


def _lang() -> str:
    return "en" if flask.request.args.get("lang") == "en" else "zh"


def today() -> date:
    return date.today()
