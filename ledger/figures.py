"""The ledger's figures per township and for the jurisdiction, and their monthly trend.

Counted with boolean masks and group-bys over single columns of the risk
layer (the frame the maps draw, cached by revision) joined to the accounts:
``found`` are the hidden dangers, ``rectified`` those whose map state is
rectified (reported, verified or not: :func:`layers.risks.is_rectified`, the
same test the maps' key figures make), ``rate`` their share, ``overdue`` open
past their deadline, ``major_open`` major items not rectified, ``supervised``
items listed for supervision and not yet closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from auth import Principal, require
from layers._cache import cached
from layers.risks import is_rectified, risk_points
from layers.townships import townships as township_frame
from ledger.rules import due_within, is_overdue
from store import Store
from store import ledger as store_ledger

ACCOUNT_COLUMNS = ("found_on", "supervised", "rectified_at", "verified_at")
FIGURES = ("found", "rectified", "rate", "overdue", "major_open", "supervised")


@dataclass(frozen=True)
class Figures:
    """One area's figures; ``rate`` is None when nothing was found."""

    found: int
    rectified: int
    rate: float | None
    overdue: int
    major_open: int
    supervised: int
    verified: int = 0
    due_this_week: int = 0

    def as_json(self) -> dict:
        return asdict(self)


def ledger_frame(store: Store, revisions: dict | None = None) -> pd.DataFrame:
    """One row per hidden danger: township, grade, map state, deadline and its account."""
    revisions = revisions or store.revisions()
    risk = risk_points(store, revisions)

    def load() -> pd.DataFrame:
        hidden = (risk["kind"] == "hidden_danger").to_numpy()
        cols = ["code", "name", "township_code", "grade", "rectification_status",
                "rectification_deadline", "responsible_person"]  # fmt: skip
        frame = pd.DataFrame(risk.loc[hidden, cols]).reset_index(drop=True)
        accounts = store_ledger.accounts_frame(store.engine, ACCOUNT_COLUMNS)
        frame = frame.merge(accounts, on="code", how="left")
        frame["supervised"] = frame["supervised"].fillna(False).astype(bool)
        return frame

    key = (revisions["risk"].revision, revisions["townships"].revision)
    return cached(store, "risk", "ledger", key, load)


def _masks(frame: pd.DataFrame, today: date) -> dict[str, np.ndarray]:
    status = frame["rectification_status"].astype(object)
    rectified = is_rectified(frame)
    verified = rectified & frame["verified_at"].notna().to_numpy()
    return {
        "found": np.ones(len(frame), dtype=bool),
        "rectified": rectified,
        "verified": verified,
        "overdue": is_overdue(status, frame["rectification_deadline"], today),
        "due_this_week": due_within(status, frame["rectification_deadline"], today, 7),
        "major_open": (frame["grade"] == "major").to_numpy() & ~rectified,
        "supervised": frame["supervised"].to_numpy(dtype=bool) & ~verified,
    }


def _figures(counts: dict[str, int]) -> Figures:
    found = int(counts["found"])
    return Figures(
        found=found,
        rectified=int(counts["rectified"]),
        rate=counts["rectified"] / found if found else None,
        overdue=int(counts["overdue"]),
        major_open=int(counts["major_open"]),
        supervised=int(counts["supervised"]),
        verified=int(counts["verified"]),
        due_this_week=int(counts["due_this_week"]),
    )


def _selected(frame: pd.DataFrame, townships: Sequence[str] | None) -> pd.DataFrame:
    if townships is None:
        return frame
    return frame[frame["township_code"].isin(list(townships))]


def figures(
    store: Store,
    actor: Principal | None,
    townships: Sequence[str] | None = None,
    today: date | None = None,
) -> Figures:
    """The figures of the selected townships (all of them: the jurisdiction's)."""
    require(actor, "read")
    frame = _selected(ledger_frame(store), townships)
    masks = _masks(frame, today or date.today())
    return _figures({k: int(v.sum()) for k, v in masks.items()})


def by_township(store: Store, actor: Principal | None, today: date | None = None) -> pd.DataFrame:
    """One row per township (code, name, and every figure), then the jurisdiction's total
    (code ``""``), in township code order."""
    require(actor, "read")
    frame = ledger_frame(store)
    towns = township_frame(store)[["code", "name", "name_en"]].sort_values("code")
    masks = _masks(frame, today or date.today())
    codes = frame["township_code"].astype(object).to_numpy()
    index = pd.Index(towns["code"].to_numpy())
    position = index.get_indexer(codes)
    known = position >= 0
    sums = {
        k: np.bincount(position[known], weights=v[known], minlength=len(index)).astype(int)
        for k, v in masks.items()
    }
    rows = []
    for n, (code, name, name_en) in enumerate(towns.itertuples(index=False)):
        rows.append({"code": code, "name": name, "name_en": name_en,
                     **_figures({k: s[n] for k, s in sums.items()}).as_json()})  # fmt: skip
    total = _figures({k: int(v.sum()) for k, v in masks.items()})
    rows.append({"code": "", "name": "合计", "name_en": "Total", **total.as_json()})
    return pd.DataFrame(rows)


def monthly(
    store: Store,
    actor: Principal | None,
    townships: Sequence[str] | None = None,
    today: date | None = None,
    months: int = 12,
) -> pd.DataFrame:
    """Found, rectified and verified per calendar month, the last ``months`` up to
    ``today``'s: columns ``month`` (``YYYY-MM``), ``found``, ``rectified``, ``verified``."""
    require(actor, "read")
    today = today or date.today()
    frame = _selected(ledger_frame(store), townships)
    periods = pd.period_range(end=pd.Period(today, "M"), periods=months, freq="M")
    out = {"month": [str(p) for p in periods]}
    for name, column in (("found", "found_on"), ("rectified", "rectified_at"),
                         ("verified", "verified_at")):  # fmt: skip
        when = pd.to_datetime(frame[column], errors="coerce", utc=True).dropna()
        month = when.dt.tz_convert(None).dt.to_period("M")
        counts = month.value_counts()
        out[name] = [int(counts.get(p, 0)) for p in periods]
    return pd.DataFrame(out)
