"""Backups of the embedded store, taken and restored while the app runs.

SQLite's online backup API copies a consistent snapshot page by page while
other connections keep reading and writing (WAL mode), so a backup needs no
downtime. A restore copies a checked backup over the live file in one step of
the same API; afterwards every layer's revision moves past both the old and the
restored counters, so every open wall and desk reloads what the backup holds
instead of trusting a cache whose revision number happens to match.

PostgreSQL deployments use ``pg_dump``/``pg_restore`` instead (README).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from store import schema
from store.engine import StoreUnavailable, migrate
from store.store import Store


class BackupError(ValueError):
    """A backup that cannot be taken or a file that is not a backup of this store."""


def _sqlite_file(store: Store) -> Path:
    if store.is_postgis:
        raise BackupError(
            "backup and restore are for the embedded store; for PostgreSQL use pg_dump "
            "and pg_restore (README: Backups)"
        )
    database = store.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory store has no file to back up")
    return Path(database)


def backup(store: Store, target: str | Path) -> dict[str, int]:
    """Copy the live store to ``target`` (written aside, then renamed: never half a file).

    Returns how many rows each layer table holds in the copy, for the operator
    to compare.
    """
    _sqlite_file(store)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = store.engine.raw_connection()
    try:
        with sqlite3.connect(partial) as copy:
            raw.driver_connection.backup(copy)
        counts = _check(partial)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup could not be written to {target}: {exc}") from exc
    finally:
        raw.close()
    os.replace(partial, target)
    return counts


def restore(store: Store, source: str | Path) -> dict[str, int]:
    """Replace the live store's contents with the backup at ``source``.

    The file is checked first (a SQLite database, intact, holding this app's
    schema); an older backup is upgraded to the current schema afterwards.
    """
    _sqlite_file(store)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    counts = _check(source)
    before = {name: rev.revision for name, rev in store.revisions().items()}
    raw = store.engine.raw_connection()
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
            backup_db.backup(raw.driver_connection)
    except sqlite3.Error as exc:
        raise BackupError(f"the store could not be restored from {source}: {exc}") from exc
    finally:
        raw.close()
    migrate(store.engine)
    restored = {name: rev.revision for name, rev in store.revisions().items()}
    with store.engine.begin() as conn:
        for layer, revision in restored.items():
            conn.execute(
                sa.update(schema.layer_revisions)
                .where(schema.layer_revisions.c.layer == layer)
                .values(revision=max(revision, before.get(layer, 0)) + 1)
            )
    return counts


def _check(path: Path) -> dict[str, int]:
    """Row counts of a backup file, or a clear reason it is not one."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            (verdict,) = db.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{path} is damaged: {verdict}")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "layer_revisions", "townships"} <= tables:
                raise BackupError(f"{path} is not a backup of this app's store")
            return {
                name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in sorted(schema.metadata.tables)
                if name in tables
            }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a whole SQLite database: {exc}") from exc


__all__ = ["BackupError", "StoreUnavailable", "backup", "restore"]
