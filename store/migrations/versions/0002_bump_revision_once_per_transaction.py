"""bump a layer's revision once per transaction (PostgreSQL)

A statement-level trigger still fires once per statement, and an import that
writes row by row (an executemany is one INSERT per row) updated the same
``layer_revisions`` row thousands of times in one transaction: minutes for
a city's data. Pollers only see the revision when the transaction commits,
so one bump per transaction says the same thing: the trigger now skips the
update when its own transaction already wrote that row (the row's ``xmin``).
SQLite keeps its row triggers: local writes, no server round trip.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_layer_revision() RETURNS trigger AS $$
BEGIN
    UPDATE layer_revisions SET revision = revision + 1, updated_at = now()
    WHERE layer = TG_ARGV[0]{once};
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION.format(once=" AND xmin <> pg_current_xact_id()::xid"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION.format(once=""))
