"""Dispatching on both stores: one transaction, never oversold, a key that counts once."""

from __future__ import annotations

import json
import multiprocessing

import pytest
import sqlalchemy as sa

from auth import Forbidden, Principal
from dispatch.orders import (
    Refused,
    close_incident,
    dispatch,
    move_order,
    open_incident,
    orders,
    recommendation,
)
from editing.records import Invalid
from store import Store, schema
from tests.dispatch.conftest import INCIDENT

OFFICER = Principal("officer1", "duty_officer", user_name="officer1")
VIEWER = Principal("viewer1", "viewer", user_name="viewer1")
NEEDS = {"items": {"woven_bag": 100}, "forces": {"flood_team": 30}}


def stock(store: Store, depot: str, item: str = "woven_bag") -> float:
    ds = schema.depot_stock
    with store.engine.connect() as conn:
        return conn.execute(sa.select(ds.c.quantity).where(
            ds.c.depot_code == depot, ds.c.item_code == item)).scalar_one()  # fmt: skip


def count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def an_incident(store: Store) -> dict:
    point = {"type": "Point", "coordinates": list(INCIDENT)}
    return open_incident(
        store, OFFICER, {"type": "seepage", "geom": point, "needs": NEEDS,
                         "description": "堤脚管涌"},
    ).record  # fmt: skip


def test_a_duty_officer_opens_an_incident_a_viewer_cannot(river_town):
    record = an_incident(river_town)
    assert record["code"].startswith("INC-") and record["township_code"] == "S"
    assert json.loads(record["needs"]) == {**NEEDS, "boats": 0, "vehicles": 0}
    assert record["reporter"] == "officer1"
    with pytest.raises(Forbidden):
        open_incident(river_town, VIEWER, {"type": "flood", "geom": record["geom"]})


def test_dispatching_the_proposal_reserves_it_all_in_one_go(river_town):
    incident = an_incident(river_town)
    proposal = recommendation(river_town, VIEWER, incident["code"])
    before = {r: v.revision for r, v in river_town.revisions().items()}
    done = dispatch(
        river_town, OFFICER, incident["code"], "click-1",
        [{"code": d["code"], "take": d["take"]} for d in proposal.depots],
        [f["code"] for f in proposal.forces],
    )  # fmt: skip
    assert done.created
    assert (stock(river_town, "B"), stock(river_town, "A")) == (0, 60)
    forces = river_town.read("forces").set_index("code")["status"]
    assert forces[["FB", "FA"]].tolist() == ["deployed", "deployed"] and forces["GB"] == "available"
    sent = [(o["kind"], o["depot_code"] or o["force_code"], o["quantity"]) for o in done.orders]
    assert sorted(sent) == [
        ("force", "FA", None), ("force", "FB", None),
        ("material", "A", 40), ("material", "B", 60),
    ]  # fmt: skip
    assert all(o["status"] == "ordered" and o["travel_s"] > 0 for o in done.orders)
    after = {r: v.revision for r, v in river_town.revisions().items()}
    assert all(after[layer] > before[layer] for layer in ("materials", "forces", "incidents"))
    (a_history,) = river_town.records.history("depots", "A")
    assert a_history["changes"]["stock"] == [{"woven_bag": 100}, {"woven_bag": 60}]
    assert a_history["actor"] == "officer1" and "dispatch #" in a_history["note"]
    assert river_town.records.history("forces", "FB")[0]["changes"]["status"] == [
        "available", "deployed",
    ]  # fmt: skip


def test_a_double_click_dispatches_once(river_town):
    incident = an_incident(river_town)
    first = dispatch(
        river_town, OFFICER, incident["code"], "k", [{"code": "B", "take": {"woven_bag": 10}}], []
    )
    again = dispatch(
        river_town, OFFICER, incident["code"], "k", [{"code": "B", "take": {"woven_bag": 10}}], []
    )
    assert first.created and not again.created and again.dispatch_id == first.dispatch_id
    assert stock(river_town, "B") == 50
    assert count(river_town, schema.dispatch_orders) == 1


def test_asking_for_more_than_a_depot_holds_reserves_nothing(river_town):
    incident = an_incident(river_town)
    histories = count(river_town, schema.history)
    with pytest.raises(Refused) as refused:
        takes = [{"code": "A", "take": {"woven_bag": 50}}, {"code": "B", "take": {"woven_bag": 61}}]
        dispatch(river_town, OFFICER, incident["code"], "k", takes, ["FB"])
    assert refused.value.short == {"B/woven_bag": 60}
    assert (stock(river_town, "A"), stock(river_town, "B")) == (100, 60)
    assert river_town.read("forces").set_index("code")["status"]["FB"] == "available"
    assert (
        count(river_town, schema.dispatches) == 0 and count(river_town, schema.history) == histories
    )
    # a force already out is short too
    dispatch(river_town, OFFICER, incident["code"], "k2", [], ["FB"])
    with pytest.raises(Refused) as refused:
        dispatch(river_town, OFFICER, incident["code"], "k3", [], ["FB"])
    assert refused.value.short == {"FB": "deployed"}


def test_bad_dispatch_requests_are_refused_before_anything(river_town):
    incident = an_incident(river_town)
    with pytest.raises(Invalid):
        dispatch(
            river_town,
            OFFICER,
            incident["code"],
            "k",
            [{"code": "A", "take": {"woven_bag": -3}}],
            [],
        )
    with pytest.raises(Invalid):
        dispatch(river_town, OFFICER, incident["code"], "", [], ["FB"])
    with pytest.raises(Refused):
        dispatch(
            river_town, OFFICER, incident["code"], "k", [{"code": "NOPE", "take": {"sand": 1}}], []
        )
    with pytest.raises(Forbidden):
        dispatch(river_town, VIEWER, incident["code"], "k", [], ["FB"])


def test_cancelling_and_returning_give_stock_and_forces_back(river_town):
    incident = an_incident(river_town)
    done = dispatch(river_town, OFFICER, incident["code"], "k",
                    [{"code": "A", "take": {"woven_bag": 30}}], ["FA"])  # fmt: skip
    material = next(o for o in done.orders if o["kind"] == "material")
    force = next(o for o in done.orders if o["kind"] == "force")
    assert move_order(river_town, OFFICER, material["id"], "cancelled")["status"] == "cancelled"
    assert stock(river_town, "A") == 100
    with pytest.raises(Invalid):
        move_order(river_town, OFFICER, material["id"], "consumed")  # cancelled is done
    for status in ("en_route", "on_site"):
        moved = move_order(river_town, OFFICER, force["id"], status)
    assert set(moved["times"]) == {"ordered", "en_route", "on_site"}
    assert river_town.read("forces").set_index("code")["status"]["FA"] == "deployed"
    move_order(river_town, OFFICER, force["id"], "returned")
    assert river_town.read("forces").set_index("code")["status"]["FA"] == "available"
    log = orders(river_town, VIEWER, incident["code"])
    assert [o["status"] for o in log] == ["cancelled", "returned"]
    close_incident(river_town, OFFICER, incident["code"])
    with pytest.raises(Invalid):
        dispatch(river_town, OFFICER, incident["code"], "late", [], ["FB"])


def _dispatcher(url: str, code: str, n: int, out: multiprocessing.Queue) -> None:
    store = Store(url)
    confirmed = 0
    for k in range(n):
        try:
            dispatch(store, OFFICER, code, f"{multiprocessing.current_process().name}-{k}",
                     [{"code": "B", "take": {"woven_bag": 7}}], [])  # fmt: skip
            confirmed += 1
        except Refused:
            pass
    store.engine.dispose()
    out.put(confirmed)


def test_many_processes_dispatching_from_one_depot_never_oversell(river_town):
    incident = an_incident(river_town)
    url = river_town.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_dispatcher, args=(url, incident["code"], 4, out))
               for _ in range(5)]  # fmt: skip
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    confirmed = sum(out.get(timeout=5) for _ in workers)
    left = stock(river_town, "B")
    assert confirmed == 8  # 60 bags, 7 at a time: 8 dispatches, 4 bags left
    assert left == 60 - 7 * confirmed == 4
    with river_town.engine.connect() as conn:
        ordered = conn.execute(
            sa.select(sa.func.sum(schema.dispatch_orders.c.quantity))
        ).scalar_one()
    assert ordered == 7 * confirmed  # every confirmed order is backed by stock


def test_an_incident_needing_nothing_yet_is_stored_with_empty_needs(river_town):
    point = {"type": "Point", "coordinates": list(INCIDENT)}
    record = open_incident(river_town, OFFICER, {"type": "fire", "geom": point}).record
    assert json.loads(record["needs"]) == {"items": {}, "forces": {}, "boats": 0, "vehicles": 0}
