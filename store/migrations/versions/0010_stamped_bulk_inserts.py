"""SQLite: a risk point inserted with its revision stamp already set does not fire the stamp

0009's insert trigger bumps the risk layer's revision and stamps the row, two
statements per inserted row: for a file of 150,000 risk points they were
4.4 s of the 6.6 s SQLite spent inserting the records. An import stamps its
rows itself (one bump per chunk, see ``store.imports``), so the trigger now
fires only for a row that arrives unstamped (``row_revision`` 0, its
default): every other writer is unchanged. Updates already worked this way
(0009's update trigger skips a row whose writer changed its stamp).
PostgreSQL's BEFORE trigger stamps every row whatever it is given, bumping
once per transaction: unchanged.

Revision ID: 0010_stamped_bulk_inserts
Revises: 0009_risk_row_revision
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0010_stamped_bulk_inserts"
down_revision = "0009_risk_row_revision"
branch_labels = None
depends_on = None

_BUMP = (
    "UPDATE layer_revisions SET revision = revision + 1, "
    "updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE layer = 'risk'; "
)
_STAMP = (
    "UPDATE risk_points SET row_revision = "
    "(SELECT revision FROM layer_revisions WHERE layer = 'risk') WHERE id = NEW.id; "
)


def _insert_trigger(when: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS risk_points_bump_insert")
    op.execute(
        f"CREATE TRIGGER risk_points_bump_insert AFTER INSERT ON risk_points {when}"
        f"BEGIN {_BUMP}{_STAMP}END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _insert_trigger("WHEN NEW.row_revision = 0 ")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _insert_trigger("")
