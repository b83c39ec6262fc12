"""an index on history.reverts, so finding the entries that revert one is not a scan

Revision ID: 0008_history_reverts_index
Revises: 0007_ledger
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0008_history_reverts_index"
down_revision = "0007_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_history_reverts", "history", ["reverts"])


def downgrade() -> None:
    op.drop_index("ix_history_reverts", table_name="history")
