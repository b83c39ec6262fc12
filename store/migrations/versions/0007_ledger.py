"""the rectification ledger: hidden-danger accounts, their steps and photos

``hidden_dangers`` (one account per hidden danger: finder, responsible unit,
the "five in place", supervision, who rectified and verified it),
``ledger_steps`` (every step, who and when, with a note and an optional photo)
and ``ledger_photos`` (the photos, stored by the app). They belong to the
``risk`` layer: the same revision triggers as 0001's bump it, so the risk map
and its table redraw when a step is taken. Risk points get their inspection
schedule's next due date (``next_inspection``).

Revision ID: 0007_ledger
Revises: 0006_files
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_ledger"
down_revision = "0006_files"
branch_labels = None
depends_on = None

TABLES = ("hidden_dangers", "ledger_photos", "ledger_steps")
LAYER = "risk"


def upgrade() -> None:
    op.add_column("risk_points", sa.Column("next_inspection", sa.Date(), nullable=True))
    op.create_index(
        op.f("ix_risk_points_rectification_deadline"),
        "risk_points",
        ["rectification_deadline"],
        unique=False,
    )
    op.create_table(
        "hidden_dangers",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=True),
        sa.Column("finder", sa.String(length=100), server_default="", nullable=False),
        sa.Column("description", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), server_default="", nullable=False),
        sa.Column("measures", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("funds", sa.Float(), nullable=True),
        sa.Column("contingency_plan", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("supervised", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("supervised_by", sa.String(length=100), server_default="", nullable=False),
        sa.Column("supervised_on", sa.Date(), nullable=True),
        sa.Column("rectified_by", sa.String(length=100), server_default="", nullable=False),
        sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verifier", sa.String(length=100), server_default="", nullable=False),
        sa.Column("verified_by", sa.String(length=100), server_default="", nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.String(length=100), server_default="", nullable=False),
        sa.CheckConstraint(
            "funds IS NULL OR funds >= 0", name=op.f("ck_hidden_dangers_funds_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["code"],
            ["risk_points.code"],
            name=op.f("fk_hidden_dangers_code_risk_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_hidden_dangers")),
    )
    op.create_table(
        "ledger_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["risk_points.code"],
            name=op.f("fk_ledger_photos_code_risk_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_photos")),
    )
    op.create_index(op.f("ix_ledger_photos_code"), "ledger_photos", ["code"], unique=False)
    op.create_table(
        "ledger_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "step IN ('rectifying', 'rectified', 'verified', 'reopened', 'registered', "
            "'supervised', 'inspected')",
            name=op.f("ck_ledger_steps_step_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["code"],
            ["risk_points.code"],
            name=op.f("fk_ledger_steps_code_risk_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["ledger_photos.id"], name=op.f("fk_ledger_steps_photo_id_ledger_photos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_steps")),
    )
    op.create_index(op.f("ix_ledger_steps_code"), "ledger_steps", ["code"], unique=False)
    _triggers()


def _triggers() -> None:
    """The risk layer's revision triggers (0001, 0002) on the new tables."""
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bump_revision AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION bump_layer_revision('{LAYER}')"
            )
        return
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_bump_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE layer_revisions SET revision = revision + 1, "
                f"updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE layer = '{LAYER}'; END"
            )


def downgrade() -> None:
    for table in ("ledger_steps", "ledger_photos", "hidden_dangers"):
        op.drop_table(table)  # their triggers go with them
    op.drop_index(op.f("ix_risk_points_rectification_deadline"), table_name="risk_points")
    with op.batch_alter_table("risk_points") as batch:
        batch.drop_column("next_inspection")
