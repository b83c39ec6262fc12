"""Pages cut by their codes first (the deferred join, or a slice of the kept order) are
the pages one OFFSET query gives: the same rows in the same order, for every sort and
several filters, on both stores; and the total and the kept order, read once per risk
revision, follow a write."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledger.operations import take_step
from store import ledger as store_ledger
from store.ledger import SORTS, Query
from tests.ledger.conftest import LI

TODAY = date(2026, 12, 2)
FILTERS = [
    {},
    {"statuses": ["rectified", "verified"]},
    {"statuses": ["found", "rectifying", "rectified"], "grades": ["larger", "general"]},
    {"hidden_only": False},
    {"overdue": True},
    {"supervised": False, "text": "1"},
]


def offset_page(engine, q: Query) -> tuple[int, list[dict]]:
    """The page as one ``LIMIT/OFFSET`` query over whole rows builds it."""
    kept = store_ledger.DEFERRED_UP_TO
    store_ledger.DEFERRED_UP_TO = -1
    try:
        return store_ledger.page(engine, q, TODAY)
    finally:
        store_ledger.DEFERRED_UP_TO = kept


@pytest.fixture(params=["seek", "kept order"])
def paging(request, monkeypatch) -> str:
    """Deep pages by the database's OFFSET over codes, or sliced from the kept order."""
    if request.param == "kept order":
        monkeypatch.setattr(store_ledger, "ORDER_KEPT_FROM", 1)
    store_ledger._ORDERS.clear()
    return request.param


@pytest.mark.parametrize("sort", ["", *SORTS])
def test_every_sort_pages_as_one_offset_query(demo_store, sort, paging):
    engine = demo_store.engine
    for descending in (False, True):
        for offset in (0, 37, 150):
            q = Query(sort=sort, descending=descending, offset=offset, limit=50)
            assert store_ledger.page(engine, q, TODAY) == offset_page(engine, q), (q, offset)


@pytest.mark.parametrize("filters", FILTERS, ids=[",".join(f) or "none" for f in FILTERS])
def test_filtered_pages_are_the_offset_query_pages(demo_store, filters, paging):
    engine = demo_store.engine
    towns = sorted(demo_store.read("townships")["code"])[:3]
    for extra in ({}, {"townships": towns}):
        for sort, descending in (("deadline", True), ("grade", False), ("status", True)):
            total, _ = store_ledger.page(engine, Query(**filters, **extra, limit=1), TODAY)
            for offset in (0, 11, max(0, total - 5), total + 10):
                q = Query(**filters, **extra, sort=sort, descending=descending, offset=offset)
                assert store_ledger.page(engine, q, TODAY) == offset_page(engine, q)


def test_the_whole_list_in_one_page_is_the_pages_joined(demo_store):
    engine = demo_store.engine
    total, everything = store_ledger.page(engine, Query(sort="deadline", limit=5000), TODAY)
    pages = [
        store_ledger.page(engine, Query(sort="deadline", offset=n, limit=100), TODAY)[1]
        for n in range(0, total, 100)
    ]
    assert [r["code"] for p in pages for r in p] == [r["code"] for r in everything]


def test_the_count_and_the_kept_order_follow_a_step(ledger_store, monkeypatch):
    monkeypatch.setattr(store_ledger, "ORDER_KEPT_FROM", 1)
    everything = Query(sort="status")
    _, before = store_ledger.page(ledger_store.engine, replace(everything, offset=1), TODAY)
    rectifying = Query(statuses=["rectifying"])
    total, rows = store_ledger.page(ledger_store.engine, rectifying, TODAY)
    assert total == len(rows) >= 1
    take_step(ledger_store, LI, rows[0]["code"], "rectified", "done", measures="清淤")
    after, rows_after = store_ledger.page(ledger_store.engine, rectifying, TODAY)
    assert after == total - 1 == len(rows_after)
    q = replace(everything, offset=1)
    assert store_ledger.page(ledger_store.engine, q, TODAY) == offset_page(ledger_store.engine, q)
    assert store_ledger.page(ledger_store.engine, q, TODAY)[1] != before
