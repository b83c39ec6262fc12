"""four maps schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jurisdictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("geom", store.types.Geom("MULTIPOLYGON"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdictions")),
        sa.UniqueConstraint("code", name=op.f("uq_jurisdictions_code")),
    )
    op.create_table(
        "layer_revisions",
        sa.Column("layer", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("layer", name=op.f("pk_layer_revisions")),
    )
    op.create_table(
        "material_items",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_en", sa.String(length=20), nullable=False),
        sa.Column(
            "key_item", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_material_items")),
    )
    op.create_table(
        "response_activations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=400), server_default="", nullable=False),
        sa.Column(
            "reason_en", sa.String(length=400), server_default="", nullable=False
        ),
        sa.CheckConstraint(
            "level BETWEEN 1 AND 4", name=op.f("ck_response_activations_level_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_activations")),
    )
    op.create_table(
        "weather_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("event_en", sa.String(length=100), server_default="", nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("headline", sa.String(length=400), server_default="", nullable=False),
        sa.Column(
            "headline_en", sa.String(length=400), server_default="", nullable=False
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "colour IN ('red', 'orange', 'yellow', 'blue')",
            name=op.f("ck_weather_warnings_colour_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_warnings")),
        sa.UniqueConstraint("identifier", name=op.f("uq_weather_warnings_identifier")),
    )
    op.create_table(
        "townships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=40), nullable=False),
        sa.Column("geom", store.types.Geom("MULTIPOLYGON"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_townships_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_townships")),
        sa.UniqueConstraint("code", name=op.f("uq_townships_code")),
    )
    op.create_table(
        "activation_townships",
        sa.Column("activation_id", sa.Integer(), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["response_activations.id"],
            name=op.f("fk_activation_townships_activation_id_response_activations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_activation_townships_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint(
            "activation_id", "township_code", name=op.f("pk_activation_townships")
        ),
    )
    op.create_table(
        "command_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=True),
        sa.Column("township_code", sa.String(length=40), nullable=True),
        sa.Column("geom", store.types.Geom("POINT"), nullable=False),
        sa.Column(
            "duty_officer", sa.String(length=60), server_default="", nullable=False
        ),
        sa.Column(
            "duty_phone", sa.String(length=40), server_default="", nullable=False
        ),
        sa.Column(
            "channels", sa.String(length=200), server_default="phone", nullable=False
        ),
        sa.Column(
            "status", sa.String(length=20), server_default="on_duty", nullable=False
        ),
        sa.Column("mobilise_level", sa.Integer(), server_default="4", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "level IN ('ministry', 'province', 'city', 'county', 'township', 'village')",
            name=op.f("ck_command_nodes_level_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('on_duty', 'off_duty')",
            name=op.f("ck_command_nodes_status_valid"),
        ),
        sa.CheckConstraint(
            "mobilise_level BETWEEN 1 AND 4",
            name=op.f("ck_command_nodes_mobilise_level_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["command_nodes.code"],
            name=op.f("fk_command_nodes_parent_code_command_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_command_nodes_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_command_nodes")),
        sa.UniqueConstraint("code", name=op.f("uq_command_nodes_code")),
    )
    op.create_index(
        op.f("ix_command_nodes_level"), "command_nodes", ["level"], unique=False
    )
    op.create_index(
        op.f("ix_command_nodes_township_code"),
        "command_nodes",
        ["township_code"],
        unique=False,
    )
    op.create_table(
        "depots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.Column("geom", store.types.Geom("POINT"), nullable=False),
        sa.Column("keeper", sa.String(length=60), server_default="", nullable=False),
        sa.Column(
            "keeper_phone", sa.String(length=40), server_default="", nullable=False
        ),
        sa.Column("mobilise_level", sa.Integer(), server_default="4", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "level IN ('city', 'county', 'township', 'village', 'enterprise')",
            name=op.f("ck_depots_level_valid"),
        ),
        sa.CheckConstraint(
            "mobilise_level BETWEEN 1 AND 4",
            name=op.f("ck_depots_mobilise_level_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_depots_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depots")),
        sa.UniqueConstraint("code", name=op.f("uq_depots_code")),
    )
    op.create_index(
        op.f("ix_depots_township_code"), "depots", ["township_code"], unique=False
    )
    op.create_table(
        "forces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.Column("geom", store.types.Geom("POINT"), nullable=False),
        sa.Column("headcount", sa.Integer(), server_default="0", nullable=False),
        sa.Column("vehicles", sa.Integer(), server_default="0", nullable=False),
        sa.Column("boats", sa.Integer(), server_default="0", nullable=False),
        sa.Column("leader", sa.String(length=60), server_default="", nullable=False),
        sa.Column(
            "leader_phone", sa.String(length=40), server_default="", nullable=False
        ),
        sa.Column(
            "status", sa.String(length=20), server_default="available", nullable=False
        ),
        sa.Column("mobilise_level", sa.Integer(), server_default="4", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('available', 'deployed', 'off_duty')",
            name=op.f("ck_forces_status_valid"),
        ),
        sa.CheckConstraint(
            "type IN ('fire_rescue', 'flood_team', 'forest_fire', 'hazchem_team', 'social', 'militia', 'enterprise_team', 'part_time', 'grid')",
            name=op.f("ck_forces_type_valid"),
        ),
        sa.CheckConstraint(
            "headcount >= 0 AND vehicles >= 0 AND boats >= 0",
            name=op.f("ck_forces_counts_not_negative"),
        ),
        sa.CheckConstraint(
            "mobilise_level BETWEEN 1 AND 4",
            name=op.f("ck_forces_mobilise_level_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_forces_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forces")),
        sa.UniqueConstraint("code", name=op.f("uq_forces_code")),
    )
    op.create_index(
        op.f("ix_forces_township_code"), "forces", ["township_code"], unique=False
    )
    op.create_index(op.f("ix_forces_type"), "forces", ["type"], unique=False)
    op.create_table(
        "risk_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.Column("geom", store.types.Geom("POINT"), nullable=False),
        sa.Column(
            "responsible_person",
            sa.String(length=60),
            server_default="",
            nullable=False,
        ),
        sa.Column(
            "responsible_phone", sa.String(length=40), server_default="", nullable=False
        ),
        sa.Column(
            "supervising_leader",
            sa.String(length=60),
            server_default="",
            nullable=False,
        ),
        sa.Column(
            "people_threatened", sa.Integer(), server_default="0", nullable=False
        ),
        sa.Column(
            "households_threatened", sa.Integer(), server_default="0", nullable=False
        ),
        sa.Column("rectification_status", sa.String(length=20), nullable=True),
        sa.Column("rectification_deadline", sa.Date(), nullable=True),
        sa.Column("last_inspection", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "grade IN ('major', 'larger', 'general', 'low')",
            name=op.f("ck_risk_points_grade_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('risk_source', 'hidden_danger')",
            name=op.f("ck_risk_points_kind_valid"),
        ),
        sa.CheckConstraint(
            "rectification_status IS NULL OR rectification_status IN ('open', 'in_progress', 'rectified')",
            name=op.f("ck_risk_points_rectification_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_risk_points_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_points")),
        sa.UniqueConstraint("code", name=op.f("uq_risk_points_code")),
    )
    op.create_index(
        op.f("ix_risk_points_grade"), "risk_points", ["grade"], unique=False
    )
    op.create_index(
        op.f("ix_risk_points_township_code"),
        "risk_points",
        ["township_code"],
        unique=False,
    )
    op.create_table(
        "depot_stock",
        sa.Column("depot_code", sa.String(length=40), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("ck_depot_stock_quantity_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["depot_code"],
            ["depots.code"],
            name=op.f("fk_depot_stock_depot_code_depots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_code"],
            ["material_items.code"],
            name=op.f("fk_depot_stock_item_code_material_items"),
        ),
        sa.PrimaryKeyConstraint("depot_code", "item_code", name=op.f("pk_depot_stock")),
    )
    _create_revision_triggers()


def downgrade() -> None:
    _drop_revision_triggers()
    op.drop_table("depot_stock")
    op.drop_index(op.f("ix_risk_points_township_code"), table_name="risk_points")
    op.drop_index(op.f("ix_risk_points_grade"), table_name="risk_points")
    op.drop_table("risk_points")
    op.drop_index(op.f("ix_forces_type"), table_name="forces")
    op.drop_index(op.f("ix_forces_township_code"), table_name="forces")
    op.drop_table("forces")
    op.drop_index(op.f("ix_depots_township_code"), table_name="depots")
    op.drop_table("depots")
    op.drop_index(op.f("ix_command_nodes_township_code"), table_name="command_nodes")
    op.drop_index(op.f("ix_command_nodes_level"), table_name="command_nodes")
    op.drop_table("command_nodes")
    op.drop_table("activation_townships")
    op.drop_table("townships")
    op.drop_table("weather_warnings")
    op.drop_table("response_activations")
    op.drop_table("material_items")
    op.drop_table("layer_revisions")
    op.drop_table("jurisdictions")


# Which layer's revision each table bumps (as store.schema.LAYER_TABLES at 0001).
_LAYER_OF = {
    "jurisdictions": "townships",
    "townships": "townships",
    "risk_points": "risk",
    "depots": "materials",
    "depot_stock": "materials",
    "material_items": "materials",
    "forces": "forces",
    "command_nodes": "command",
    "response_activations": "response",
    "activation_townships": "response",
    "weather_warnings": "response",
}


def _create_revision_triggers() -> None:
    """Every write, by anyone, bumps its layer's revision: pages poll that one row."""
    layers = sorted(set(_LAYER_OF.values()))
    op.bulk_insert(
        sa.table(
            "layer_revisions",
            sa.column("layer", sa.String),
            sa.column("revision", sa.Integer),
        ),
        [{"layer": layer, "revision": 0} for layer in layers],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION bump_layer_revision() RETURNS trigger AS $$
            BEGIN
                UPDATE layer_revisions SET revision = revision + 1, updated_at = now()
                WHERE layer = TG_ARGV[0];
                RETURN NULL;
            END $$ LANGUAGE plpgsql""")
        for table, layer in _LAYER_OF.items():
            op.execute(
                f"CREATE TRIGGER {table}_bump_revision AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION bump_layer_revision('{layer}')"
            )
        return
    for table, layer in _LAYER_OF.items():
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_bump_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE layer_revisions SET revision = revision + 1, "
                f"updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE layer = '{layer}'; END"
            )


def _drop_revision_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _LAYER_OF:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_revision ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_layer_revision()")
        return
    for table in _LAYER_OF:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_{event}")
