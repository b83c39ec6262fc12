"""roads, hazard areas, incidents and dispatch orders

The road network (segments between numbered nodes, with length and speed),
hazard areas that close the roads inside, incidents with what they need,
dispatches (one per confirmation, unique by idempotency key) and their
orders. Three new layers with revision counters kept by triggers, as in 0001:
``incidents`` (incidents, dispatches, orders), ``hazards`` (hazard areas: they
change what routing may use, dispatches do not) and ``roads``.

Revision ID: 0004_dispatch
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0004_dispatch"
down_revision = "0003"
branch_labels = None
depends_on = None

LAYER_OF = {
    "roads": "roads",
    "hazard_areas": "hazards",
    "incidents": "incidents",
    "dispatches": "incidents",
    "dispatch_orders": "incidents",
}


def _audit() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.String(length=100), server_default="", nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "roads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("u", sa.BigInteger(), nullable=False),
        sa.Column("v", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("oneway", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("bridge", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("geom", store.types.Geom("LINESTRING"), nullable=False),
        sa.CheckConstraint(
            "length_m > 0 AND speed_kmh > 0", name=op.f("ck_roads_length_speed_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads")),
    )
    op.create_index(op.f("ix_roads_u"), "roads", ["u"], unique=False)
    op.create_index(op.f("ix_roads_v"), "roads", ["v"], unique=False)
    op.create_table(
        "hazard_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("note", sa.String(length=400), server_default="", nullable=False),
        sa.Column("geom", store.types.Geom("MULTIPOLYGON"), nullable=False),
        *_audit(),
        sa.CheckConstraint(
            "kind IN ('flooded', 'landslide', 'closed')", name=op.f("ck_hazard_areas_kind_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_hazard_areas_code")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reporter", sa.String(length=100), server_default="", nullable=False),
        sa.Column("description", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=True),
        sa.Column("needs", sa.Text(), server_default="{}", nullable=False),
        sa.Column("geom", store.types.Geom("POINT"), nullable=False),
        *_audit(),
        sa.CheckConstraint(
            "type IN ('flood', 'waterlogging', 'seepage', 'dike_breach', 'landslide', 'fire', "
            "'hazchem', 'other')",
            name=op.f("ck_incidents_type_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_incidents_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_incidents_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("code", name=op.f("uq_incidents_code")),
    )
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("routing", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_dispatches_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
        sa.UniqueConstraint("incident_id", "key", name="uq_dispatches_incident_id_key"),
    )
    op.create_table(
        "dispatch_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("depot_code", sa.String(length=40), nullable=True),
        sa.Column("item_code", sa.String(length=40), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("force_code", sa.String(length=40), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("travel_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("times", sa.Text(), server_default="{}", nullable=False),
        *_audit(),
        sa.CheckConstraint(
            "kind IN ('material', 'force')", name=op.f("ck_dispatch_orders_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('ordered', 'en_route', 'on_site', 'returned', 'consumed', 'cancelled')",
            name=op.f("ck_dispatch_orders_status_valid"),
        ),
        sa.CheckConstraint(
            "(kind = 'material' AND depot_code IS NOT NULL AND item_code IS NOT NULL "
            "AND quantity > 0) OR (kind = 'force' AND force_code IS NOT NULL)",
            name=op.f("ck_dispatch_orders_order_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_dispatch_orders_dispatch_id_dispatches"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_dispatch_orders_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["depot_code"], ["depots.code"], name=op.f("fk_dispatch_orders_depot_code_depots")
        ),
        sa.ForeignKeyConstraint(
            ["item_code"],
            ["material_items.code"],
            name=op.f("fk_dispatch_orders_item_code_material_items"),
        ),
        sa.ForeignKeyConstraint(
            ["force_code"], ["forces.code"], name=op.f("fk_dispatch_orders_force_code_forces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_orders")),
    )
    op.create_index(
        op.f("ix_dispatch_orders_incident_id"), "dispatch_orders", ["incident_id"], unique=False
    )
    _triggers()


def _triggers() -> None:
    """The same revision triggers as 0001's, for the new tables."""
    op.bulk_insert(
        sa.table("layer_revisions", sa.column("layer", sa.String), sa.column("revision", sa.Integer)),
        [{"layer": layer, "revision": 0} for layer in sorted(set(LAYER_OF.values()))],
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, layer in LAYER_OF.items():
            op.execute(
                f"CREATE TRIGGER {table}_bump_revision AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION bump_layer_revision('{layer}')"
            )
        return
    for table, layer in LAYER_OF.items():
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_bump_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE layer_revisions SET revision = revision + 1, "
                f"updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE layer = '{layer}'; END"
            )


def downgrade() -> None:
    for table in ("dispatch_orders", "dispatches", "incidents", "hazard_areas", "roads"):
        op.drop_table(table)  # their triggers go with them
    op.execute("DELETE FROM layer_revisions WHERE layer IN ('incidents', 'hazards', 'roads')")
