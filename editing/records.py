"""One function per operation on a record: the desk, the API and the command line call these.

Each checks the principal's role itself, validates the entry
(:func:`editing.validate.clean`) and hands the store one transactional write
that carries its history row. They raise:

* :class:`auth.Unauthenticated` / :class:`auth.Forbidden` (401 / 403);
* :class:`Invalid` with the problems, field by field (422);
* :class:`Conflict` when someone saved the record first: who, when, and the
  record as it is now (412);
* :class:`NotFound` (404); :class:`InUse` when other records still refer to
  the one being deleted (409).

Nothing is written when any of these is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auth import Principal, require
from editing.fields import FIELDS, PERMISSION
from editing.messages import Problem
from editing.validate import Context, clean
from store import Store
from store.records import (
    COLLECTIONS,
    CodeTaken,
    RecordError,
    RecordInUse,
    RecordNotFound,
    StaleRecord,
)

# Fields only the ledger's steps move (ledger/operations.py), with its rules: who
# verifies, five-in-place, the history of each step. A generic edit may not.
LEDGER_OWNED: dict[str, tuple[str, ...]] = {"risk_points": ("rectification_status",)}


def ledger_moved(collection: str, current: dict, values: Mapping[str, Any]) -> list[str]:
    """The ledger-owned fields ``values`` would change on ``current``: a generic edit and
    an import both refuse them. A field left out keeps its value; one that is still None
    may be set (a point becoming a hidden danger starts its ledger as "open": no step)."""
    return [
        n
        for n in LEDGER_OWNED.get(collection, ())
        if current.get(n) is not None and n in values and values[n] != current[n]
    ]


class EditError(Exception):
    """An operation that could not be done; nothing was written."""


class Invalid(EditError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.say('en')}" for p in problems))
        self.problems = problems


class Conflict(EditError):
    """Saved by someone else first (``current`` is the record now, None if deleted)."""

    def __init__(self, current: dict | None) -> None:
        who = (current or {}).get("updated_by") or "a data load"
        when = (current or {}).get("updated_at")
        super().__init__(
            f"changed by {who}" + (f" at {when:%Y-%m-%d %H:%M:%S %Z}" if when else "")
            if current
            else "deleted by someone else"
        )
        self.current = current


class NotFound(EditError):
    pass


class InUse(EditError):
    def __init__(self, message: str, references: dict[str, int]) -> None:
        super().__init__(message)
        self.references = references


@dataclass(frozen=True)
class Saved:
    """A record as the store now holds it, and warnings worth a second look."""

    record: dict
    warnings: list[Problem] = field(default_factory=list)


def collections() -> list[str]:
    """Every collection a record can be edited in."""
    return list(FIELDS)


def _check(actor: Principal | None, collection: str) -> Principal:
    if collection not in FIELDS:
        raise NotFound(f"no collection {collection!r}")
    return require(actor, PERMISSION[collection])


def get_record(store: Store, actor: Principal | None, collection: str, code: str) -> dict:
    """One record, for anyone who may read."""
    require(actor, "read")
    if collection not in FIELDS:
        raise NotFound(f"no collection {collection!r}")
    record = store.records.get(collection, code)
    if record is None:
        raise NotFound(f"no {collection} record {code}")
    return record


def create_record(
    store: Store,
    actor: Principal | None,
    collection: str,
    values: Mapping[str, Any],
    *,
    note: str = "",
    timezone: str = "Asia/Shanghai",
) -> Saved:
    """A new record of ``collection``."""
    who = _check(actor, collection)
    checked = clean(collection, values, Context(store, timezone))
    if not checked.ok:
        raise Invalid(checked.problems)
    key = COLLECTIONS[collection].key
    try:
        record = store.records.create(collection, checked.values, who.name, note)
    except CodeTaken:
        raise Invalid([Problem(key, "code_taken")]) from None
    except RecordError as exc:
        raise Invalid([Problem(key, "store_refused", {"reason": str(exc)})]) from exc
    return Saved(record, checked.warnings)


def update_record(
    store: Store,
    actor: Principal | None,
    collection: str,
    code: str,
    values: Mapping[str, Any],
    version: int,
    *,
    partial: bool = True,
    note: str = "",
    timezone: str = "Asia/Shanghai",
) -> Saved:
    """Change a record that is still at ``version`` (the one the editor saw).

    ``partial`` (PATCH): fields not given stay. Otherwise (PUT) a field not
    given is reset to its default.
    """
    who = _check(actor, collection)
    current = store.records.get(collection, code)
    if current is None:
        raise NotFound(f"no {collection} record {code}")
    if int(version) != current["version"]:
        raise Conflict(current)
    owned = LEDGER_OWNED.get(collection, ())
    if not partial:  # a whole new record: what is not given takes its default
        values = {
            **{f.name: f.default for f in FIELDS[collection] if f.default is not None},
            **{f.name: None for f in FIELDS[collection] if f.default is None and not f.required},
            **{name: current.get(name) for name in owned},  # not the editor's to reset
            **values,
        }
    stock = values.get("stock")
    if partial and collection == "depots" and isinstance(stock, Mapping):
        # PATCH merges a stock object (RFC 7396): items not named stay as they are
        values = {**values, "stock": {**current["stock"], **{k: v or 0 for k, v in stock.items()}}}
    checked = clean(collection, values, Context(store, timezone), current=current)
    if not checked.ok:
        raise Invalid(checked.problems)
    moved = ledger_moved(collection, current, checked.values)
    if moved:
        raise Invalid([Problem(name, "ledger_owned") for name in moved])
    try:
        record = store.records.update(
            collection, code, checked.values, int(version), who.name, note
        )
    except StaleRecord as exc:
        raise Conflict(exc.current) from None
    except RecordNotFound as exc:
        raise NotFound(str(exc)) from None
    except RecordError as exc:
        key = COLLECTIONS[collection].key
        raise Invalid([Problem(key, "store_refused", {"reason": str(exc)})]) from exc
    return Saved(record, checked.warnings)


def delete_record(
    store: Store,
    actor: Principal | None,
    collection: str,
    code: str,
    version: int,
    *,
    note: str = "",
) -> dict:
    """Delete a record still at ``version``; an admin can restore it from its history."""
    who = _check(actor, collection)
    try:
        return store.records.delete(collection, code, int(version), who.name, note)
    except StaleRecord as exc:
        raise Conflict(exc.current) from None
    except RecordNotFound as exc:
        raise NotFound(str(exc)) from None
    except RecordInUse as exc:
        raise InUse(str(exc), exc.references) from None


def record_history(store: Store, actor: Principal | None, collection: str, code: str) -> list[dict]:
    """Every change of a record, newest first (who, when, old and new values)."""
    require(actor, "read")
    if collection not in FIELDS:
        raise NotFound(f"no collection {collection!r}")
    return store.records.history(collection, code)


def deleted_records(
    store: Store, actor: Principal | None, collection: str | None = None
) -> list[dict]:
    """Deletions an admin may undo."""
    require(actor, "admin")
    return store.records.deleted(collection)


def restore_record(
    store: Store, actor: Principal | None, entry_id: int, *, note: str = ""
) -> Saved:
    """Bring a deleted record back as it was (admins only)."""
    who = require(actor, "admin")
    entry = store.records.history_entry(int(entry_id))
    if entry is None or entry["action"] != "delete":
        raise NotFound(f"no deletion #{entry_id} in the history")
    try:
        return Saved(store.records.restore(entry["id"], who.name, note))
    except CodeTaken as exc:
        raise Invalid([Problem(COLLECTIONS[entry["collection"]].key, "code_taken")]) from exc
    except RecordError as exc:  # e.g. its township is gone meanwhile
        raise Invalid([Problem("code", "store_refused", {"reason": str(exc)})]) from exc


def revert_change(store: Store, actor: Principal | None, entry_id: int, *, note: str = "") -> Saved:
    """Undo one change (admins only): its fields go back to their old values.

    Refused when a later change touched the same fields (revert that first),
    so nothing anyone saved since is lost without a word. A creation is
    reverted by deleting the record, a deletion by restoring it.
    """
    who = require(actor, "admin")
    entry = store.records.history_entry(int(entry_id))
    if entry is None:
        raise NotFound(f"no change #{entry_id} in the history")
    collection, code = entry["collection"], entry["code"]
    if entry["action"] == "delete":
        return restore_record(store, who, entry_id, note=note)
    current = store.records.get(collection, code)
    if current is None:
        raise NotFound(f"{collection} {code} no longer exists")
    if entry["action"] == "create":
        delete_record(store, who, collection, code, current["version"], note=note or "revert")
        return Saved(current)
    later = [
        h
        for h in store.records.history(collection, code)
        if h["id"] > entry["id"] and set(h["changes"]) & set(entry["changes"])
    ]
    if later:
        raise Conflict(current)
    old = {name: values[0] for name, values in entry["changes"].items()}
    if "stock" in old:
        old["stock"] = {**current["stock"], **old["stock"]}
    try:
        record = store.records.update(
            collection,
            code,
            old,
            current["version"],
            who.name,
            note or f"revert #{entry_id}",
            action="revert",
            reverts=entry["id"],
        )
    except StaleRecord as exc:
        raise Conflict(exc.current) from None
    except RecordError as exc:
        raise Invalid([Problem("code", "store_refused", {"reason": str(exc)})]) from exc
    return Saved(record)
