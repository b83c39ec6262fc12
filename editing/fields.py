"""The fields of every editable collection: their kind, whether required, their vocabulary.

One description serves the desk's forms (which input to draw, what to check as
the planner types), the API (what a property may hold, the OpenAPI schema) and
imports. Labels are the dashboard's (``field_<name>`` in
:mod:`dashboard.i18n`); messages are :mod:`editing.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    HAZARD_KINDS,
    INCIDENT_TYPES,
    NODE_STATUSES,
    RECTIFICATION_STATUSES,
    RISK_CATEGORIES,
    RISK_GRADES,
    RISK_KINDS,
    WARNING_COLOURS,
    Term,
)

CHANNELS = ("phone", "dingtalk", "video", "satellite", "radio")


@dataclass(frozen=True)
class Field:
    """One field of a record.

    ``kind``: ``code``, ``text``, ``phone``, ``int``, ``float``, ``choice``
    (of ``vocab``), ``level`` (response level 1-4), ``date``, ``datetime``,
    ``ref`` (the code of a record of ``ref``), ``channels``, ``point``,
    ``multipolygon``, ``stock`` (item code -> quantity), ``townships``
    (township codes).
    """

    name: str
    kind: str
    required: bool = False
    vocab: tuple[Term, ...] | None = None
    ref: str | None = None
    max_len: int = 200
    minimum: float | None = None
    maximum: float | None = None
    default: object = None
    personal: bool = False  # a person's name or phone: shown only to signed-in users


def _code() -> Field:
    return Field("code", "code", required=True, max_len=40)


def _names() -> list[Field]:
    return [Field("name", "text", required=True), Field("name_en", "text", default="")]


def _person(name: str, phone: str) -> list[Field]:
    return [
        Field(name, "text", max_len=60, default="", personal=True),
        Field(phone, "phone", default="", personal=True),
    ]


def _township(required: bool = True) -> Field:
    return Field("township_code", "ref", required=required, ref="townships")


def _mobilise() -> Field:
    return Field("mobilise_level", "level", required=True, default=4)


def _count(name: str) -> Field:
    return Field(name, "int", required=True, minimum=0, default=0)


FIELDS: dict[str, tuple[Field, ...]] = {
    "townships": (
        _code(),
        *_names(),
        Field("jurisdiction_code", "ref", required=True, ref="jurisdictions"),
        Field("geom", "multipolygon", required=True),
    ),
    "risk_points": (
        _code(),
        *_names(),
        Field("category", "choice", required=True, vocab=RISK_CATEGORIES),
        Field("kind", "choice", required=True, vocab=RISK_KINDS),
        Field("grade", "choice", required=True, vocab=RISK_GRADES),
        _township(),
        Field("geom", "point", required=True),
        *_person("responsible_person", "responsible_phone"),
        Field("supervising_leader", "text", max_len=60, default="", personal=True),
        _count("people_threatened"),
        _count("households_threatened"),
        Field("rectification_status", "choice", vocab=RECTIFICATION_STATUSES),
        Field("rectification_deadline", "date"),
        Field("last_inspection", "date"),
    ),
    "depots": (
        _code(),
        *_names(),
        Field("level", "choice", required=True, vocab=DEPOT_LEVELS),
        _township(),
        Field("geom", "point", required=True),
        *_person("keeper", "keeper_phone"),
        _mobilise(),
        Field("stock", "stock", default={}),
    ),
    "forces": (
        _code(),
        *_names(),
        Field("type", "choice", required=True, vocab=FORCE_TYPES),
        _township(),
        Field("geom", "point", required=True),
        _count("headcount"),
        _count("vehicles"),
        _count("boats"),
        *_person("leader", "leader_phone"),
        Field("status", "choice", required=True, vocab=FORCE_STATUSES, default="available"),
        _mobilise(),
    ),
    "command_nodes": (
        _code(),
        *_names(),
        Field("level", "choice", required=True, vocab=COMMAND_LEVELS),
        Field("parent_code", "ref", ref="command_nodes"),
        _township(required=False),
        Field("geom", "point", required=True),
        *_person("duty_officer", "duty_phone"),
        Field("channels", "channels", default="phone"),
        Field("status", "choice", required=True, vocab=NODE_STATUSES, default="on_duty"),
        _mobilise(),
    ),
    "response_activations": (
        Field("level", "level", required=True),
        Field("starts_at", "datetime", required=True),
        Field("ends_at", "datetime"),
        Field("reason", "text", max_len=400, default=""),
        Field("reason_en", "text", max_len=400, default=""),
        Field("townships", "townships", default=[]),
    ),
    "weather_warnings": (
        Field("identifier", "code", required=True, max_len=100),
        Field("event", "text", required=True, max_len=100),
        Field("event_en", "text", max_len=100, default=""),
        Field("colour", "choice", required=True, vocab=WARNING_COLOURS),
        Field("headline", "text", max_len=400, default=""),
        Field("headline_en", "text", max_len=400, default=""),
        Field("issued_at", "datetime", required=True),
        Field("expires_at", "datetime"),
    ),
}

FIELDS["hazard_areas"] = (
    _code(),
    *_names(),
    Field("kind", "choice", required=True, vocab=HAZARD_KINDS, default="flooded"),
    Field("active", "bool", default=True),
    Field("note", "text", max_len=400, default=""),
    Field("geom", "multipolygon", required=True),
)
FIELDS["incidents"] = (
    Field("code", "code", required=True, max_len=40),
    Field("type", "choice", required=True, vocab=INCIDENT_TYPES),
    Field(
        "status",
        "choice",
        vocab=(Term("open", "处置中", "Open"), Term("closed", "已结束", "Closed")),
        default="open",
    ),
    Field("reported_at", "datetime", required=True),
    Field("reporter", "text", max_len=100, default="", personal=True),
    Field("description", "text", max_len=1000, default=""),
    Field("township_code", "ref", ref="townships"),
    Field("needs", "needs", default={}),
    Field("geom", "point", required=True),
)

# Roads are loaded whole (the demo's generator, an OpenStreetMap extract), not edited.
FIELDS["roads"] = (
    Field("id", "int", required=True),
    Field("u", "int", required=True),
    Field("v", "int", required=True),
    Field("name", "text", default=""),
    Field("kind", "text", required=True, max_len=30),
    Field("oneway", "bool", default=False),
    Field("bridge", "bool", default=False),
    Field("length_m", "float", required=True, minimum=0),
    Field("speed_kmh", "float", required=True, minimum=0),
    Field("geom", "linestring", required=True),
)

# What a record is called in messages ("no township with the code ...").
NOUNS: dict[str, tuple[str, str]] = {
    "townships": ("乡镇", "township"),
    "jurisdictions": ("辖区", "jurisdiction"),
    "risk_points": ("风险隐患点", "risk point"),
    "depots": ("物资储备点", "depot"),
    "forces": ("救援力量", "force"),
    "command_nodes": ("指挥节点", "command node"),
    "response_activations": ("应急响应", "response"),
    "weather_warnings": ("预警信号", "weather warning"),
    "hazard_areas": ("危险区域", "hazard area"),
    "incidents": ("突发事件", "incident"),
    "roads": ("道路", "road"),
}

# Who may change each collection (see auth.roles.PERMISSIONS).
PERMISSION: dict[str, str] = {
    "townships": "edit",
    "risk_points": "edit",
    "depots": "edit",
    "forces": "edit",
    "command_nodes": "edit",
    "response_activations": "respond",
    "weather_warnings": "respond",
    "hazard_areas": "respond",
    "incidents": "respond",
    "roads": "admin",
}


# Each collection's fields by name, built once: an import asks for them per row.
BY_NAME: dict[str, dict[str, Field]] = {
    collection: {f.name: f for f in fields} for collection, fields in FIELDS.items()
}


def field_of(collection: str, name: str) -> Field | None:
    return BY_NAME[collection].get(name)


def personal_fields(collection: str) -> set[str]:
    """Names and phone numbers of people: hidden from anyone not signed in."""
    return {f.name for f in FIELDS.get(collection, ()) if f.personal}
