"""imports: one row per committed import of a file

Who imported which file into which collection, how it was read (format,
encoding, coordinate system), how many records it added and updated, and
the rows left out when the planner committed the accepted rows only. The
records' own history rows name the import in their note.

Revision ID: 0006_files
Revises: 0005_sign_in_failures
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_files"
down_revision = "0005_sign_in_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("file", sa.String(length=400), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("encoding", sa.String(length=40), server_default="", nullable=False),
        sa.Column("crs", sa.String(length=100), server_default="", nullable=False),
        sa.Column("added", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("left_out", sa.Text(), server_default="[]", nullable=False),
        sa.Column("partial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )


def downgrade() -> None:
    op.drop_table("imports")
