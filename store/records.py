"""One record of a layer at a time: read, create, update, delete, each with its history.

Every write here runs in one transaction that also writes its ``history`` row,
so a change is never without its history and a failed write leaves neither.
Updates and deletes are conditional on the version the editor saw
(``WHERE version = :seen``): of two people saving the same record at once,
the second is refused with who changed it and when, on both stores.

A record is a plain dict: the table's columns (geometry as a shapely
geometry), a depot's ``stock`` (item code -> quantity), an activation's
``townships`` (codes), and ``version``, ``updated_at``, ``updated_by``.
Rules about what a valid record is live in :mod:`editing`; this module
only keeps the store consistent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import shapely
import shapely.geometry
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from store import schema
from store.engine import StoreUnavailable, _safe
from store.types import Geom

AUDIT = ("version", "updated_at", "updated_by", schema.ROW_REVISION)


@dataclass(frozen=True)
class Collection:
    """How one kind of record is stored."""

    name: str  # what the API and the history call it
    table: str
    key: str  # the column a record is known by
    children: str | None = None  # "stock" (depots) or "townships" (activations)


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("townships", "townships", "code"),
        Collection("risk_points", "risk_points", "code"),
        Collection("depots", "depots", "code", children="stock"),
        Collection("forces", "forces", "code"),
        Collection("command_nodes", "command_nodes", "code"),
        Collection("response_activations", "response_activations", "id", children="townships"),
        Collection("weather_warnings", "weather_warnings", "identifier"),
        Collection("hazard_areas", "hazard_areas", "code"),
        Collection("incidents", "incidents", "code"),
        Collection("roads", "roads", "id"),
    )
}


class RecordError(ValueError):
    """A write the store refused; the message is for a person."""


class RecordNotFound(RecordError):
    pass


class CodeTaken(RecordError):
    pass


class RecordInUse(RecordError):
    """Other records still refer to this one (``references``: table -> count)."""

    def __init__(self, message: str, references: dict[str, int]) -> None:
        super().__init__(message)
        self.references = references


class StaleRecord(RecordError):
    """Someone else saved the record since it was read; ``current`` is it now."""

    def __init__(self, current: dict | None) -> None:
        who = current["updated_by"] if current else "someone"
        super().__init__(
            f"changed by {who or 'a data load'} since you opened it"
            if current
            else "deleted since you opened it"
        )
        self.current = current


class Records:
    """The records of every editable collection of one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- reading -----------------------------------------------------------

    def get(self, collection: str, code: str) -> dict | None:
        """The record ``code`` of ``collection`` as it is now."""
        coll = COLLECTIONS[collection]
        with self._connect() as conn:
            return _fetch(conn, coll, code)

    def fields(self, collection: str) -> list[str]:
        """The columns a record of ``collection`` has (its key included, audit excluded)."""
        table = _table(COLLECTIONS[collection])
        return [c.name for c in table.columns if _editable(COLLECTIONS[collection], c.name)]

    def page(
        self,
        collection: str,
        *,
        after: int | None = None,
        limit: int = 100,
        bbox: tuple[float, float, float, float] | None = None,
        is_postgis: bool = False,
    ) -> list[dict]:
        """Records in id order after the id ``after`` (keyset paging: no OFFSET, no count).

        Each record also carries ``_id``, the value to pass as ``after`` for the next page.
        """
        coll = COLLECTIONS[collection]
        table = _table(coll)
        query = sa.select(table).order_by(table.c.id).limit(limit)
        if after is not None:
            query = query.where(table.c.id > after)
        if bbox is not None and "geom" in table.c:
            if is_postgis:
                query = query.where(table.c.geom.op("&&")(sa.func.ST_MakeEnvelope(*bbox, 4326)))
            else:
                return self._page_bbox_sqlite(coll, table, after, limit, bbox)
        with self._connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            return _with_children(conn, coll, _decode_rows(table, rows))

    def _page_bbox_sqlite(
        self,
        coll: Collection,
        table: sa.Table,
        after: int | None,
        limit: int,
        bbox: tuple[float, float, float, float],
    ) -> list[dict]:
        # No spatial index on SQLite: scan in id order, keep what meets the box.
        box = shapely.box(*bbox)
        found: list[dict] = []
        cursor = after
        with self._connect() as conn:
            while len(found) < limit:
                query = sa.select(table).order_by(table.c.id).limit(5000)
                if cursor is not None:
                    query = query.where(table.c.id > cursor)
                rows = [dict(r) for r in conn.execute(query).mappings()]
                if not rows:
                    break
                cursor = rows[-1]["id"]
                for row in rows:
                    record = _decode_row(table, row)
                    if shapely.intersects(record["geom"], box):
                        found.append(record)
                        if len(found) == limit:
                            break
            return _with_children(conn, coll, found)

    def history(self, collection: str, code: str) -> list[dict]:
        """Every change of one record, newest first."""
        hist = schema.history
        query = (
            sa.select(hist)
            .where(hist.c.collection == collection, hist.c.code == str(code))
            .order_by(hist.c.id.desc())
        )
        with self._connect() as conn:
            return [_history_row(r) for r in conn.execute(query).mappings()]

    def history_entry(self, entry_id: int) -> dict | None:
        with self._connect() as conn:
            row = (
                conn.execute(sa.select(schema.history).where(schema.history.c.id == entry_id))
                .mappings()
                .first()
            )
        return None if row is None else _history_row(row)

    def deleted(self, collection: str | None = None) -> list[dict]:
        """Deletions whose record has not come back: what an admin may restore."""
        hist = schema.history
        query = sa.select(hist).where(hist.c.action == "delete").order_by(hist.c.id.desc())
        if collection is not None:
            query = query.where(hist.c.collection == collection)
        with self._connect() as conn:
            entries = [_history_row(r) for r in conn.execute(query).mappings()]
            return [
                e
                for e in entries
                if _fetch(conn, COLLECTIONS[e["collection"]], e["code"], children=False) is None
            ]

    # --- writing -----------------------------------------------------------

    def create(
        self, collection: str, values: Mapping[str, Any], actor: str, note: str = ""
    ) -> dict:
        """Insert a record; its history row says who, when, and every value."""
        coll = COLLECTIONS[collection]
        return self._write(lambda conn: _create(conn, coll, dict(values), actor, note, "create"))

    def update(
        self,
        collection: str,
        code: str,
        values: Mapping[str, Any],
        seen_version: int,
        actor: str,
        note: str = "",
        *,
        action: str = "update",
        reverts: int | None = None,
    ) -> dict:
        """Change the fields in ``values`` if the record is still at ``seen_version``.

        Raises :class:`StaleRecord` (with the record as it is now) when someone
        else saved it first. A change that changes nothing writes nothing.
        """
        coll = COLLECTIONS[collection]
        return self._write(
            lambda conn: _update(
                conn, coll, str(code), dict(values), seen_version, actor, note, action, reverts
            )
        )

    def delete(
        self, collection: str, code: str, seen_version: int, actor: str, note: str = ""
    ) -> dict:
        """Delete a record still at ``seen_version``; its history keeps every value.

        Raises :class:`RecordInUse` naming what still refers to it.
        """
        coll = COLLECTIONS[collection]
        return self._write(lambda conn: _delete(conn, coll, str(code), seen_version, actor, note))

    def restore(self, entry_id: int, actor: str, note: str = "") -> dict:
        """Bring back the record a ``delete`` history entry removed, as it was."""

        def run(conn: sa.Connection) -> dict:
            entry = _history_row(
                conn.execute(sa.select(schema.history).where(schema.history.c.id == entry_id))
                .mappings()
                .one()
            )
            coll = COLLECTIONS[entry["collection"]]
            values = {field: old for field, (old, _new) in entry["changes"].items()}
            if _fetch(conn, coll, entry["code"], children=False) is not None:
                raise CodeTaken(f"{entry['code']} exists again; nothing to restore")
            return _create(conn, coll, values, actor, note, "restore", reverts=entry_id)

        return self._write(run)

    def references(self, collection: str, code: str) -> dict[str, int]:
        """Rows of other tables that refer to this record (table -> count)."""
        coll = COLLECTIONS[collection]
        with self._connect() as conn:
            return _references(conn, coll, str(code))

    # --- plumbing ------------------------------------------------------------

    def _connect(self) -> Any:
        return _Guard(self.engine, write=False)

    def _write(self, fn: Callable[[sa.Connection], dict]) -> dict:
        with _Guard(self.engine, write=True) as conn:
            return fn(conn)


class _Guard:
    """A connection (or a transaction) whose database errors become :class:`StoreUnavailable`
    or :class:`RecordError` for a person."""

    def __init__(self, engine: Engine, write: bool) -> None:
        self.engine, self.write = engine, write

    def __enter__(self) -> sa.Connection:
        try:
            self.ctx = self.engine.begin() if self.write else self.engine.connect()
            return self.ctx.__enter__()
        except DBAPIError as exc:
            raise StoreUnavailable(f"Cannot reach {_safe(self.engine.url)}: {exc.orig}") from exc

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: Any) -> bool:
        try:
            self.ctx.__exit__(kind, exc, tb)
        except IntegrityError as error:
            raise RecordError(_integrity_message(error)) from error
        except (DataError, OverflowError) as error:
            raise RecordError(_value_message(error)) from error
        except DBAPIError as error:
            raise StoreUnavailable(
                f"Cannot write to {_safe(self.engine.url)}: {error.orig}"
            ) from error
        if isinstance(exc, IntegrityError):
            raise RecordError(_integrity_message(exc)) from exc
        if isinstance(exc, (DataError, OverflowError)):
            raise RecordError(_value_message(exc)) from exc
        if isinstance(exc, DBAPIError):
            raise StoreUnavailable(f"Cannot reach {_safe(self.engine.url)}: {exc.orig}") from exc
        return False


def _integrity_message(error: IntegrityError) -> str:
    return str(error.orig).strip().splitlines()[0]


def _value_message(error: Exception) -> str:
    """A value the database cannot hold (an integer past its column's range) is the
    writer's mistake, said as such, not a store that cannot be reached."""
    detail = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return f"A value is out of range for the store: {detail}"


def _table(coll: Collection) -> sa.Table:
    return schema.metadata.tables[coll.table]


def _editable(coll: Collection, column: str) -> bool:
    return column not in AUDIT and (column != "id" or coll.key == "id")


def _key(coll: Collection, code: str | int) -> Any:
    return int(code) if coll.key == "id" else str(code)


def _fetch(
    conn: sa.Connection, coll: Collection, code: str | int, *, children: bool = True
) -> dict | None:
    table = _table(coll)
    try:
        key = _key(coll, code)
    except ValueError:
        return None
    row = conn.execute(sa.select(table).where(table.c[coll.key] == key)).mappings().first()
    if row is None:
        return None
    record = _decode_row(table, dict(row))
    return _with_children(conn, coll, [record])[0] if children else record


def _decode_rows(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Many rows at once: their geometries in one vectorised call (a page of thousands)."""
    if "geom" in table.c and rows:
        geoms = shapely.from_wkb(np.array([r["geom"] for r in rows], dtype=object))
        for row, geom in zip(rows, geoms, strict=True):
            row["geom"] = geom
    return [_decode_row(table, r, geometry=False) for r in rows]


def _decode_row(table: sa.Table, row: dict, *, geometry: bool = True) -> dict:
    row.pop(schema.ROW_REVISION, None)  # the triggers' bookkeeping, not a field of the record
    if geometry and "geom" in table.c and row.get("geom") is not None:
        row["geom"] = shapely.from_wkb(row["geom"])
    if "updated_at" in row and isinstance(row["updated_at"], datetime):
        row["updated_at"] = _utc(row["updated_at"])
    for name in ("starts_at", "ends_at", "issued_at", "expires_at"):
        if isinstance(row.get(name), datetime):
            row[name] = _utc(row[name])
    return row


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _with_children(conn: sa.Connection, coll: Collection, records: list[dict]) -> list[dict]:
    if not records or coll.children is None:
        return records
    keys = [r[coll.key] for r in records]
    if coll.children == "stock":
        ds = schema.depot_stock
        rows = conn.execute(
            sa.select(ds.c.depot_code, ds.c.item_code, ds.c.quantity)
            .where(ds.c.depot_code.in_(keys))
            .order_by(ds.c.item_code)
        ).all()
        stock: dict[str, dict[str, float]] = {k: {} for k in keys}
        for depot, item, quantity in rows:
            stock[depot][item] = _number(quantity)
        for record in records:
            record["stock"] = stock[record["code"]]
    else:
        at = schema.activation_townships
        rows = conn.execute(
            sa.select(at.c.activation_id, at.c.township_code)
            .where(at.c.activation_id.in_(keys))
            .order_by(at.c.township_code)
        ).all()
        towns: dict[int, list[str]] = {k: [] for k in keys}
        for activation, town in rows:
            towns[activation].append(town)
        for record in records:
            record["townships"] = towns[record["id"]]
    return records


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _columns(coll: Collection, values: dict) -> dict:
    """The values of the table's own columns; times in UTC (SQLite keeps no zone)."""
    table = _table(coll)
    return {
        k: _utc(v) if isinstance(v, datetime) else v
        for k, v in values.items()
        if k in table.c and _editable(coll, k)
    }


def _create(
    conn: sa.Connection,
    coll: Collection,
    values: dict,
    actor: str,
    note: str,
    action: str,
    reverts: int | None = None,
) -> dict:
    table = _table(coll)
    row = _columns(coll, values)
    if coll.key == "id" and action == "create":
        row.pop("id", None)  # the store numbers new activations
    elif row.get(coll.key) in (None, ""):
        raise RecordError(f"a record needs its {coll.key}")
    elif _fetch(conn, coll, row[coll.key], children=False) is not None:
        raise CodeTaken(f"{row[coll.key]} is taken: another record has that {coll.key}")
    row["version"] = 1
    row["updated_by"] = actor
    if "updated_at" in table.c:
        row["updated_at"] = datetime.now(UTC)
    result = conn.execute(table.insert().values(**row).returning(table.c[coll.key]))
    code = result.scalar_one()
    _write_children(conn, coll, code, values, {})
    record = _fetch(conn, coll, code)
    assert record is not None
    changes = {
        f: [None, record[f]] for f in _fields_of(coll, record) if record[f] not in (None, "")
    }
    if coll.children and record.get(coll.children):
        changes[coll.children] = [None, record[coll.children]]
    _log(conn, coll, code, 1, actor, action, changes, note, reverts)
    return record


def _update(
    conn: sa.Connection,
    coll: Collection,
    code: str,
    values: dict,
    seen: int,
    actor: str,
    note: str,
    action: str,
    reverts: int | None,
) -> dict:
    table = _table(coll)
    current = _fetch(conn, coll, code)
    if current is None:
        raise RecordNotFound(f"no {coll.name} record {code}")
    if current["version"] != seen:
        raise StaleRecord(current)
    if coll.key in values and str(values[coll.key]) != str(current[coll.key]):
        raise RecordError(f"the {coll.key} of a record cannot change")
    changes = {
        field: [current[field], new]
        for field, new in _columns(coll, values).items()
        if field != coll.key and not _same(current[field], new)
    }
    child_changes = _child_changes(coll, current, values)
    if child_changes:
        changes[coll.children] = child_changes  # type: ignore[index]
    if not changes:
        return current
    row = {f: new for f, (_old, new) in changes.items() if f in table.c}
    row["version"] = table.c.version + 1
    row["updated_by"] = actor
    if "updated_at" in table.c:
        row["updated_at"] = datetime.now(UTC)
    done = conn.execute(
        table.update()
        .where(table.c[coll.key] == current[coll.key], table.c.version == seen)
        .values(**row)
    )
    if done.rowcount != 1:  # saved by someone else between our read and our write
        raise StaleRecord(_fetch(conn, coll, code))
    if child_changes:
        _write_children(conn, coll, current[coll.key], values, current)
    _log(conn, coll, current[coll.key], seen + 1, actor, action, changes, note, reverts)
    record = _fetch(conn, coll, code)
    assert record is not None
    return record


def _delete(
    conn: sa.Connection, coll: Collection, code: str, seen: int, actor: str, note: str
) -> dict:
    table = _table(coll)
    current = _fetch(conn, coll, code)
    if current is None:
        raise RecordNotFound(f"no {coll.name} record {code}")
    if current["version"] != seen:
        raise StaleRecord(current)
    refs = _references(conn, coll, code)
    if refs:
        listed = ", ".join(f"{n:,} in {table_name}" for table_name, n in refs.items())
        raise RecordInUse(f"{code} is still referred to: {listed}", refs)
    every = {f: [current[f], None] for f in _fields_of(coll, current)}
    if coll.children:
        every[coll.children] = [current.get(coll.children), None]
    done = conn.execute(
        table.delete().where(table.c[coll.key] == current[coll.key], table.c.version == seen)
    )
    if done.rowcount != 1:
        raise StaleRecord(_fetch(conn, coll, code))
    _log(conn, coll, current[coll.key], seen + 1, actor, "delete", every, note, None)
    return current


def _fields_of(coll: Collection, record: dict) -> list[str]:
    return [f for f in record if f in _table(coll).c and _editable(coll, f)]


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, shapely.Geometry) or isinstance(new, shapely.Geometry):
        if old is None or new is None:
            return old is new
        return shapely.to_wkb(old) == shapely.to_wkb(new)
    if isinstance(old, float) or isinstance(new, float):
        try:
            return old is not None and new is not None and float(old) == float(new)
        except (TypeError, ValueError):
            return False
    return old == new


def _child_changes(coll: Collection, current: dict, values: dict) -> list | None:
    if coll.children is None or coll.children not in values:
        return None
    if coll.children == "stock":
        old, new = (
            current.get("stock", {}),
            {k: _number(v) for k, v in (values["stock"] or {}).items() if float(v) != 0},
        )
        changed = {k for k in old.keys() | new.keys() if old.get(k, 0) != new.get(k, 0)}
        if not changed:
            return None
        return [
            {k: old.get(k, 0) for k in sorted(changed)},
            {k: new.get(k, 0) for k in sorted(changed)},
        ]
    old_towns, new_towns = sorted(current.get("townships", [])), sorted(values["townships"] or [])
    return None if old_towns == new_towns else [old_towns, new_towns]


def _write_children(
    conn: sa.Connection, coll: Collection, code: Any, values: dict, current: dict
) -> None:
    if coll.children is None or coll.children not in values:
        return
    if coll.children == "stock":
        ds = schema.depot_stock
        old = current.get("stock", {})
        for item, quantity in (values["stock"] or {}).items():
            quantity = float(quantity)
            if quantity == old.get(item, 0):
                continue
            conn.execute(ds.delete().where(ds.c.depot_code == code, ds.c.item_code == item))
            if quantity != 0:
                conn.execute(ds.insert().values(depot_code=code, item_code=item, quantity=quantity))
        return
    at = schema.activation_townships
    conn.execute(at.delete().where(at.c.activation_id == code))
    for town in sorted(set(values["townships"] or [])):
        conn.execute(at.insert().values(activation_id=code, township_code=town))


def _references(conn: sa.Connection, coll: Collection, code: str) -> dict[str, int]:
    """Rows elsewhere whose foreign key points at this record (cascading children aside)."""
    counts: dict[str, int] = {}
    key = _key(coll, code)
    for table in schema.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != coll.table or fk.column.name != coll.key:
                continue
            if fk.ondelete == "CASCADE":
                continue  # stock and activation townships go with their record
            query = sa.select(sa.func.count()).select_from(table).where(fk.parent == key)
            if table.name == coll.table:  # a node's children, not itself
                query = query.where(table.c[coll.key] != key)
            n = conn.execute(query).scalar_one()
            if n:
                counts[table.name] = counts.get(table.name, 0) + n
    return counts


# --- history ------------------------------------------------------------------


def _log(
    conn: sa.Connection,
    coll: Collection,
    code: Any,
    version: int,
    actor: str,
    action: str,
    changes: dict,
    note: str,
    reverts: int | None,
) -> None:
    conn.execute(
        schema.history.insert().values(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            collection=coll.name,
            code=str(code),
            version=version,
            changes=json.dumps(
                {f: [_to_json(o), _to_json(n)] for f, (o, n) in changes.items()},
                ensure_ascii=False,
            ),
            note=note[:400],
            reverts=reverts,
        )
    )


# Values JSON has no type for, tagged so they come back as they were.
_TAGS: dict[str, Callable[[Any], Any]] = {
    "$geometry": shapely.geometry.shape,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
}


def _to_json(value: Any) -> Any:
    if isinstance(value, shapely.Geometry):
        return {"$geometry": shapely.geometry.mapping(value)}
    if isinstance(value, datetime):
        return {"$datetime": _utc(value).isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        if tag in _TAGS:
            return _TAGS[tag](inner)
    return value


def _history_row(row: Mapping) -> dict:
    entry = dict(row)
    entry["at"] = _utc(entry["at"]) if isinstance(entry["at"], datetime) else entry["at"]
    entry["changes"] = {
        field: [_from_json(old), _from_json(new)]
        for field, (old, new) in json.loads(entry["changes"]).items()
    }
    return entry


__all__ = [
    "COLLECTIONS",
    "CodeTaken",
    "Collection",
    "Geom",
    "RecordError",
    "RecordInUse",
    "RecordNotFound",
    "Records",
    "StaleRecord",
]
