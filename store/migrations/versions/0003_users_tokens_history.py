"""users, tokens and the history of every change

Sign-in and roles (``users``), bearer tokens for scripts and wall URLs
(``api_tokens``), one ``history`` row per change of a record, written in the
change's own transaction, and ``app_settings`` for what every worker and
instance must share (the session signing key). Layer tables gain
``updated_by``; response and warning rows gain ``version`` and ``updated_by``
so edits to them are checked for conflicts like every other record. Only
columns with constant defaults are added: SQLite adds those in place, with no
table rebuild (a rebuild would drop the revision triggers and, with foreign
keys on, cascade deletes).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLES = "'viewer', 'duty_officer', 'planner', 'admin'"
LAYER_TABLES = ("townships", "risk_points", "depots", "forces", "command_nodes")
VERSIONED_TABLES = ("response_activations", "weather_warnings")


def _now() -> sa.Column:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("session_epoch", sa.Integer(), server_default="1", nullable=False),
        _now(),
        sa.Column("created_by", sa.String(length=100), server_default="", nullable=False),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f("ck_users_role_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), server_default="", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _now(),
        sa.Column("created_by", sa.String(length=100), server_default="", nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), server_default="", nullable=False),
        sa.CheckConstraint("kind IN ('api', 'wall')", name=op.f("ck_api_tokens_kind_valid")),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f("ck_api_tokens_role_valid")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=400), server_default="", nullable=False),
        sa.Column("reverts", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'revert')",
            name=op.f("ck_history_action_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["reverts"], ["history.id"], name=op.f("fk_history_reverts_history")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    op.create_index(
        "ix_history_collection_code", "history", ["collection", "code", "id"], unique=False
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )
    for table in LAYER_TABLES + VERSIONED_TABLES:
        op.add_column(
            table,
            sa.Column("updated_by", sa.String(length=100), server_default="", nullable=False),
        )
    for table in VERSIONED_TABLES:
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
    for table in LAYER_TABLES + VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_by")
    op.drop_table("app_settings")
    op.drop_index("ix_history_collection_code", table_name="history")
    op.drop_table("history")
    op.drop_table("api_tokens")
    op.drop_table("users")
