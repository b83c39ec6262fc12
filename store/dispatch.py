"""Dispatching: stock reserved and forces marked deployed in one transaction.

Two officers dispatching from one depot at the same moment never take more
than it holds: each decrement is conditional (``UPDATE ... SET quantity =
quantity - :q WHERE quantity >= :q``), the ``quantity >= 0`` check backs it,
and one that finds too little rolls the whole dispatch back, naming what is
short. A dispatch is keyed by (incident, idempotency key): a double-click or
a retried request finds the first one and reserves nothing more. Rows are
locked in one order (depots and items sorted, then forces) so concurrent
dispatches never deadlock. Every change leaves its history rows in the same
transaction (the depots' stock, the forces' status, the orders).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from store import schema
from store.records import COLLECTIONS, RecordError, RecordNotFound, _Guard, _log

# What each status may become, and what it does to stock and forces.
NEXT_STATUS: dict[str, dict[str, tuple[str, ...]]] = {
    "material": {"ordered": ("consumed", "returned", "cancelled")},
    "force": {
        "ordered": ("en_route", "cancelled"),
        "en_route": ("on_site", "returned", "cancelled"),
        "on_site": ("returned",),
    },
}
GIVES_BACK = {"returned", "cancelled"}  # stock to its depot, a force to available


class Short(RecordError):
    """Not enough: ``short`` names each depot item or force that could not be had."""

    def __init__(self, short: dict[str, object]) -> None:
        super().__init__("not enough: " + ", ".join(f"{k} ({v})" for k, v in short.items()))
        self.short = short


@dataclass(frozen=True)
class Dispatched:
    """A dispatch and its orders; ``created`` is False when its key had been used already."""

    dispatch_id: int
    orders: list[dict]
    created: bool


def _now() -> datetime:
    return datetime.now(UTC)


def reserve(
    engine: Engine,
    incident_id: int,
    key: str,
    materials: list[tuple[str, str, float, float]],
    forces: list[tuple[str, float]],
    actor: str,
    routing: str,
) -> Dispatched:
    """Reserve ``materials`` (depot, item, quantity, travel_s) and ``forces`` (code, travel_s)."""
    try:
        with _Guard(engine, write=True) as conn:
            return _reserve(conn, incident_id, key, materials, forces, actor, routing)
    except RecordError as exc:
        text = str(exc)
        same_key = "uq_dispatches" in text or "dispatches.incident_id" in text
        if isinstance(exc.__cause__, IntegrityError) and same_key:
            # the same key, confirmed meanwhile by another request: that one stands
            with _Guard(engine, write=False) as conn:
                existing = _by_key(conn, incident_id, key)
            if existing is not None:
                return existing
        raise


def _by_key(conn: sa.Connection, incident_id: int, key: str) -> Dispatched | None:
    d = schema.dispatches
    row = conn.execute(
        sa.select(d.c.id).where(d.c.incident_id == incident_id, d.c.key == key)
    ).first()
    if row is None:
        return None
    return Dispatched(row.id, _orders(conn, dispatch_id=row.id), created=False)


def _reserve(
    conn: sa.Connection,
    incident_id: int,
    key: str,
    materials: list[tuple[str, str, float, float]],
    forces: list[tuple[str, float]],
    actor: str,
    routing: str,
) -> Dispatched:
    existing = _by_key(conn, incident_id, key)
    if existing is not None:
        return existing
    incident = conn.execute(
        sa.select(schema.incidents).where(schema.incidents.c.id == incident_id)
    ).first()
    if incident is None:
        raise RecordNotFound(f"no incident #{incident_id}")
    if incident.status != "open":
        raise RecordError(f"incident {incident.code} is closed")
    now = _now()
    # The key first: a second request with it waits here, then finds the first.
    dispatch_id = conn.execute(
        schema.dispatches.insert()
        .values(incident_id=incident_id, key=key, created_at=now, created_by=actor,
                routing=routing)
        .returning(schema.dispatches.c.id)
    ).scalar_one()  # fmt: skip
    stock, short = schema.depot_stock, {}
    taken: dict[str, dict[str, list[float]]] = {}
    for depot, item, quantity, _travel in sorted(materials):
        left = conn.execute(
            stock.update()
            .where(
                stock.c.depot_code == depot,
                stock.c.item_code == item,
                stock.c.quantity >= quantity,
            )
            .values(quantity=stock.c.quantity - quantity)
            .returning(stock.c.quantity)
        ).scalar_one_or_none()
        if left is None:
            held = conn.execute(
                sa.select(stock.c.quantity).where(
                    stock.c.depot_code == depot, stock.c.item_code == item
                )
            ).scalar_one_or_none()
            short[f"{depot}/{item}"] = _whole(held or 0)
            continue
        taken.setdefault(depot, {})[item] = [_whole(left + quantity), _whole(left)]
    f = schema.forces
    deployed = []
    for code, _travel in sorted(forces):
        done = conn.execute(
            f.update()
            .where(f.c.code == code, f.c.status == "available")
            .values(status="deployed", version=f.c.version + 1, updated_by=actor, updated_at=now)
            .returning(f.c.version)
        ).scalar_one_or_none()
        if done is None:
            state = conn.execute(sa.select(f.c.status).where(f.c.code == code)).scalar_one_or_none()
            short[code] = state or "unknown"
            continue
        deployed.append((code, done))
    if short:
        raise Short(short)  # rolls back everything above, the key included
    note = f"dispatch #{dispatch_id} to incident {incident.code}"
    d = schema.depots
    for depot, items in taken.items():
        version = conn.execute(
            d.update()
            .where(d.c.code == depot)
            .values(version=d.c.version + 1, updated_by=actor, updated_at=now)
            .returning(d.c.version)
        ).scalar_one()
        changes = {
            "stock": [{k: v[0] for k, v in items.items()}, {k: v[1] for k, v in items.items()}]
        }
        _log(conn, COLLECTIONS["depots"], depot, version, actor, "update", changes, note, None)
    for code, version in deployed:
        _log(conn, COLLECTIONS["forces"], code, version, actor, "update",
             {"status": ["available", "deployed"]}, note, None)  # fmt: skip
    times = json.dumps({"ordered": now.isoformat()})
    rows = [
        {"kind": "material", "depot_code": depot, "item_code": item, "quantity": quantity,
         "travel_s": travel}
        for depot, item, quantity, travel in materials
    ] + [
        {"kind": "force", "force_code": code, "travel_s": travel} for code, travel in forces
    ]  # fmt: skip
    codes = [c for c, _ in forces]
    heads = dict(conn.execute(sa.select(f.c.code, f.c.headcount).where(f.c.code.in_(codes))).all())
    for row in rows:
        conn.execute(
            schema.dispatch_orders.insert().values(
                dispatch_id=dispatch_id, incident_id=incident_id, status="ordered", times=times,
                headcount=heads.get(row.get("force_code")), updated_by=actor, updated_at=now,
                **row,
            )
        )  # fmt: skip
    return Dispatched(dispatch_id, _orders(conn, dispatch_id=dispatch_id), created=True)


def set_status(engine: Engine, order_id: int, status: str, actor: str) -> dict:
    """Move an order on; returning or cancelling gives stock and forces back."""
    with _Guard(engine, write=True) as conn:
        o = schema.dispatch_orders
        order = conn.execute(sa.select(o).where(o.c.id == order_id)).mappings().first()
        if order is None:
            raise RecordNotFound(f"no order #{order_id}")
        allowed = NEXT_STATUS[order["kind"]].get(order["status"], ())
        if status not in allowed:
            raise RecordError(
                f"an order {order['status']} cannot become {status}"
                + (f" (it can become {', '.join(allowed)})" if allowed else " (it is done)")
            )
        now = _now()
        times = {**json.loads(order["times"] or "{}"), status: now.isoformat()}
        done = conn.execute(
            o.update()
            .where(o.c.id == order_id, o.c.status == order["status"])
            .values(status=status, times=json.dumps(times), version=o.c.version + 1,
                    updated_by=actor, updated_at=now)
        )  # fmt: skip
        if done.rowcount != 1:
            raise RecordError("the order was changed meanwhile; look again")
        note = f"order #{order_id} {status}"
        if status in GIVES_BACK and order["kind"] == "material":
            _give_back(
                conn, order["depot_code"], order["item_code"], order["quantity"], actor, note
            )
        if status in GIVES_BACK and order["kind"] == "force":
            f = schema.forces
            version = conn.execute(
                f.update()
                .where(f.c.code == order["force_code"], f.c.status == "deployed")
                .values(status="available", version=f.c.version + 1, updated_by=actor,
                        updated_at=now)
                .returning(f.c.version)
            ).scalar_one_or_none()  # fmt: skip
            if version is not None:
                _log(conn, COLLECTIONS["forces"], order["force_code"], version, actor, "update",
                     {"status": ["deployed", "available"]}, note, None)  # fmt: skip
        return _orders(conn, order_id=order_id)[0]


def _give_back(
    conn: sa.Connection, depot: str, item: str, quantity: float, actor: str, note: str
) -> None:
    stock = schema.depot_stock
    held = conn.execute(
        sa.select(stock.c.quantity).where(stock.c.depot_code == depot, stock.c.item_code == item)
    ).scalar_one_or_none()
    if held is None:
        conn.execute(stock.insert().values(depot_code=depot, item_code=item, quantity=quantity))
    else:
        conn.execute(
            stock.update()
            .where(stock.c.depot_code == depot, stock.c.item_code == item)
            .values(quantity=stock.c.quantity + quantity)
        )
    d = schema.depots
    version = conn.execute(
        d.update()
        .where(d.c.code == depot)
        .values(version=d.c.version + 1, updated_by=actor, updated_at=_now())
        .returning(d.c.version)
    ).scalar_one()
    changes = {"stock": [{item: _whole(held or 0)}, {item: _whole((held or 0) + quantity)}]}
    _log(conn, COLLECTIONS["depots"], depot, version, actor, "update", changes, note, None)


def orders(engine: Engine, incident_id: int) -> list[dict]:
    """Every order of an incident, oldest first."""
    with _Guard(engine, write=False) as conn:
        return _orders(conn, incident_id=incident_id)


def _orders(
    conn: sa.Connection,
    *,
    dispatch_id: int | None = None,
    incident_id: int | None = None,
    order_id: int | None = None,
) -> list[dict]:
    o = schema.dispatch_orders
    query = sa.select(o).order_by(o.c.id)
    if dispatch_id is not None:
        query = query.where(o.c.dispatch_id == dispatch_id)
    if incident_id is not None:
        query = query.where(o.c.incident_id == incident_id)
    if order_id is not None:
        query = query.where(o.c.id == order_id)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["times"] = json.loads(row["times"] or "{}")
        if row["quantity"] is not None:
            row["quantity"] = _whole(row["quantity"])
    return rows


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def replace_roads(engine: Engine, frame: object, actor: str, note: str) -> int:
    """Every road replaced by ``frame``'s (one transaction), with one history row saying so."""
    from store.store import _chunks, _records

    rows = _records(frame)  # type: ignore[arg-type]
    with _Guard(engine, write=True) as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(schema.roads)).scalar_one()
        conn.execute(schema.roads.delete())
        for chunk in _chunks(rows, 5000):
            conn.execute(schema.roads.insert(), chunk)
        _log(conn, COLLECTIONS["roads"], "*", 1, actor, "update",
             {"segments": [before, len(rows)]}, note, None)  # fmt: skip
    return len(rows)
