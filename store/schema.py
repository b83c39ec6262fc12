"""The tables of the four maps. This module owns the schema.

Conventions:

* Every layer row has an integer ``id``, a unique human ``code`` (what
  imports and other tables refer to), Chinese ``name`` and English
  ``name_en``, and ``version``/``updated_at`` for edits with conflict checks.
* ``mobilise_level`` is the response plan: the lowest emergency response
  level at which the force, depot or command node is mobilised, as a number
  (4 = IV ... 1 = I). Level L mobilises every row with ``mobilise_level >= L``.
* ``updated_by`` names who made the last change (a user, a token, or a data
  load); ``history`` keeps every change with its old and new values.
* ``layer_revisions`` holds one counter per layer. Database triggers (created
  by the migrations, on both stores) bump it on every insert, update or
  delete, whoever writes, so every app instance can tell cheaply what changed.
"""

from __future__ import annotations

import sqlalchemy as sa

from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    HAZARD_KINDS,
    INCIDENT_TYPES,
    LEDGER_STEPS,
    NODE_STATUSES,
    ORDER_STATUSES,
    RECTIFICATION_STATUSES,
    RISK_GRADES,
    RISK_KINDS,
    ROLES,
    WARNING_COLOURS,
    keys,
)
from store.types import Geom

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Which layer each table belongs to (a layer's revision covers its tables).
LAYER_TABLES: dict[str, tuple[str, ...]] = {
    "townships": ("jurisdictions", "townships"),
    "risk": ("risk_points", "hidden_dangers", "ledger_photos", "ledger_steps"),
    "materials": ("depots", "depot_stock", "material_items"),
    "forces": ("forces",),
    "command": ("command_nodes",),
    "response": ("response_activations", "activation_townships", "weather_warnings"),
    "incidents": ("incidents", "dispatches", "dispatch_orders"),
    "hazards": ("hazard_areas",),
    "roads": ("roads",),
}


def _one_of(column: str, values: list[str]) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=f"{column}_valid")


def _level_check() -> sa.CheckConstraint:
    return sa.CheckConstraint("mobilise_level BETWEEN 1 AND 4", name="mobilise_level_valid")


def _row_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    ]


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        _updated_by(),
    ]


def _updated_by() -> sa.Column:
    return sa.Column("updated_by", sa.String(100), nullable=False, server_default="")


def _version_columns() -> list[sa.Column]:
    # Response and warning rows: when they changed is in their history.
    return [sa.Column("version", sa.Integer, nullable=False, server_default="1"), _updated_by()]


def _township_fk() -> sa.Column:
    return sa.Column(
        "township_code",
        sa.String(40),
        sa.ForeignKey("townships.code"),
        nullable=False,
        index=True,
    )


jurisdictions = sa.Table(
    "jurisdictions",
    metadata,
    *_row_columns(),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("geom", Geom("MULTIPOLYGON"), nullable=False),
)

townships = sa.Table(
    "townships",
    metadata,
    *_row_columns(),
    sa.Column(
        "jurisdiction_code", sa.String(40), sa.ForeignKey("jurisdictions.code"), nullable=False
    ),
    sa.Column("geom", Geom("MULTIPOLYGON"), nullable=False),
    *_audit_columns(),
)

# The column the triggers stamp with the layer revision of a row's last insert or update.
ROW_REVISION = "row_revision"

risk_points = sa.Table(
    "risk_points",
    metadata,
    *_row_columns(),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("grade", sa.String(20), nullable=False, index=True),
    _township_fk(),
    sa.Column("geom", Geom("POINT"), nullable=False),
    sa.Column("responsible_person", sa.String(60), nullable=False, server_default=""),
    sa.Column("responsible_phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("supervising_leader", sa.String(60), nullable=False, server_default=""),
    sa.Column("people_threatened", sa.Integer, nullable=False, server_default="0"),
    sa.Column("households_threatened", sa.Integer, nullable=False, server_default="0"),
    # Only hidden dangers are rectified; risk sources leave these empty.
    sa.Column("rectification_status", sa.String(20)),
    sa.Column("rectification_deadline", sa.Date, index=True),  # the ledger sorts by it
    sa.Column("last_inspection", sa.Date),
    *_audit_columns(),
    # The inspection schedule: when the point is next due (else last + INSPECTION_DAYS).
    sa.Column("next_inspection", sa.Date),
    # The risk layer's revision that last inserted or updated the row, set by the
    # database's triggers: a reader at revision R re-reads only the rows above R (0009).
    sa.Column(ROW_REVISION, sa.Integer, nullable=False, server_default="0", index=True),
    # The ledger's pages: hidden dangers by status, in deadline order (0009).
    sa.Index(
        "ix_risk_points_ledger_deadline",
        "kind",
        "rectification_status",
        "rectification_deadline",
        "code",
    ),
    _one_of("kind", keys(RISK_KINDS)),
    _one_of("grade", keys(RISK_GRADES)),
    sa.CheckConstraint(
        "rectification_status IS NULL OR rectification_status IN ("
        + ", ".join(f"'{v}'" for v in keys(RECTIFICATION_STATUSES))
        + ")",
        name="rectification_status_valid",
    ),
)

# --- the rectification ledger (layer "risk") ---

# One row per hidden danger with a ledger account: who found it, who answers for
# it, the "five in place", supervision, and who rectified and verified it. The
# work state itself is ``risk_points.rectification_status`` (what the map draws);
# an item is verified and closed when it is rectified and ``verified_at`` is set.
hidden_dangers = sa.Table(
    "hidden_dangers",
    metadata,
    sa.Column(
        "code",
        sa.String(40),
        sa.ForeignKey("risk_points.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("found_on", sa.Date),
    sa.Column("finder", sa.String(100), nullable=False, server_default=""),
    sa.Column("description", sa.String(1000), nullable=False, server_default=""),
    sa.Column("responsible_unit", sa.String(200), nullable=False, server_default=""),
    sa.Column("measures", sa.String(1000), nullable=False, server_default=""),
    sa.Column("funds", sa.Float),  # yuan secured for the rectification
    sa.Column("contingency_plan", sa.String(1000), nullable=False, server_default=""),
    sa.Column("supervised", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("supervised_by", sa.String(100), nullable=False, server_default=""),
    sa.Column("supervised_on", sa.Date),
    sa.Column("rectified_by", sa.String(100), nullable=False, server_default=""),
    sa.Column("rectified_at", sa.DateTime(timezone=True)),
    sa.Column("verifier", sa.String(100), nullable=False, server_default=""),
    sa.Column("verified_by", sa.String(100), nullable=False, server_default=""),
    sa.Column("verified_on", sa.Date),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    *_audit_columns(),
    sa.CheckConstraint("funds IS NULL OR funds >= 0", name="funds_not_negative"),
)

# A photo attached to a step: stored by the app, image types only, size-limited.
ledger_photos = sa.Table(
    "ledger_photos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "code",
        sa.String(40),
        sa.ForeignKey("risk_points.code", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("content_type", sa.String(40), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.String(100), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
)

# Every step of every item: who, when, from and to which status, a note, a photo.
ledger_steps = sa.Table(
    "ledger_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "code",
        sa.String(40),
        sa.ForeignKey("risk_points.code", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("step", sa.String(20), nullable=False),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20)),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.String(1000), nullable=False, server_default=""),
    sa.Column("photo_id", sa.Integer, sa.ForeignKey("ledger_photos.id")),
    _one_of("step", [*keys(LEDGER_STEPS), "registered", "supervised", "inspected"]),
)

material_items = sa.Table(
    "material_items",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("name_en", sa.String(100), nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("unit_en", sa.String(20), nullable=False),
    sa.Column("key_item", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
)

depots = sa.Table(
    "depots",
    metadata,
    *_row_columns(),
    sa.Column("level", sa.String(20), nullable=False),
    _township_fk(),
    sa.Column("geom", Geom("POINT"), nullable=False),
    sa.Column("keeper", sa.String(60), nullable=False, server_default=""),
    sa.Column("keeper_phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("mobilise_level", sa.Integer, nullable=False, server_default="4"),
    *_audit_columns(),
    _one_of("level", keys(DEPOT_LEVELS)),
    _level_check(),
)

depot_stock = sa.Table(
    "depot_stock",
    metadata,
    sa.Column(
        "depot_code",
        sa.String(40),
        sa.ForeignKey("depots.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("item_code", sa.String(40), sa.ForeignKey("material_items.code"), primary_key=True),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
)

forces = sa.Table(
    "forces",
    metadata,
    *_row_columns(),
    sa.Column("type", sa.String(30), nullable=False, index=True),
    _township_fk(),
    sa.Column("geom", Geom("POINT"), nullable=False),
    sa.Column("headcount", sa.Integer, nullable=False, server_default="0"),
    sa.Column("vehicles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("boats", sa.Integer, nullable=False, server_default="0"),
    sa.Column("leader", sa.String(60), nullable=False, server_default=""),
    sa.Column("leader_phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("status", sa.String(20), nullable=False, server_default="available"),
    sa.Column("mobilise_level", sa.Integer, nullable=False, server_default="4"),
    *_audit_columns(),
    _one_of("type", keys(FORCE_TYPES)),
    _one_of("status", keys(FORCE_STATUSES)),
    _level_check(),
    sa.CheckConstraint(
        "headcount >= 0 AND vehicles >= 0 AND boats >= 0", name="counts_not_negative"
    ),
)

command_nodes = sa.Table(
    "command_nodes",
    metadata,
    *_row_columns(),
    sa.Column("level", sa.String(20), nullable=False, index=True),
    sa.Column("parent_code", sa.String(40), sa.ForeignKey("command_nodes.code")),
    # Nodes above the district (ministry ... city) have no township.
    sa.Column("township_code", sa.String(40), sa.ForeignKey("townships.code"), index=True),
    sa.Column("geom", Geom("POINT"), nullable=False),
    sa.Column("duty_officer", sa.String(60), nullable=False, server_default=""),
    sa.Column("duty_phone", sa.String(40), nullable=False, server_default=""),
    # Contact channels, comma separated: phone, dingtalk, video, satellite, radio.
    sa.Column("channels", sa.String(200), nullable=False, server_default="phone"),
    sa.Column("status", sa.String(20), nullable=False, server_default="on_duty"),
    sa.Column("mobilise_level", sa.Integer, nullable=False, server_default="4"),
    *_audit_columns(),
    _one_of("level", keys(COMMAND_LEVELS)),
    _one_of("status", keys(NODE_STATUSES)),
    _level_check(),
)

response_activations = sa.Table(
    "response_activations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True)),
    sa.Column("reason", sa.String(400), nullable=False, server_default=""),
    sa.Column("reason_en", sa.String(400), nullable=False, server_default=""),
    *_version_columns(),
    sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_valid"),
)

# An activation with no township rows covers the whole jurisdiction.
activation_townships = sa.Table(
    "activation_townships",
    metadata,
    sa.Column(
        "activation_id",
        sa.Integer,
        sa.ForeignKey("response_activations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("township_code", sa.String(40), sa.ForeignKey("townships.code"), primary_key=True),
)

weather_warnings = sa.Table(
    "weather_warnings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("identifier", sa.String(100), nullable=False, unique=True),  # CAP identifier
    sa.Column("event", sa.String(100), nullable=False),
    sa.Column("event_en", sa.String(100), nullable=False, server_default=""),
    sa.Column("colour", sa.String(10), nullable=False),
    sa.Column("headline", sa.String(400), nullable=False, server_default=""),
    sa.Column("headline_en", sa.String(400), nullable=False, server_default=""),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    *_version_columns(),
    _one_of("colour", keys(WARNING_COLOURS)),
)

layer_revisions = sa.Table(
    "layer_revisions",
    metadata,
    sa.Column("layer", sa.String(40), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column(
        "updated_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
)


# --- who may do what, and what they did (not layers: no revision triggers) ---

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(60), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    # argon2 hash; empty for an account that may not sign in with a password
    sa.Column("password_hash", sa.String(200), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # bumped when the password changes or the user is disabled: old sessions end
    sa.Column("session_epoch", sa.Integer, nullable=False, server_default="1"),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
    _one_of("role", keys(ROLES)),
)

# Bearer tokens for scripts (acting as their user) and wall URLs (a viewer, no user).
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, server_default=""),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.String(100), nullable=False, server_default=""),
    _one_of("kind", ["api", "wall"]),
    _one_of("role", keys(ROLES)),
)

# One row per change of one record, written in the transaction of the change.
history = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("collection", sa.String(40), nullable=False),
    sa.Column("code", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # the record's version after the change
    # JSON: {"field": [old, new], ...}; geometry as GeoJSON; for a delete, every field
    sa.Column("changes", sa.Text, nullable=False),
    sa.Column("note", sa.String(400), nullable=False, server_default=""),
    sa.Column("reverts", sa.Integer, sa.ForeignKey("history.id")),
    _one_of("action", ["create", "update", "delete", "restore", "revert"]),
    sa.Index("ix_history_collection_code", "collection", "code", "id"),
    # A history row is deleted only with the rows that revert it: without this
    # index each such delete scans the table (0008).
    sa.Index("ix_history_reverts", "reverts"),
)

# Settings the app keeps for itself, shared by every worker and instance (the
# session signing key).
app_settings = sa.Table(
    "app_settings",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Failed sign-ins, shared by every worker and instance, so guessing is throttled
# per name and per address wherever the guesses land (0005).
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("address", sa.String(64), nullable=False, server_default=""),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_sign_in_failures_name_at", "name", "at"),
    sa.Index("ix_sign_in_failures_address_at", "address", "at"),
)


# --- incidents and dispatch (layer "incidents"), the road network (layer "roads") ---

# One row per road segment between two network nodes ``u`` and ``v``; travel
# time is length over speed. Nodes are numbered by the loader (synthetic demo
# network, or an OpenStreetMap extract); a one-way segment runs from u to v.
roads = sa.Table(
    "roads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("u", sa.BigInteger, nullable=False, index=True),
    sa.Column("v", sa.BigInteger, nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("oneway", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("bridge", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("length_m", sa.Float, nullable=False),
    sa.Column("speed_kmh", sa.Float, nullable=False),
    sa.Column("geom", Geom("LINESTRING"), nullable=False),
    sa.CheckConstraint("length_m > 0 AND speed_kmh > 0", name="length_speed_positive"),
)

# A flooded area or a landslide zone: roads inside are impassable for routing.
hazard_areas = sa.Table(
    "hazard_areas",
    metadata,
    *_row_columns(),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("note", sa.String(400), nullable=False, server_default=""),
    sa.Column("geom", Geom("MULTIPOLYGON"), nullable=False),
    *_audit_columns(),
    _one_of("kind", keys(HAZARD_KINDS)),
)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reporter", sa.String(100), nullable=False, server_default=""),
    sa.Column("description", sa.String(1000), nullable=False, server_default=""),
    sa.Column("township_code", sa.String(40), sa.ForeignKey("townships.code")),
    # JSON: {"items": {item code: quantity}, "forces": {force type: headcount},
    # "boats": n, "vehicles": n}
    sa.Column("needs", sa.Text, nullable=False, server_default="{}"),
    sa.Column("geom", Geom("POINT"), nullable=False),
    *_audit_columns(),
    _one_of("type", keys(INCIDENT_TYPES)),
    _one_of("status", ["open", "closed"]),
)

# One confirmed dispatch: its key makes a double-click (or a retried request) count once.
dispatches = sa.Table(
    "dispatches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("routing", sa.String(20), nullable=False),
    sa.UniqueConstraint("incident_id", "key", name="uq_dispatches_incident_id_key"),
)

# What was sent: material from a depot, or a force; with the times of its status.
dispatch_orders = sa.Table(
    "dispatch_orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dispatch_id", sa.Integer, sa.ForeignKey("dispatches.id"), nullable=False),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("depot_code", sa.String(40), sa.ForeignKey("depots.code")),
    sa.Column("item_code", sa.String(40), sa.ForeignKey("material_items.code")),
    sa.Column("quantity", sa.Float),
    sa.Column("force_code", sa.String(40), sa.ForeignKey("forces.code")),
    sa.Column("headcount", sa.Integer),
    sa.Column("travel_s", sa.Float, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    # JSON: {status: when (UTC ISO)} for every status the order went through
    sa.Column("times", sa.Text, nullable=False, server_default="{}"),
    *_audit_columns(),
    _one_of("kind", ["material", "force"]),
    _one_of("status", keys(ORDER_STATUSES)),
    sa.CheckConstraint(
        "(kind = 'material' AND depot_code IS NOT NULL AND item_code IS NOT NULL "
        "AND quantity > 0) OR (kind = 'force' AND force_code IS NOT NULL)",
        name="order_complete",
    ),
)

# One row per committed import of a file: who, what, and the rows left out when the
# planner chose to commit the accepted rows only. Its records' history rows name it.
imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("collection", sa.String(40), nullable=False),
    sa.Column("file", sa.String(400), nullable=False),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("encoding", sa.String(40), nullable=False, server_default=""),
    sa.Column("crs", sa.String(100), nullable=False, server_default=""),
    sa.Column("added", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    # JSON: [{"row": n, "field": "...", "reason": "..."}, ...] rows left out (accept-partial)
    sa.Column("left_out", sa.Text, nullable=False, server_default="[]"),
    sa.Column("partial", sa.Boolean, nullable=False, server_default=sa.false()),
)
