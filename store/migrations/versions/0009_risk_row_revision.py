"""stamp each risk point with the layer revision that last wrote it; ledger page indexes

A ledger step writes one risk point and bumps the risk layer's revision; every
open map then re-read all 150,000 points (6-8 s) to learn of one change.
``risk_points.row_revision`` is the risk revision of the transaction that last
inserted or updated the row, set by the database (whoever writes), so a reader
holding the layer at revision R re-reads only ``row_revision > R``.

The stamp is taken after the bump, in the writing transaction, so it is larger
than any revision a reader could have seen before that write committed:

* PostgreSQL: a BEFORE ROW trigger bumps the revision (once per transaction,
  as 0002) and copies it into the row. The bump locks the ``layer_revisions``
  row until commit, so stamps follow commit order.
* SQLite: the risk points' insert and update triggers bump, then stamp the row
  (the stamp's own update does not bump again, so one write still counts once).

Deletes leave no stamp: the reader compares the row count (see
``layers.risks``). Also indexes for the ledger's pages: the hidden dangers by
status and deadline, the way the grid's default and deadline sorts walk them.

Revision ID: 0009_risk_row_revision
Revises: 0008_history_reverts_index
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_risk_row_revision"
down_revision = "0008_history_reverts_index"
branch_labels = None
depends_on = None

_PG_STAMP = """
CREATE FUNCTION stamp_layer_revision() RETURNS trigger AS $$
BEGIN
    UPDATE layer_revisions SET revision = revision + 1, updated_at = now()
    WHERE layer = TG_ARGV[0] AND xmin <> pg_current_xact_id()::xid;
    NEW.row_revision := (SELECT revision FROM layer_revisions WHERE layer = TG_ARGV[0]);
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""
_SQLITE_BUMP = (
    "UPDATE layer_revisions SET revision = revision + 1, "
    "updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE layer = 'risk'; "
)
_SQLITE_STAMP = (
    "UPDATE risk_points SET row_revision = "
    "(SELECT revision FROM layer_revisions WHERE layer = 'risk') WHERE id = NEW.id; "
)


def upgrade() -> None:
    op.add_column(
        "risk_points", sa.Column("row_revision", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index("ix_risk_points_row_revision", "risk_points", ["row_revision"])
    op.create_index(
        "ix_risk_points_ledger_deadline",
        "risk_points",
        ["kind", "rectification_status", "rectification_deadline", "code"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_STAMP)
        op.execute(
            "CREATE TRIGGER risk_points_stamp_revision BEFORE INSERT OR UPDATE ON risk_points "
            "FOR EACH ROW EXECUTE FUNCTION stamp_layer_revision('risk')"
        )
        return
    op.execute("DROP TRIGGER IF EXISTS risk_points_bump_insert")
    op.execute("DROP TRIGGER IF EXISTS risk_points_bump_update")
    op.execute(
        "CREATE TRIGGER risk_points_bump_insert AFTER INSERT ON risk_points "
        f"BEGIN {_SQLITE_BUMP}{_SQLITE_STAMP}END"
    )
    op.execute(
        "CREATE TRIGGER risk_points_bump_update AFTER UPDATE ON risk_points "
        "WHEN NEW.row_revision IS OLD.row_revision "
        f"BEGIN {_SQLITE_BUMP}{_SQLITE_STAMP}END"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS risk_points_stamp_revision ON risk_points")
        op.execute("DROP FUNCTION IF EXISTS stamp_layer_revision()")
    else:
        op.execute("DROP TRIGGER IF EXISTS risk_points_bump_insert")
        op.execute("DROP TRIGGER IF EXISTS risk_points_bump_update")
    op.drop_index("ix_risk_points_ledger_deadline", table_name="risk_points")
    op.drop_index("ix_risk_points_row_revision", table_name="risk_points")
    op.drop_column("risk_points", "row_revision")
    if not postgres:  # 0001's triggers, as they were
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER risk_points_bump_{event.lower()} AFTER {event} ON risk_points "
                f"BEGIN {_SQLITE_BUMP}END"
            )
