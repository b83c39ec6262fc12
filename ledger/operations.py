"""One function per ledger operation: the desk, the API and ``manage.py`` call these.

Each checks the principal's role itself (ledger steps are the duty officers'
and admins': permission ``respond``; anyone signed in may read), applies the
rules of :mod:`ledger.rules` to the item as it is, and hands the store one
transactional write conditional on the version the rules saw. They raise
:class:`auth.Unauthenticated` / :class:`auth.Forbidden`, :class:`Refused`
(409), :class:`editing.records.NotFound` (404) and
:class:`editing.records.Conflict` (someone moved the item meanwhile).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from auth import Principal, require
from domain import INSPECTION_DAYS, LEDGER_TO_MAP
from editing.records import Conflict, NotFound
from ledger.rules import Refused, check_step, ledger_status, photo_type
from store import Store
from store import ledger as store_ledger
from store.ledger import Query
from store.records import RecordNotFound, StaleRecord

# Fields a duty officer sets when an item is registered (or later corrects).
ACCOUNT_FIELDS = (
    "found_on", "finder", "description", "responsible_unit", "measures", "funds",
    "contingency_plan",
)  # fmt: skip
POINT_FIELDS = ("responsible_person", "responsible_phone", "rectification_deadline")


def who(actor: Principal) -> str:
    """The person behind a principal (a user's tokens are that user): who did the work."""
    return actor.user_name or actor.name


def hidden_danger(store: Store, actor: Principal | None, code: str) -> dict:
    """One item with its account, ledger ``status`` and ``steps``."""
    require(actor, "read")
    item = store_ledger.account(store.engine, code)
    if item is None:
        raise NotFound(f"no risk point {code}")
    item["status"] = (
        ledger_status(item["rectification_status"], item["verified_at"])
        if item["kind"] == "hidden_danger"
        else None
    )
    item["steps"] = store_ledger.steps(store.engine, code)
    return item


def take_step(
    store: Store,
    actor: Principal | None,
    code: str,
    to: str,
    note: str = "",
    *,
    measures: str | None = None,
    verifier: str | None = None,
    verified_on: date | str | None = None,
    photo: bytes | None = None,
    now: datetime | None = None,
) -> dict:
    """Move item ``code`` on: ``to`` is rectifying, rectified, verified or reopened.

    Returns the item after the step (with its new ledger ``status``).
    """
    actor = require(actor, "respond")
    now = now or datetime.now(UTC)
    item = store_ledger.account(store.engine, code)
    if item is None:
        raise NotFound(f"no risk point {code}")
    day = _date(verified_on, "verified_on") if verified_on not in (None, "") else None
    params = {"note": (note or "").strip(), "measures": (measures or "").strip() or None,
              "verifier": (verifier or "").strip(), "verified_on": day}  # fmt: skip
    check_step(item, to, who(actor), params)
    stored_photo = None
    if photo:
        kind = photo_type(photo)
        stored_photo = {"content_type": kind, "size": len(photo),
                        "sha256": hashlib.sha256(photo).hexdigest(), "data": photo}  # fmt: skip
    new_status = {"rectifying": "rectifying", "rectified": "rectified", "verified": "verified",
                  "reopened": "rectifying"}[to]  # fmt: skip
    point = {"rectification_status": LEDGER_TO_MAP[new_status]}
    account: dict[str, Any] = {}
    if params["measures"]:
        account["measures"] = params["measures"]
    if to == "rectified":
        account |= {"rectified_by": who(actor), "rectified_at": now}
    if to == "verified":
        account |= {"verifier": params["verifier"] or who(actor), "verified_by": who(actor),
                    "verified_on": day or now.date(), "verified_at": now}  # fmt: skip
    if to == "reopened":
        account |= {"verifier": "", "verified_by": "", "verified_on": None, "verified_at": None}
    if to == "rectifying" and item.get("found_on") is None and not item["has_account"]:
        account["found_on"] = now.date()
    return _write(store, item, to, point, account, actor, params["note"], stored_photo, now)


def start_rectifying(store: Store, actor: Principal | None, code: str, note: str = "",
                     **kw: Any) -> dict:  # fmt: skip
    """found -> rectifying (a major item needs its five in place)."""
    return take_step(store, actor, code, "rectifying", note, **kw)


def report_rectified(store: Store, actor: Principal | None, code: str, note: str,
                     **kw: Any) -> dict:  # fmt: skip
    """-> rectified, with the measures taken and a note."""
    return take_step(store, actor, code, "rectified", note, **kw)


def verify_hidden_danger(store: Store, actor: Principal | None, code: str, note: str = "",
                         **kw: Any) -> dict:  # fmt: skip
    """rectified -> verified and closed, by someone other than who rectified it."""
    return take_step(store, actor, code, "verified", note, **kw)


def reopen_hidden_danger(store: Store, actor: Principal | None, code: str, note: str,
                         **kw: Any) -> dict:  # fmt: skip
    """Send a rectified (or closed) item back to rectifying, saying why."""
    return take_step(store, actor, code, "reopened", note, **kw)


def register_hidden_danger(
    store: Store, actor: Principal | None, code: str, values: Mapping[str, Any], note: str = ""
) -> dict:
    """Set what is known when an item is found: finder, responsible unit and person,
    deadline, measures, funds, contingency plan (any of them, any time before it closes)."""
    actor = require(actor, "respond")
    item = _hidden(store, code)
    unknown = set(values) - set(ACCOUNT_FIELDS) - set(POINT_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a ledger account: {', '.join(sorted(unknown))}")
    account = {k: v for k, v in values.items() if k in ACCOUNT_FIELDS}
    point = {k: v for k, v in values.items() if k in POINT_FIELDS}
    for name in ("found_on", "rectification_deadline"):
        for part in (account, point):
            if part.get(name) not in (None, ""):
                part[name] = _date(part[name], name)
            elif name in part:
                part[name] = None
    if "funds" in account and account["funds"] not in (None, ""):
        try:
            account["funds"] = float(account["funds"])
        except (TypeError, ValueError):
            raise Refused("bad_funds") from None
        if account["funds"] < 0:
            raise Refused("bad_funds")
    elif "funds" in account:
        account["funds"] = None
    if not item["has_account"] and "found_on" not in account:
        account["found_on"] = datetime.now(UTC).date()
    return _write(store, item, "registered", point, account, actor, note, None, None)


def supervise_hidden_danger(
    store: Store,
    actor: Principal | None,
    code: str,
    by: str,
    on: date | str | None = None,
    *,
    listed: bool = True,
    note: str = "",
) -> dict:
    """List an item for supervision (挂牌督办) by leader ``by``, or take it off the list."""
    actor = require(actor, "respond")
    item = _hidden(store, code)
    day = _date(on, "supervised_on") if on not in (None, "") else datetime.now(UTC).date()
    account = (
        {"supervised": True, "supervised_by": by.strip(), "supervised_on": day}
        if listed
        else {"supervised": False}
    )
    return _write(store, item, "supervised", {}, account, actor, note, None, None)


def record_inspection(
    store: Store,
    actor: Principal | None,
    code: str,
    on: date | str | None = None,
    next_due: date | str | None = None,
    note: str = "",
) -> dict:
    """A risk point (or hidden danger) inspected on ``on``: its next inspection falls due
    ``next_due``, else after the days its grade gives (:data:`domain.INSPECTION_DAYS`)."""
    actor = require(actor, "respond")
    item = store_ledger.account(store.engine, code)
    if item is None:
        raise NotFound(f"no risk point {code}")
    day = _date(on, "last_inspection") if on not in (None, "") else datetime.now(UTC).date()
    due = (
        _date(next_due, "next_inspection")
        if next_due not in (None, "")
        else next_inspection(item["grade"], day)
    )
    point = {"last_inspection": day, "next_inspection": due}
    return _write(store, item, "inspected", point, {}, actor, note, None, None,
                  with_account=item["has_account"] or item["kind"] == "hidden_danger")  # fmt: skip


def next_inspection(grade: str, last: date) -> date:
    """When a point of ``grade`` last inspected on ``last`` is next due."""
    return last + timedelta(days=INSPECTION_DAYS.get(grade, 365))


def hidden_dangers(
    store: Store, actor: Principal | None, query: Query, today: date | None = None
) -> tuple[int, list[dict]]:
    """One page of the ledger: ``(total, rows)``, filtered and sorted in the database."""
    require(actor, "read")
    return store_ledger.page(store.engine, query, today or date.today())


def _hidden(store: Store, code: str) -> dict:
    item = store_ledger.account(store.engine, code)
    if item is None:
        raise NotFound(f"no risk point {code}")
    if item["kind"] != "hidden_danger":
        raise Refused("not_hidden_danger", {"code": code})
    return item


def _write(
    store: Store,
    item: dict,
    step: str,
    point: dict,
    account: dict,
    actor: Principal,
    note: str,
    photo: dict | None,
    now: datetime | None,
    *,
    with_account: bool = True,
) -> dict:
    try:
        after = store_ledger.write_step(
            store.engine, item["code"], item["version"], step, point, account,
            actor.name, note, photo, now, with_account=with_account,
        )  # fmt: skip
    except StaleRecord as exc:
        raise Conflict(exc.current) from exc
    except RecordNotFound as exc:
        raise NotFound(str(exc)) from exc
    after["status"] = (
        ledger_status(after["rectification_status"], after["verified_at"])
        if after["kind"] == "hidden_danger"
        else None
    )
    return after


def _date(value: date | str, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise Refused("bad_date", {"field": name}) from None
