"""One function per duty officer's operation: open an incident, recommend, dispatch, move orders.

The desk, the HTTP API and scripts call these; each checks the role itself
(duty officers and admins write; anyone signed in may read a proposal).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from auth import Principal, require
from dispatch.recommend import Needs, Recommendation, recommend, travel_times_of
from editing.messages import Problem
from editing.records import Invalid, NotFound, Saved, create_record, update_record
from store import Store
from store import dispatch as store_dispatch
from store.dispatch import Dispatched, Short
from store.records import RecordError, RecordNotFound


@dataclass(frozen=True)
class Refused(Exception):
    """A dispatch that could not be made as asked (HTTP 409): ``short`` says what."""

    short: dict[str, object]
    message: str

    def __str__(self) -> str:
        return self.message


def new_code(now: datetime | None = None) -> str:
    """An incident's code: when it was opened, and a few random letters."""
    now = now or datetime.now(UTC)
    return f"INC-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2).upper()}"


def open_incident(
    store: Store, actor: Principal | None, values: dict[str, Any], timezone: str = "Asia/Shanghai"
) -> Saved:
    """A new incident (type, place, time, reporter, description, what it needs)."""
    values = dict(values)
    if not values.get("code"):
        values["code"] = new_code()
    values.setdefault("reported_at", datetime.now(UTC))
    if actor is not None:
        values.setdefault("reporter", actor.user_name or actor.name)
    return create_record(store, actor, "incidents", values, timezone=timezone)


def incident(store: Store, actor: Principal | None, code_or_id: str | int) -> dict:
    """One incident by its code or its number, ``needs`` decoded."""
    require(actor, "read")
    record = _find(store, code_or_id)
    return record


def _find(store: Store, code_or_id: str | int) -> dict:
    record = store.records.get("incidents", str(code_or_id))
    if record is None and str(code_or_id).isdigit():
        frame = store.read("incidents", where={"id": int(code_or_id)})
        if len(frame):
            record = store.records.get("incidents", frame["code"].iloc[0])
    if record is None:
        raise NotFound(f"no incident {code_or_id}")
    return record


def recommendation(
    store: Store, actor: Principal | None, code_or_id: str | int, *, widen: bool = False
) -> Recommendation:
    """What to send to an incident, ranked by travel time (see :mod:`dispatch.recommend`)."""
    require(actor, "read")
    record = _find(store, code_or_id)
    needs = Needs.of(json.loads(record["needs"] or "{}"))
    return recommend(store, record["geom"].x, record["geom"].y, needs, widen=widen)


def dispatch(
    store: Store,
    actor: Principal | None,
    code_or_id: str | int,
    key: str,
    depots: list[dict],
    forces: list[str],
) -> Dispatched:
    """Send what the officer confirmed: stock reserved, forces deployed, in one transaction.

    ``depots``: ``[{"code", "take": {item: quantity}}]``; ``forces``: codes. A
    ``key`` used before returns that dispatch again and reserves nothing more.
    Raises :class:`Refused` naming what is short, with nothing reserved.
    """
    who = require(actor, "respond")
    record = _find(store, code_or_id)
    if not key or len(str(key)) > 100:
        raise Invalid([Problem("key", "required")])
    problems = []
    materials: list[tuple[str, str, float]] = []
    for n, depot in enumerate(depots or []):
        take = depot.get("take") if isinstance(depot, dict) else None
        if not isinstance(take, dict) or not depot.get("code"):
            problems.append(Problem(f"depots[{n}]", "not_object"))
            continue
        for item, quantity in take.items():
            try:
                amount = float(quantity)
            except (TypeError, ValueError):
                problems.append(Problem(f"depots[{n}].take.{item}", "not_number"))
                continue
            if not np.isfinite(amount) or amount <= 0:
                problems.append(Problem(f"depots[{n}].take.{item}", "too_small", {"min": 0}))
                continue
            materials.append((str(depot["code"]), str(item), amount))
    if not isinstance(forces, list) or not all(isinstance(c, str) for c in forces):
        problems.append(Problem("forces", "not_object"))
        forces = []
    if not materials and not forces and not problems:
        problems.append(Problem("depots", "required"))
    if problems:
        raise Invalid(problems)
    found = {
        "materials": store.read("depots", codes=sorted({d for d, _, _ in materials})),
        "forces": store.read("forces", codes=sorted(set(forces))),
    }
    unknown = {
        d: "unknown depot" for d, _, _ in materials if d not in set(found["materials"]["code"])
    }
    unknown |= {c: "unknown force" for c in forces if c not in set(found["forces"]["code"])}
    if unknown:
        raise Refused(unknown, "not dispatched: " + ", ".join(unknown))
    times, routing = travel_times_of(store, record["geom"].x, record["geom"].y, found)
    depot_time = dict(zip(found["materials"]["code"], times["materials"], strict=True))
    force_time = dict(zip(found["forces"]["code"], times["forces"], strict=True))
    try:
        return store_dispatch.reserve(
            store.engine,
            int(record["id"]),
            str(key),
            [(d, i, q, _finite(depot_time[d])) for d, i, q in materials],
            [(c, _finite(force_time[c])) for c in dict.fromkeys(forces)],
            who.name,
            routing,
        )
    except Short as exc:
        raise Refused(exc.short, f"not dispatched, nothing reserved: {exc}") from None
    except RecordNotFound as exc:
        raise NotFound(str(exc)) from None
    except RecordError as exc:
        raise Invalid([Problem("incident", "store_refused", {"reason": str(exc)})]) from None


def _finite(seconds: float) -> float:
    return float(seconds) if np.isfinite(seconds) else -1.0  # unreachable by road: -1


def orders(store: Store, actor: Principal | None, code_or_id: str | int) -> list[dict]:
    """The dispatch log of an incident: every order, its status and its times."""
    require(actor, "read")
    return store_dispatch.orders(store.engine, int(_find(store, code_or_id)["id"]))


def move_order(store: Store, actor: Principal | None, order_id: int, status: str) -> dict:
    """An order en route, on site, returned, consumed or cancelled (stock and forces back)."""
    who = require(actor, "respond")
    try:
        return store_dispatch.set_status(store.engine, int(order_id), status, who.name)
    except RecordNotFound as exc:
        raise NotFound(str(exc)) from None
    except RecordError as exc:
        raise Invalid([Problem("status", "store_refused", {"reason": str(exc)})]) from None


def close_incident(store: Store, actor: Principal | None, code_or_id: str | int) -> Saved:
    """The incident is over (its open orders stay to be returned)."""
    record = _find(store, code_or_id)
    return update_record(
        store, actor, "incidents", record["code"], {"status": "closed"}, record["version"]
    )
