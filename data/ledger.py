"""Synthetic ledger accounts for the demo and city sets: one per hidden danger.

Deterministic from the seed, computed from the risk points already built
(their grade, state and deadline), so the points themselves are unchanged:
found 20-120 days before the deadline by a township grid member, the
responsible unit of the township, measures and (for major items) funds and a
contingency plan; every major item listed for supervision by the district; a
rectified item reported up to two weeks before its deadline and, for about
seven in ten, verified a few days later. Risk points get their next
inspection from their grade's schedule (``domain.INSPECTION_DAYS``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain import INSPECTION_DAYS, RISK_CATEGORIES, term

UNITS = ("应急办", "水利站", "安监站", "村（居）委会", "城建办")
FINDERS = ("网格员", "安全员", "驻村干部", "巡查员")


def ledger_accounts(
    risk: pd.DataFrame, township_names: dict[str, str], seed: int, today: dt.date
) -> pd.DataFrame:
    """``hidden_dangers`` rows for the hidden dangers of ``risk``."""
    rng = np.random.default_rng(seed + 18)
    hidden = risk[risk["kind"] == "hidden_danger"]
    n = len(hidden)
    deadline = pd.to_datetime(hidden["rectification_deadline"]).to_numpy()
    found = deadline - rng.integers(20, 121, n).astype("timedelta64[D]")
    major = (hidden["grade"] == "major").to_numpy()
    rectified = (hidden["rectification_status"] == "rectified").to_numpy()
    now = np.datetime64(today) + np.timedelta64(0, "h")
    rect_at = deadline - rng.integers(0, 15, n).astype("timedelta64[D]") + np.timedelta64(9, "h")
    rect_at = np.minimum(
        np.maximum(rect_at, found + np.timedelta64(3, "D")), now - np.timedelta64(15, "h")
    )
    ver_at = rect_at + rng.integers(1, 8, n).astype("timedelta64[D]")
    verified = rectified & (rng.random(n) < 0.7) & (ver_at < now)
    towns = hidden["township_code"].map(township_names).fillna("").to_numpy(dtype=object)
    unit = towns + np.array(UNITS, dtype=object)[rng.integers(0, len(UNITS), n)]
    finder = towns + np.array(FINDERS, dtype=object)[rng.integers(0, len(FINDERS), n)]
    category = [term(RISK_CATEGORIES, c).zh for c in hidden["category"]]
    measures = [f"{c}隐患：设置警示标志，落实专人巡查，限期整改" for c in category]
    funds = np.where(major, rng.integers(5, 80, n) * 10000.0, np.nan)
    plan = np.where(major, "制定专项应急预案，汛期24小时值守，险情时组织群众转移", "")

    def when(mask: np.ndarray, days: np.ndarray) -> pd.Series:  # dates, None where not mask
        return pd.Series([pd.Timestamp(d).date() if m else None for m, d in zip(mask, days,
                          strict=True)], dtype=object)  # fmt: skip

    def moment(mask: np.ndarray, times: np.ndarray) -> pd.Series:  # UTC times, NaT where not
        return pd.Series(pd.to_datetime(np.where(mask, times, np.datetime64("NaT")), utc=True))

    verifier = np.where(major, "区应急管理局专家组", towns + "应急办")
    return pd.DataFrame(
        {
            "code": hidden["code"].to_numpy(),
            "found_on": [pd.Timestamp(d).date() for d in found],
            "finder": finder,
            "description": [f"{name}存在{c}隐患" for name, c in zip(hidden["name"], category,
                                                                    strict=True)],
            "responsible_unit": unit,
            "measures": measures,
            "funds": funds,
            "contingency_plan": plan,
            "supervised": major,
            "supervised_by": np.where(major, "区政府（挂牌督办）", ""),
            "supervised_on": when(major, found),
            "rectified_by": np.where(rectified, finder, ""),
            "rectified_at": moment(rectified, rect_at),
            "verifier": np.where(verified, verifier, ""),
            "verified_by": np.where(verified, "demo", ""),
            "verified_on": when(verified, ver_at),
            "verified_at": moment(verified, ver_at),
        }
    )  # fmt: skip


def next_inspections(risk: pd.DataFrame) -> pd.Series:
    """Each point's next inspection: its last one plus its grade's days."""
    days = risk["grade"].map(INSPECTION_DAYS).fillna(365).astype(int)
    last = pd.to_datetime(risk["last_inspection"], errors="coerce")
    due = last + pd.to_timedelta(days, unit="D")
    return pd.Series([d.date() if pd.notna(d) else None for d in due], index=risk.index,
                     dtype=object)  # fmt: skip
