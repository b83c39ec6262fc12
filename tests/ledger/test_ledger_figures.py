"""The ledger's figures on the hand-made district, whose answers are written here, and on
the demo, where they must equal the maps' key figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from auth import Unauthenticated
from layers.filters import Filter
from layers.snapshot import snapshot
from ledger.figures import by_township, figures, monthly
from ledger.operations import (
    register_hidden_danger,
    report_rectified,
    supervise_hidden_danger,
    verify_hidden_danger,
)
from store import ledger as store_ledger
from store.ledger import Query
from tests.ledger.conftest import LI, VIEWER, WANG

TODAY = date(2026, 12, 2)


def test_the_hand_made_district_before_any_step(ledger_store):
    # Hidden dangers R1 (major, found), R7 (rectifying), R2 in T1; R3, R6 in T2,
    # rectified: 3 of 5. No deadlines yet, so nothing is overdue.
    whole = figures(ledger_store, VIEWER, today=TODAY)
    assert whole.as_json() == {
        "found": 5, "rectified": 3, "rate": 0.6, "overdue": 0, "major_open": 1,
        "supervised": 0, "verified": 0, "due_this_week": 0,
    }  # fmt: skip
    t1 = figures(ledger_store, VIEWER, ["T1"], today=TODAY)
    assert (t1.found, t1.rectified, t1.major_open) == (3, 1, 1)
    assert t1.rate == pytest.approx(1 / 3)
    table = by_township(ledger_store, VIEWER, today=TODAY)
    assert table[["code", "found", "rectified", "rate"]].to_dict("records") == [
        {"code": "T1", "found": 3, "rectified": 1, "rate": pytest.approx(1 / 3)},
        {"code": "T2", "found": 2, "rectified": 2, "rate": 1.0},
        {"code": "", "found": 5, "rectified": 3, "rate": 0.6},
    ]
    with pytest.raises(Unauthenticated):
        figures(ledger_store, None)


def test_overdue_across_a_date_boundary(ledger_store):
    register_hidden_danger(ledger_store, LI, "R7", {"rectification_deadline": "2026-12-01"})
    register_hidden_danger(ledger_store, LI, "R1", {"rectification_deadline": "2026-12-07"})
    register_hidden_danger(ledger_store, LI, "R2", {"rectification_deadline": "2026-11-01"})
    # On the deadline itself R7 is not late; the day after it is. R2 is rectified: never late.
    assert figures(ledger_store, VIEWER, today=date(2026, 12, 1)).overdue == 0
    on_2nd = figures(ledger_store, VIEWER, today=date(2026, 12, 2))
    assert (on_2nd.overdue, on_2nd.due_this_week) == (1, 1)  # R7 late; R1 due on the 7th
    assert figures(ledger_store, VIEWER, today=date(2026, 12, 8)).overdue == 2
    late = Query(overdue=True)
    assert store_ledger.page(ledger_store.engine, late, date(2026, 12, 1)) == (0, [])
    total, rows = store_ledger.page(ledger_store.engine, late, date(2026, 12, 2))
    assert (total, [r["code"] for r in rows], rows[0]["overdue"]) == (1, ["R7"], True)
    report_rectified(ledger_store, LI, "R7", "done", measures="m")
    assert figures(ledger_store, VIEWER, today=date(2026, 12, 2)).overdue == 0


def test_supervised_and_verified_and_the_monthly_trend(ledger_store):
    supervise_hidden_danger(ledger_store, LI, "R7", "王副区长")
    supervise_hidden_danger(ledger_store, LI, "R2", "王副区长")
    register_hidden_danger(ledger_store, LI, "R3", {"found_on": "2026-10-15"})
    register_hidden_danger(ledger_store, LI, "R6", {"found_on": "2026-11-03"})
    register_hidden_danger(ledger_store, LI, "R7", {"found_on": "2026-11-05"})
    register_hidden_danger(ledger_store, LI, "R2", {"found_on": "2026-09-01"})
    report_rectified(ledger_store, LI, "R7", "done", measures="m",
                     now=datetime(2026, 11, 20, 8, tzinfo=UTC))  # fmt: skip
    verify_hidden_danger(ledger_store, WANG, "R2", now=datetime(2026, 12, 1, 8, tzinfo=UTC))
    whole = figures(ledger_store, VIEWER, today=TODAY)
    # R2 verified and closed: off the supervision count; R7 listed and rectified: still on.
    assert (whole.rectified, whole.verified, whole.supervised) == (4, 1, 1)
    trend = monthly(ledger_store, VIEWER, today=TODAY, months=3)
    assert trend.to_dict("list") == {
        "month": ["2026-10", "2026-11", "2026-12"],
        "found": [1, 2, 0],  # R3 in October, R6 and R7 in November, R2 before
        "rectified": [0, 1, 0],  # R7 on 20 November (R2 rectified before the ledger)
        "verified": [0, 0, 1],  # R2 on 1 December
    }


def test_a_page_filters_sorts_and_cuts_in_the_database(ledger_store):
    q = Query(townships=["T1"], statuses=["found", "rectifying"], sort="grade")
    total, rows = store_ledger.page(ledger_store.engine, q, TODAY)
    assert (total, [r["code"] for r in rows]) == (2, ["R1", "R7"])
    assert [r["status"] for r in rows] == ["found", "rectifying"]
    total, rows = store_ledger.page(
        ledger_store.engine, Query(sort="code", descending=True, offset=1, limit=2), TODAY
    )
    assert (total, [r["code"] for r in rows]) == (5, ["R6", "R3"])
    total, rows = store_ledger.page(ledger_store.engine, Query(grades=["major"]), TODAY)
    assert [r["code"] for r in rows] == ["R1"]
    total, rows = store_ledger.page(ledger_store.engine, Query(hidden_only=False), TODAY)
    assert total == 7 and {r["status"] for r in rows if r["kind"] == "risk_source"} == {None}
    with pytest.raises(ValueError, match="cannot sort by 'geom'"):
        store_ledger.page(ledger_store.engine, Query(sort="geom"), TODAY)


def test_on_the_demo_the_ledger_and_the_key_figures_are_the_same_numbers(demo_store):
    snap = snapshot(demo_store)
    towns = sorted(snap.towns["code"])
    for picked in (None, towns[:1], towns[3:7]):
        key = snap.select(Filter(townships=picked)).figures
        ours = figures(demo_store, VIEWER, picked)
        assert (ours.found, ours.rectified) == (
            key.hidden_open + key.hidden_rectified,
            key.hidden_rectified,
        )
        assert ours.rate == key.rectification_rate
        assert (ours.overdue, ours.due_this_week) == (key.hidden_overdue, key.hidden_due_week)
    table = by_township(demo_store, VIEWER)
    assert (
        table["found"].iloc[:-1].sum()
        == table["found"].iloc[-1]
        == 107 - (snap.risk["kind"] == "risk_source").sum()
    )
