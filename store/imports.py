"""An import's one write: every added and updated record, their history and the import's row.

All in one transaction, so an import is whole or absent: a process killed
half-way, a closed browser or a record changed by someone since the preview
(``WHERE version = :seen``, as for one edit) leaves the store as it was.
New records go in by bulk inserts in chunks (:mod:`store.bulk`: COPY or one
prepared executemany), with their history rows beside them; updates go in
chunks too (:func:`_update_chunk`): the same rows and history as an edit's
conditional update writes, without its four statements a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import orjson
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store import schema
from store.bulk import bulk_insert
from store.records import (
    COLLECTIONS,
    Collection,
    RecordError,
    RecordNotFound,
    StaleRecord,
    _child_changes,
    _columns,
    _decode_rows,
    _editable,
    _fetch,
    _Guard,
    _number,
    _same,
    _table,
    _to_json,
    _utc,
    _with_children,
    _write_children,
)

CHUNK = 2000
# SQLite: adding at least this many rows, and no fewer than the table holds, its plain
# indexes are built again after the rows rather than kept up row by row
REBUILD_FROM = 10_000


def differs(current: dict, values: dict) -> bool:
    """Whether writing ``values`` over ``current`` would change anything."""
    for name, new in values.items():
        if name == "stock":
            old = current.get("stock", {})
            wanted = {k: _number(v) for k, v in (new or {}).items() if float(v) != 0}
            if any(old.get(k, 0) != wanted.get(k, 0) for k in old.keys() | wanted.keys()):
                return True
        elif name in current and name != "code" and not _equal(current[name], new):
            return True
    return False


def _equal(old: Any, new: Any) -> bool:
    """The same value; geometries the same shape (a Shapefile turns rings the other way)."""
    if isinstance(old, shapely.Geometry) and isinstance(new, shapely.Geometry):
        return bool(_same(old, new) or shapely.equals(old, new))
    return _same(old, new)


class Imports:
    """Imports of files into one store's collections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def existing(self, collection: str, codes: Iterable[str]) -> dict[str, dict]:
        """The records of ``collection`` with these codes, as :meth:`Records.get` returns them."""
        coll = COLLECTIONS[collection]
        table = _table(coll)
        wanted = sorted({str(c) for c in codes if c})
        found: dict[str, dict] = {}
        with _Guard(self.engine, write=False) as conn:
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                rows = [
                    dict(r)
                    for r in conn.execute(
                        sa.select(table).where(table.c[coll.key].in_(chunk))
                    ).mappings()
                ]
                for record in _with_children(conn, coll, _decode_rows(table, rows)):
                    found[str(record[coll.key])] = record
        return found

    def commit(
        self,
        collection: str,
        added: Sequence[dict],
        updated: Sequence[tuple[dict, dict]],
        actor: str,
        *,
        file: str,
        format: str,
        encoding: str | None,
        crs: str,
        left_out: Sequence[dict] = (),
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write one import; returns its id. ``updated`` holds (record as previewed, values).

        Raises :class:`store.records.StaleRecord` when a record changed since the
        preview, :class:`store.records.RecordError` when a row breaks a rule of the
        store; either way nothing is written. ``progress`` is told how many rows
        are written so far, inside the transaction.
        """
        coll = COLLECTIONS[collection]
        table = _table(coll)
        now = datetime.now(UTC)
        with _Guard(self.engine, write=True) as conn:
            import_id = conn.execute(
                schema.imports.insert()
                .values(
                    at=now,
                    actor=actor,
                    collection=collection,
                    file=file[:400],
                    format=format,
                    encoding=encoding or "",
                    crs=crs or "",
                    added=len(added),
                    updated=len(updated),
                    left_out=json.dumps(list(left_out), ensure_ascii=False),
                    partial=bool(left_out),
                )
                .returning(schema.imports.c.id)
            ).scalar_one()
            note = f"import #{import_id}: {file}"[:400]
            rebuild = _indexes_aside(conn, table, len(added))
            done = 0
            for start in range(0, len(added), CHUNK):
                chunk = added[start : start + CHUNK]
                _insert(conn, coll.name, table, chunk, actor, now, note)
                done += len(chunk)
                if progress is not None:
                    progress(done)
            for start in range(0, len(updated), CHUNK):
                chunk = updated[start : start + CHUNK]
                _update_chunk(conn, coll, table, chunk, actor, now, note)
                done += len(chunk)
                if progress is not None:
                    progress(done)
            for statement in rebuild:
                conn.exec_driver_sql(statement)
        return int(import_id)

    def recent(self, limit: int = 20) -> list[dict]:
        """The latest imports, newest first, with the rows they left out."""
        query = sa.select(schema.imports).order_by(schema.imports.c.id.desc()).limit(limit)
        with _Guard(self.engine, write=False) as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        for row in rows:
            row["left_out"] = json.loads(row["left_out"])
        return rows


def _insert(
    conn: sa.Connection,
    collection: str,
    table: sa.Table,
    chunk: Sequence[dict],
    actor: str,
    now: datetime,
    note: str,
) -> None:
    """A chunk of new records and their ``create`` history rows, column by column: no
    dict per row for the records, one orjson call per history row."""
    coll = COLLECTIONS[collection]
    given = set().union(*(values.keys() for values in chunk))
    # a field no row gives takes its server default; one some rows leave out is NULL
    # (every NOT NULL column has a default in :mod:`editing.fields`, so is never left out)
    columns = [c.key for c in table.columns if c.key in given and _editable(coll, c.key)]
    values = [[row.get(c) for row in chunk] for c in columns]
    for name, column in zip(columns, values, strict=True):
        if isinstance(table.c[name].type, sa.DateTime):
            column[:] = [_utc(v) if isinstance(v, datetime) else v for v in column]
    columns += ["version", "updated_by"]
    values += [[1] * len(chunk), [actor] * len(chunk)]
    if "updated_at" in table.c:
        columns.append("updated_at")
        values.append([now] * len(chunk))
    revision = _revision_stamp(conn, table)
    if revision is not None:
        columns.append(schema.ROW_REVISION)
        values.append([revision] * len(chunk))
    bulk_insert(conn, table, columns, values)
    del values
    if coll.children == "stock":
        stock = [
            {"depot_code": values["code"], "item_code": item, "quantity": float(quantity)}
            for values in chunk
            for item, quantity in (values.get("stock") or {}).items()
            if float(quantity) != 0
        ]
        if stock:
            conn.execute(schema.depot_stock.insert(), stock)
    names = set(table.c.keys()) - {"id", "version"}  # once a chunk: ``in table.c`` is slow
    points = _point_json(chunk) if "geom" in names else None
    changes = []
    for n, row in enumerate(chunk):
        change = {f: [None, v] for f, v in row.items() if f in names and v is not None and v != ""}
        if points is not None and "geom" in change:
            change["geom"][1] = points[n]
        if row.get("stock"):
            change["stock"] = [None, {k: _number(v) for k, v in row["stock"].items() if v}]
        # hanzi as UTF-8, as json's ensure_ascii=False; tagged values as _to_json writes them
        changes.append(orjson.dumps(change, default=_tagged, option=_PASSTHROUGH).decode())
    k = len(chunk)
    history = [
        [now] * k, [actor] * k, ["create"] * k, [collection] * k,
        [str(row[coll.key]) for row in chunk], [1] * k, changes, [note] * k,
    ]  # fmt: skip
    bulk_insert(conn, schema.history, _HISTORY, history)


def _update_chunk(
    conn: sa.Connection,
    coll: Collection,
    table: sa.Table,
    chunk: Sequence[tuple[dict, dict]],
    actor: str,
    now: datetime,
    note: str,
) -> None:
    """A chunk of (record as previewed, values): what :func:`store.records._update`
    writes for each, in a few statements. The versions previewed are checked in one
    query (rows locked on PostgreSQL; SQLite's write lock is already held), the
    records with the same changed columns go in one executemany, their history in
    one bulk insert."""
    key = table.c[coll.key]
    seen = {current[coll.key]: current["version"] for current, _values in chunk}
    query = sa.select(key, table.c.version).where(key.in_(list(seen)))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    stored = dict(conn.execute(query).all())
    for code, version in seen.items():
        if code not in stored:
            raise RecordNotFound(f"no {coll.name} record {code}")
        if stored[code] != version:
            raise StaleRecord(_fetch(conn, coll, code))
    groups: dict[tuple[str, ...], list[dict]] = {}
    logged: list[tuple[Any, int, dict]] = []
    for current, values in chunk:
        code = current[coll.key]
        if coll.key in values and str(values[coll.key]) != str(code):
            raise RecordError(f"the {coll.key} of a record cannot change")
        changes = {
            field: [current[field], new]
            for field, new in _columns(coll, dict(values)).items()
            if field != coll.key and not _same(current[field], new)
        }
        child_changes = _child_changes(coll, current, values)
        if child_changes:
            changes[coll.children] = child_changes  # type: ignore[index]
        if not changes:
            continue
        row = {f"v_{f}": new for f, (_old, new) in changes.items() if f in table.c}
        groups.setdefault(tuple(sorted(row)), []).append(
            {**row, "b_key": code, "b_seen": current["version"]}
        )
        if child_changes:
            _write_children(conn, coll, code, dict(values), current)
        logged.append((code, current["version"] + 1, changes))
    stamp = {"version": table.c.version + 1, "updated_by": actor}
    if "updated_at" in table.c:
        stamp["updated_at"] = now
    revision = _revision_stamp(conn, table) if groups else None
    if revision is not None:
        stamp[schema.ROW_REVISION] = revision
    for names, params in groups.items():
        given = {n[2:]: sa.bindparam(n, type_=table.c[n[2:]].type) for n in names}
        done = conn.execute(
            table.update()
            .where(key == sa.bindparam("b_key"), table.c.version == sa.bindparam("b_seen"))
            .values(**given, **stamp),
            params,
        )
        if conn.dialect.supports_sane_multi_rowcount and done.rowcount != len(params):
            raise StaleRecord(None)  # cannot happen under the lock; never written half
    if logged:
        k = len(logged)
        changes = [
            json.dumps(
                {f: [_to_json(o), _to_json(n)] for f, (o, n) in change.items()},
                ensure_ascii=False,
            )
            for _code, _version, change in logged
        ]  # as store.records._log writes them
        history = [
            [now] * k, [actor] * k, ["update"] * k, [coll.name] * k,
            [str(code) for code, _v, _c in logged], [v for _c, v, _ch in logged], changes,
            [note[:400]] * k,
        ]  # fmt: skip
        bulk_insert(conn, schema.history, _HISTORY, history)


def _indexes_aside(conn: sa.Connection, table: sa.Table, adding: int) -> list[str]:
    """SQLite, adding many rows to a table holding fewer: its plain indexes are dropped,
    to be built again (each in one sorted pass) once the rows are in. Keeping six indexes
    up row by row took 5.4 of the 7.7 s that 150,000 risk points took to insert. Returns
    the statements that build them, as the schema wrote them; all in the import's
    transaction, so an import that fails leaves them as they were. Unique indexes stay:
    they refuse a duplicate as the row goes in."""
    if conn.dialect.name != "sqlite" or adding < REBUILD_FROM:
        return []
    if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() > adding:
        return []
    plain = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        (table.name,),
    ).all()
    for name, _sql in plain:
        conn.exec_driver_sql(f"DROP INDEX {conn.dialect.identifier_preparer.quote(name)}")
    return [sql for _name, sql in plain]


def _revision_stamp(conn: sa.Connection, table: sa.Table) -> int | None:
    """SQLite: the layer revision a chunk's rows are stamped with, bumped once for the
    chunk. The triggers would bump and stamp row by row (two statements a row, two
    thirds of inserting a city's risk points); they skip rows that come stamped (0010).
    None on PostgreSQL, whose trigger stamps every row and bumps once a transaction."""
    if conn.dialect.name != "sqlite" or schema.ROW_REVISION not in table.c:
        return None
    layer = next(name for name, tables in schema.LAYER_TABLES.items() if table.name in tables)
    bump = sa.text(
        "UPDATE layer_revisions SET revision = revision + 1, "
        "updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE layer = :layer "
        "RETURNING revision"
    )  # as the triggers write it
    return int(conn.execute(bump, {"layer": layer}).scalar_one())


_HISTORY = ("at", "actor", "action", "collection", "code", "version", "changes", "note")
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME  # dates to _tagged: {"$date": ...}


def _tagged(value: Any) -> Any:
    """What orjson cannot write itself, as :func:`store.records._to_json` tags it."""
    if isinstance(value, shapely.Geometry | date | np.generic):
        return _to_json(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _point_json(chunk: Sequence[dict]) -> list[dict] | None:
    """The chunk's points as :func:`store.records._to_json` writes them, in one array call;
    None when any geometry is not a point (outlines go one by one)."""
    geoms = np.array([values.get("geom") for values in chunk], dtype=object)
    if not (shapely.get_type_id(geoms) == 0).all() or shapely.is_empty(geoms).any():
        return None  # 0: Point (None is -1)
    xy = shapely.get_coordinates(geoms).tolist()
    return [{"$geometry": {"type": "Point", "coordinates": c}} for c in xy]


__all__ = ["Imports", "differs"]
