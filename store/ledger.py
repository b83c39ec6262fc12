"""The rectification ledger's SQL: accounts, one step in one transaction, pages of the table.

A step is written conditionally on the version of the risk point the rules
saw (``WHERE version = :seen``): of two officers moving one item at once, the
second is refused with who moved it. The point's map state, its account, the
photo, the step row and the history row are written in one transaction, so a
step is never without its history and a refused one leaves nothing.

Pages (the grid's and ``GET /api/hidden-dangers``) are filtered, sorted,
counted and cut in the database, never the whole table through Python: the
count once per filter and risk revision, the page's codes by ``LIMIT/OFFSET``
over narrow rows, then those rows whole.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql import visitors

from domain import RISK_GRADES, keys
from store import schema
from store.records import COLLECTIONS, RecordNotFound, StaleRecord, _fetch, _Guard, _log

rp, hd, steps_t, photos_t = (
    schema.risk_points,
    schema.hidden_dangers,
    schema.ledger_steps,
    schema.ledger_photos,
)
ACCOUNT_FIELDS = tuple(c.name for c in hd.columns if c.name not in ("code", "version"))
ACCOUNT_FIELDS = tuple(f for f in ACCOUNT_FIELDS if f not in ("updated_at", "updated_by"))

# The ledger status of a hidden danger, from the map state and the verification.
STATUS = sa.case(
    (rp.c.kind != "hidden_danger", sa.null()),
    (sa.and_(rp.c.rectification_status == "rectified", hd.c.verified_at.is_not(None)), "verified"),
    (rp.c.rectification_status == "rectified", "rectified"),
    (rp.c.rectification_status == "in_progress", "rectifying"),
    else_="found",
)
GRADE_ORDER = sa.case(
    *((rp.c.grade == g, n) for n, g in enumerate(keys(RISK_GRADES))), else_=len(RISK_GRADES)
)
SUPERVISED = sa.func.coalesce(hd.c.supervised, sa.false())
OPEN = rp.c.rectification_status.in_(("open", "in_progress"))


def status_clause(statuses: Sequence[str]) -> sa.ColumnElement[bool]:
    """Hidden dangers in any of the ledger ``statuses``, as plain column tests (not the
    CASE of :data:`STATUS` evaluated for every row)."""
    rectified = rp.c.rectification_status == "rectified"
    tests = {
        "found": rp.c.rectification_status == "open",
        "rectifying": rp.c.rectification_status == "in_progress",
        "rectified": sa.and_(rectified, hd.c.verified_at.is_(None)),
        "verified": sa.and_(rectified, hd.c.verified_at.is_not(None)),
    }
    unknown = set(statuses) - set(tests)
    if unknown:
        raise ValueError(f"no ledger status {sorted(unknown)}: one of {', '.join(tests)}")
    wanted = set(statuses)
    if {"rectified", "verified"} <= wanted:
        # Both: the map state alone says it, so the filter walks the ledger index
        # without looking up each account's verification.
        wanted -= {"rectified", "verified"}
        tests["both"] = rectified
        wanted.add("both")
    return sa.and_(rp.c.kind == "hidden_danger", sa.or_(*(tests[s] for s in sorted(wanted))))


def overdue_clause(today: date) -> sa.ColumnElement[bool]:
    """Open hidden dangers past their deadline on ``today``."""
    return sa.and_(rp.c.kind == "hidden_danger", OPEN, rp.c.rectification_deadline < today)


@dataclass(frozen=True)
class Query:
    """What one page of the ledger asks for (every filter optional)."""

    townships: Sequence[str] | None = None
    statuses: Sequence[str] | None = None
    grades: Sequence[str] | None = None  # map grades (major, larger, general, low)
    hidden_only: bool = True
    overdue: bool | None = None
    supervised: bool | None = None
    codes: Sequence[str] | None = None
    text: str = ""  # in the code, name or responsible person
    contains: Mapping[str, str] | None = None  # column (one of CONTAINS) -> text in it
    sort: str = ""  # one of SORTS; "" is supervised first, then overdue, then deadline
    descending: bool = False
    offset: int = 0
    limit: int = 100


def _sorts(today: date) -> dict[str, sa.ColumnElement]:
    return {
        "code": rp.c.code,
        "name": rp.c.name,
        "township": rp.c.township_code,
        "grade": GRADE_ORDER,
        "status": STATUS,
        "deadline": rp.c.rectification_deadline,
        "responsible_person": rp.c.responsible_person,
        "responsible_unit": hd.c.responsible_unit,
        "found_on": hd.c.found_on,
        "supervised": SUPERVISED,
        "overdue": sa.case((overdue_clause(today), 1), else_=0),
        "next_inspection": rp.c.next_inspection,
        "last_inspection": rp.c.last_inspection,
    }


SORTS = tuple(_sorts(date.today()))
CONTAINS = {
    "code": rp.c.code,
    "name": rp.c.name,
    "responsible_person": rp.c.responsible_person,
    "responsible_unit": hd.c.responsible_unit,
    "measures": hd.c.measures,
    "supervised_by": hd.c.supervised_by,
}
PAGE_COLUMNS = (
    "code", "name", "name_en", "township_code", "grade", "kind", "category",
    "responsible_person", "responsible_phone", "supervising_leader",
    "rectification_status", "rectification_deadline", "last_inspection", "next_inspection",
)  # fmt: skip


def _select(
    columns: Sequence[sa.ColumnElement],
    q: Query,
    today: date,
    order: Sequence[sa.ColumnElement] = (),
) -> sa.Select:
    """``columns`` of the rows ``q`` selects, in ``order``. The accounts are joined only
    when something here reads them: a count or a page's codes by map state alone walk
    one index of ``risk_points`` instead of looking up every row's account."""
    conds: list[sa.ColumnElement[bool]] = []
    if q.hidden_only:
        conds.append(rp.c.kind == "hidden_danger")
    if q.townships is not None:
        conds.append(rp.c.township_code.in_(list(q.townships)))
    if q.grades is not None:
        conds.append(rp.c.grade.in_(list(q.grades)))
    if q.statuses is not None:
        conds.append(status_clause(q.statuses))
    if q.codes is not None:
        conds.append(rp.c.code.in_(list(q.codes)))
    if q.overdue is not None:
        late = overdue_clause(today)
        conds.append(late if q.overdue else sa.not_(late))
    if q.supervised is not None:
        conds.append(SUPERVISED if q.supervised else sa.not_(SUPERVISED))
    for column, text in (q.contains or {}).items():
        if column not in CONTAINS:
            raise ValueError(f"cannot filter {column!r}: one of {', '.join(CONTAINS)}")
        conds.append(CONTAINS[column].icontains(text, autoescape=True))
    if q.text:
        conds.append(
            sa.or_(
                *(c.icontains(q.text, autoescape=True)
                  for c in (rp.c.code, rp.c.name, rp.c.responsible_person))
            )
        )  # fmt: skip
    joined = _reads(hd, [*columns, *conds, *order])
    source = rp.outerjoin(hd, hd.c.code == rp.c.code) if joined else rp
    return sa.select(*columns).select_from(source).where(*conds).order_by(*order)


def _reads(table: sa.Table, elements: Sequence[sa.ClauseElement]) -> bool:
    """Whether any of ``elements`` reads a column of ``table``."""
    return any(
        isinstance(node, sa.Column) and node.table is table
        for element in elements
        for node in visitors.iterate(element)
    )


def page(engine: Engine, q: Query, today: date) -> tuple[int, list[dict]]:
    """``(total, rows)``: how many rows ``q`` selects, and the ``q.limit`` from ``q.offset``.

    Rows carry the risk point's ledger columns, the account's, ``status`` (the
    ledger status) and ``overdue``.
    """
    sorts = _sorts(today)
    if q.sort and q.sort not in sorts:
        raise ValueError(f"cannot sort by {q.sort!r}: one of {', '.join(sorts)}")
    columns = [
        *(rp.c[c] for c in PAGE_COLUMNS),
        *(hd.c[c] for c in ACCOUNT_FIELDS),
        STATUS.label("status"),
        sa.case((overdue_clause(today), True), else_=False).label("overdue"),
        rp.c.geom,
    ]
    if q.sort:
        key = sorts[q.sort]
        order = [key.desc() if q.descending else key.asc(), rp.c.code]
    else:
        order = [SUPERVISED.desc(), sorts["overdue"].desc(), rp.c.rectification_deadline, rp.c.code]
    # Deferred join: the filter, the sort and the OFFSET skip walk narrow rows (the
    # code and the sort key, from the indexes), and only the page's rows are built
    # whole. Building every skipped row (the status CASE, the join, the geometry) made
    # a page at offset 50,000 cost 0.5-0.6 s. A page of thousands (the whole list)
    # gains nothing from it and would send thousands of codes back: one query.
    rows_q = _select(columns, q, today, order).offset(q.offset).limit(q.limit)
    codes_q = _select([rp.c.code], q, today, order).offset(q.offset).limit(q.limit)
    with _Guard(engine, write=False) as conn:
        revision = conn.execute(
            sa.select(schema.layer_revisions.c.revision).where(
                schema.layer_revisions.c.layer == "risk"
            )
        ).scalar_one_or_none()
        total = _counted(engine, conn, q, today, revision)
        if q.limit > DEFERRED_UP_TO:
            rows = [dict(r) for r in conn.execute(rows_q).mappings()]
        else:
            if q.offset >= ORDER_KEPT_FROM and revision is not None:
                every = _ordered(engine, conn, q, today, revision, order)
                codes = list(every[q.offset : q.offset + q.limit])
            else:
                codes = list(conn.execute(codes_q).scalars())
            by_code = sa.select(*columns).select_from(rp.outerjoin(hd, hd.c.code == rp.c.code))
            found = {
                r["code"]: dict(r)
                for r in conn.execute(by_code.where(rp.c.code.in_(codes))).mappings()
            }
            rows = [found[c] for c in codes if c in found]  # deleted between the reads: gone
    points = shapely.from_wkb(np.array([r.pop("geom") for r in rows], dtype=object))
    for row, point in zip(rows, points, strict=True):
        row["lon"], row["lat"] = float(point.x), float(point.y)
        row["supervised"] = bool(row["supervised"])
        row["overdue"] = bool(row["overdue"])
        for name in ("rectified_at", "verified_at"):
            if isinstance(row[name], datetime):
                row[name] = _utc(row[name])
    return total, rows


# Pages of at most this many rows are cut by their codes first (see :func:`page`).
DEFERRED_UP_TO = 1_000

# Totals by (store, what the query selects, today, risk revision): the grid asks for
# page after page of one query, and each page would otherwise count every row again.
# Per process, keyed by the revision the database reports, so never stale for long.
_COUNTS: OrderedDict[tuple, int] = OrderedDict()
_COUNTS_KEPT = 256
_counts_lock = threading.Lock()


def _counted(
    engine: Engine, conn: sa.Connection, q: Query, today: date, revision: int | None
) -> int:
    """How many rows ``q`` selects, counted once per risk revision (read before the count,
    so a write committed meanwhile makes a new revision, and a new count, next time)."""
    what = replace(q, sort="", descending=False, offset=0, limit=0)
    key = (str(engine.url), _hashable(what), today, revision)
    with _counts_lock:
        if revision is not None and key in _COUNTS:
            _COUNTS.move_to_end(key)
            return _COUNTS[key]
    total = conn.execute(_select([sa.func.count()], q, today)).scalar_one()
    with _counts_lock:
        _COUNTS[key] = total
        while len(_COUNTS) > _COUNTS_KEPT:
            _COUNTS.popitem(last=False)
    return total


# A page this deep takes its codes from the whole order of its query, read once per
# (store, query, today, risk revision) and kept per process: a sort no index gives
# (the default one, grade, status) made the database scan and sort every selected
# row for each deep page (~1 s at city scale). Deep pages then cost a slice and the
# 100 rows; the first one costs the order (about what one deep page cost).
ORDER_KEPT_FROM = 1_000
_ORDERS: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()
_ORDERS_KEPT = 4  # about 6 MB each for the whole city's hidden dangers


def _ordered(
    engine: Engine,
    conn: sa.Connection,
    q: Query,
    today: date,
    revision: int,
    order: Sequence[sa.ColumnElement],
) -> tuple[str, ...]:
    """Every code ``q`` selects, in its order, read once per risk revision."""
    key = (str(engine.url), _hashable(replace(q, offset=0, limit=0)), today, revision)
    with _counts_lock:
        if key in _ORDERS:
            _ORDERS.move_to_end(key)
            return _ORDERS[key]
    codes = tuple(conn.execute(_select([rp.c.code], q, today, order)).scalars())
    with _counts_lock:
        _ORDERS[key] = codes
        while len(_ORDERS) > _ORDERS_KEPT:
            _ORDERS.popitem(last=False)
    return codes


def _hashable(q: Query) -> tuple:
    def frozen(value: Any) -> Any:
        if isinstance(value, Mapping):
            return tuple(sorted(value.items()))
        if isinstance(value, (list, tuple, set, frozenset)):
            return tuple(value)
        return value

    return tuple(frozen(getattr(q, f.name)) for f in fields(q))


def accounts_frame(engine: Engine, columns: Sequence[str] = ACCOUNT_FIELDS) -> pd.DataFrame:
    """Every hidden danger's account ``columns`` (and ``code``), for figures and exports."""
    query = sa.select(hd.c.code, *(hd.c[c] for c in columns))
    with _Guard(engine, write=False) as conn:
        result = conn.execute(query)
        frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    if "supervised" in frame:
        frame["supervised"] = frame["supervised"].astype(bool)
    return frame


def account(engine: Engine, code: str) -> dict | None:
    """One risk point with its account (empty fields where it has none), or None."""
    with _Guard(engine, write=False) as conn:
        return _account(conn, code)


def _account(conn: sa.Connection, code: str) -> dict | None:
    point = _fetch(conn, COLLECTIONS["risk_points"], code, children=False)
    if point is None:
        return None
    row = conn.execute(sa.select(hd).where(hd.c.code == code)).mappings().first()
    acc = {c.name: _empty(c) for c in hd.columns if c.name != "code"}
    acc["has_account"] = row is not None
    if row is not None:
        acc.update({k: v for k, v in row.items() if k != "code"})
    acc["supervised"] = bool(acc["supervised"])
    for name in ("rectified_at", "verified_at"):
        if isinstance(acc[name], datetime):
            acc[name] = _utc(acc[name])
    acc.pop("version", None)
    acc.pop("updated_at", None)
    acc.pop("updated_by", None)
    return {**point, **acc}


def _empty(column: sa.Column) -> Any:
    if column.server_default is None:
        return None
    if isinstance(column.type, sa.Boolean):
        return False
    if isinstance(column.type, sa.String):
        return ""
    return None


def steps(engine: Engine, code: str) -> list[dict]:
    """Every step of one item, oldest first (``photo_id`` where one is attached)."""
    query = sa.select(steps_t).where(steps_t.c.code == code).order_by(steps_t.c.id)
    with _Guard(engine, write=False) as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["at"] = _utc(row["at"])
    return rows


def photo(engine: Engine, photo_id: int) -> dict | None:
    """One stored photo: ``content_type``, ``data``, ``code``, ``size``."""
    with _Guard(engine, write=False) as conn:
        row = conn.execute(sa.select(photos_t).where(photos_t.c.id == photo_id)).mappings().first()
    return None if row is None else dict(row)


def write_step(
    engine: Engine,
    code: str,
    seen_version: int,
    step: str,
    point_values: Mapping[str, Any],
    account_values: Mapping[str, Any],
    actor: str,
    note: str,
    photo: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    *,
    with_account: bool = True,
) -> dict:
    """Write one step: the point's new values, its account's, the step, a photo, history.

    Raises :class:`StaleRecord` when the point is no longer at ``seen_version``
    (someone moved it meanwhile), :class:`RecordNotFound` when it is gone.
    """
    now = now or datetime.now(UTC)
    with _Guard(engine, write=True) as conn:
        before = _account(conn, code)
        if before is None:
            raise RecordNotFound(f"no risk point {code}")
        done = conn.execute(  # the version bump also says "changed" to open pages
            rp.update()
            .where(rp.c.code == code, rp.c.version == seen_version)
            .values(**point_values, version=rp.c.version + 1, updated_by=actor, updated_at=now)
            .returning(rp.c.version)
        ).scalar_one_or_none()
        if done is None:
            raise StaleRecord(_fetch(conn, COLLECTIONS["risk_points"], code, children=False))
        values = {**account_values, "updated_by": actor, "updated_at": now}
        if not with_account:
            pass
        elif before["has_account"]:
            conn.execute(
                hd.update().where(hd.c.code == code).values(**values, version=hd.c.version + 1)
            )
        else:
            conn.execute(hd.insert().values(code=code, **values))
        photo_id = None
        if photo is not None:
            photo_id = conn.execute(
                photos_t.insert()
                .values(code=code, uploaded_by=actor, uploaded_at=now, **photo)
                .returning(photos_t.c.id)
            ).scalar_one()
        from_status = before["rectification_status"]
        conn.execute(
            steps_t.insert().values(
                code=code,
                step=step,
                from_status=from_status,
                to_status=point_values.get("rectification_status", from_status),
                actor=actor,
                at=now,
                note=note[:1000],
                photo_id=photo_id,
            )
        )
        changes = {
            k: [before.get(k), v]
            for k, v in {**point_values, **account_values}.items()
            if before.get(k) != v
        }
        _log(
            conn, COLLECTIONS["risk_points"], code, done, actor, "update", changes,
            f"ledger: {step}" + (f" ({note})" if note else ""), None,
        )  # fmt: skip
        return _account(conn, code) | {"photo_id": photo_id}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
