"""Editing records on both stores: roles, conflicts, history, delete and restore, revert."""

from __future__ import annotations

import pytest
import shapely

from auth import Forbidden, Principal, Unauthenticated
from editing.fields import FIELDS
from editing.records import (
    Conflict,
    InUse,
    Invalid,
    NotFound,
    create_record,
    delete_record,
    deleted_records,
    record_history,
    restore_record,
    revert_change,
    update_record,
)

PLANNER = Principal("planner1", "planner", user_name="planner1")
PLANNER2 = Principal("planner2", "planner", user_name="planner2")
OFFICER = Principal("officer1", "duty_officer", user_name="officer1")
VIEWER = Principal("viewer1", "viewer", user_name="viewer1")
ADMIN = Principal("admin", "admin", user_name="admin")

NEW_DEPOT = {
    "code": "DEPOT-TEST-1",
    "name": "测试仓库",
    "level": "township",
    "geom": {"type": "Point", "coordinates": [112.20, 30.36]},
    "keeper": "王五",
    "keeper_phone": "0716-1234567",
    "mobilise_level": "3",
    "stock": {"woven_bag": "2,000", "sand": 50},
}


def history_count(store) -> int:
    import sqlalchemy as sa

    from store import schema

    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.history)).scalar_one()


def a_depot(store) -> dict:
    code = store.read("depots")["code"].iloc[3]
    return store.records.get("depots", code)


def test_a_planner_creates_a_depot_with_its_stock_and_its_history(demo_copy):
    before = demo_copy.revisions()["materials"].revision
    saved = create_record(demo_copy, PLANNER, "depots", NEW_DEPOT)
    record = saved.record
    assert record["stock"] == {"woven_bag": 2000, "sand": 50}
    assert (record["mobilise_level"], record["version"], record["updated_by"]) == (3, 1, "planner1")
    town = demo_copy.read("townships")
    inside = town[town.geometry.intersects(shapely.Point(112.20, 30.36))]["code"].iloc[0]
    assert record["township_code"] == inside  # found from the location
    assert demo_copy.revisions()["materials"].revision > before  # open walls redraw
    (entry,) = record_history(demo_copy, VIEWER, "depots", "DEPOT-TEST-1")
    assert (entry["action"], entry["actor"], entry["version"]) == ("create", "planner1", 1)
    assert entry["changes"]["stock"] == [None, {"sand": 50, "woven_bag": 2000}]
    assert entry["changes"]["geom"][1].equals(shapely.Point(112.20, 30.36))


def test_moving_a_depot_records_old_and_new_location_and_follows_the_township(demo_copy):
    depot = a_depot(demo_copy)
    towns = demo_copy.read("townships")
    other = towns[towns["code"] != depot["township_code"]].iloc[0]
    target = other["geom"].representative_point()
    saved = update_record(
        demo_copy, PLANNER, "depots", depot["code"], {"geom": target}, depot["version"]
    )
    assert saved.record["township_code"] == other["code"]
    assert saved.record["version"] == depot["version"] + 1
    (entry,) = demo_copy.records.history("depots", depot["code"])
    assert entry["changes"]["geom"][0].equals(depot["geom"])
    assert entry["changes"]["geom"][1].equals(target)
    assert entry["changes"]["township_code"] == [depot["township_code"], other["code"]]


def test_the_second_of_two_planners_saving_is_refused_with_who_and_when(demo_copy):
    depot = a_depot(demo_copy)
    seen = depot["version"]
    update_record(demo_copy, PLANNER, "depots", depot["code"], {"keeper": "甲"}, seen)
    with pytest.raises(Conflict) as refused:
        update_record(demo_copy, PLANNER2, "depots", depot["code"], {"keeper": "乙"}, seen)
    assert refused.value.current["updated_by"] == "planner1"
    assert refused.value.current["keeper"] == "甲"
    assert "changed by planner1 at" in str(refused.value)
    assert demo_copy.records.get("depots", depot["code"])["keeper"] == "甲"
    assert len(demo_copy.records.history("depots", depot["code"])) == 1


@pytest.mark.parametrize(
    ("actor", "collection", "error"),
    [
        (VIEWER, "depots", Forbidden),
        (OFFICER, "depots", Forbidden),
        (None, "depots", Unauthenticated),
        (PLANNER, "response_activations", Forbidden),
        (VIEWER, "weather_warnings", Forbidden),
    ],
)
def test_roles_that_may_not_write_write_nothing(demo_copy, actor, collection, error):
    before = history_count(demo_copy)
    values = NEW_DEPOT if collection == "depots" else {"level": 2, "starts_at": "2026-06-26 14:00"}
    with pytest.raises(error):
        create_record(demo_copy, actor, collection, values)
    if collection == "depots":
        depot = a_depot(demo_copy)
        with pytest.raises(error):
            update_record(demo_copy, actor, "depots", depot["code"], {"keeper": "x"}, 1)
        with pytest.raises(error):
            delete_record(demo_copy, actor, "depots", depot["code"], 1)
        assert demo_copy.records.get("depots", depot["code"]) == depot
    assert history_count(demo_copy) == before
    assert demo_copy.records.get("depots", "DEPOT-TEST-1") is None


def test_a_duty_officer_declares_the_response_in_force(demo_copy):
    saved = create_record(
        demo_copy,
        OFFICER,
        "response_activations",
        {"level": "II", "starts_at": "2026-06-26T14:00", "reason": "防汛Ⅱ级应急响应",
         "townships": [demo_copy.read("townships")["code"].iloc[0]]},
    )  # fmt: skip
    assert saved.record["level"] == 2 and len(saved.record["townships"]) == 1
    assert saved.record["starts_at"].utcoffset().total_seconds() == 0  # kept in UTC
    assert saved.record["starts_at"].hour == 6  # 14:00 in Asia/Shanghai


def test_a_failed_write_leaves_no_history(demo_copy):
    depot = a_depot(demo_copy)
    before = history_count(demo_copy)
    with pytest.raises(Invalid) as refused:
        update_record(
            demo_copy, PLANNER, "depots", depot["code"], {"stock": {"sand": -5}}, depot["version"]
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [("stock", "negative")]
    # below the rules, the store's own check refuses it too, and writes no history
    from store.records import RecordError

    with pytest.raises(RecordError):
        demo_copy.records.update(
            "depots", depot["code"], {"stock": {"sand": -5}}, depot["version"], "x"
        )
    assert history_count(demo_copy) == before
    assert demo_copy.records.get("depots", depot["code"]) == depot


def test_every_write_has_exactly_its_history_rows(demo_copy):
    before = history_count(demo_copy)
    created = create_record(demo_copy, PLANNER, "depots", NEW_DEPOT).record
    moved = update_record(
        demo_copy, PLANNER, "depots", created["code"], {"name": "改名"}, created["version"]
    ).record
    same = update_record(  # nothing changes: nothing written
        demo_copy, PLANNER, "depots", created["code"], {"name": "改名"}, moved["version"]
    ).record
    assert same["version"] == moved["version"]
    delete_record(demo_copy, PLANNER, "depots", created["code"], moved["version"])
    actions = [h["action"] for h in demo_copy.records.history("depots", created["code"])]
    assert actions == ["delete", "update", "create"]
    assert history_count(demo_copy) == before + 3


def test_a_deleted_depot_is_restored_by_an_admin_with_its_stock(demo_copy):
    depot = a_depot(demo_copy)
    delete_record(demo_copy, PLANNER, "depots", depot["code"], depot["version"], note="closed")
    assert demo_copy.records.get("depots", depot["code"]) is None
    (entry,) = [e for e in deleted_records(demo_copy, ADMIN) if e["code"] == depot["code"]]
    with pytest.raises(Forbidden):
        restore_record(demo_copy, PLANNER, entry["id"])
    back = restore_record(demo_copy, ADMIN, entry["id"]).record
    for name in ("name", "level", "township_code", "keeper", "keeper_phone", "stock"):
        assert back[name] == depot[name], name
    assert back["geom"].equals(depot["geom"])
    assert deleted_records(demo_copy, ADMIN) == []
    assert [h["action"] for h in demo_copy.records.history("depots", depot["code"])] == [
        "restore",
        "delete",
    ]


def test_an_admin_reverts_a_change_unless_a_later_one_touched_the_same_fields(demo_copy):
    depot = a_depot(demo_copy)
    first = update_record(
        demo_copy, PLANNER, "depots", depot["code"], {"keeper": "甲", "stock": {"sand": 1}}, 1
    ).record
    (entry,) = demo_copy.records.history("depots", depot["code"])
    with pytest.raises(Forbidden):
        revert_change(demo_copy, PLANNER, entry["id"])
    reverted = revert_change(demo_copy, ADMIN, entry["id"]).record
    assert reverted["keeper"] == depot["keeper"] and reverted["stock"] == depot["stock"]
    assert reverted["version"] == first["version"] + 1
    again = update_record(demo_copy, PLANNER, "depots", depot["code"], {"keeper": "乙"}, 3).record
    update_record(demo_copy, PLANNER, "depots", depot["code"], {"keeper": "丙"}, again["version"])
    older = demo_copy.records.history("depots", depot["code"])[1]  # keeper -> 乙
    with pytest.raises(Conflict):
        revert_change(demo_copy, ADMIN, older["id"])


def test_a_township_still_holding_points_is_not_deleted(demo_copy):
    town = demo_copy.records.get("townships", demo_copy.read("townships")["code"].iloc[0])
    with pytest.raises(InUse) as refused:
        delete_record(demo_copy, PLANNER, "townships", town["code"], town["version"])
    assert refused.value.references["risk_points"] > 0
    assert demo_copy.records.get("townships", town["code"]) is not None


def test_unknown_records_and_collections_are_not_found(demo_copy):
    with pytest.raises(NotFound):
        update_record(demo_copy, PLANNER, "depots", "NO-SUCH", {"name": "x"}, 1)
    with pytest.raises(NotFound):
        create_record(demo_copy, PLANNER, "users", {"name": "x"})


def test_planners_saving_the_same_record_at_the_same_moment_one_wins(demo_copy):
    """Eight saves of one version at once, from eight threads: one lands, seven are told."""
    import threading

    depot = a_depot(demo_copy)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def save(n: int) -> None:
        who = Principal(f"planner{n}", "planner", user_name=f"planner{n}")
        barrier.wait()
        try:
            update_record(
                demo_copy, who, "depots", depot["code"], {"keeper": f"keeper {n}"},
                depot["version"],
            )  # fmt: skip
            outcomes.append(f"saved {n}")
        except Conflict as refused:
            outcomes.append(f"refused: {refused.current['updated_by']}")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (winner,) = [o for o in outcomes if o.startswith("saved")]
    n = winner.split()[1]
    assert sorted(outcomes) == sorted([winner] + [f"refused: planner{n}"] * 7)
    now = demo_copy.records.get("depots", depot["code"])
    assert (now["keeper"], now["version"]) == (f"keeper {n}", depot["version"] + 1)
    assert len(demo_copy.records.history("depots", depot["code"])) == 1


@pytest.mark.parametrize("role", ["viewer", "duty_officer", "planner", "admin"])
def test_the_role_matrix_of_every_operation(demo_copy, role):
    """Each role against each kind of write: allowed ones happen, the others write nothing."""
    who = Principal(f"someone-{role}", role, user_name=f"someone-{role}")
    depot = a_depot(demo_copy)
    activation = {"level": 3, "starts_at": "2026-07-01 08:00"}
    attempts = {
        "edit a layer": lambda: update_record(
            demo_copy, who, "depots", depot["code"], {"keeper": role}, depot["version"]
        ),
        "declare a response": lambda: create_record(
            demo_copy, who, "response_activations", activation
        ),
        "list deletions": lambda: deleted_records(demo_copy, who),
        "revert a change": lambda: revert_change(demo_copy, who, 10**6),
    }
    allowed = {
        "viewer": set(),
        "duty_officer": {"declare a response"},
        "planner": {"edit a layer"},
        "admin": {"edit a layer", "declare a response", "list deletions", "revert a change"},
    }[role]
    for name, attempt in attempts.items():
        if name in allowed:
            try:
                attempt()
            except NotFound:
                assert name == "revert a change"  # allowed, but there is no change #1000000
        else:
            before = history_count(demo_copy)
            with pytest.raises(Forbidden):
                attempt()
            assert history_count(demo_copy) == before, name


def test_a_value_past_its_columns_range_is_the_writers_mistake_not_an_unreachable_store(
    demo_copy,
):
    """Below the form's rules, an integer past 64 bits (or PostGIS's 32) is refused as a
    value, so the API answers 4xx and the wall's stale banner stays down."""
    from store.records import RecordError

    force = demo_copy.records.get("forces", demo_copy.read("forces")["code"].iloc[0])
    before = history_count(demo_copy)
    with pytest.raises(RecordError, match="out of range"):
        demo_copy.records.update(
            "forces", force["code"], {"headcount": 2**70}, force["version"], "x"
        )
    assert history_count(demo_copy) == before
    assert demo_copy.records.get("forces", force["code"]) == force


def test_the_generic_editor_cannot_move_a_hidden_danger_through_its_ledger(demo_copy):
    """Only a ledger step (with who verifies, five-in-place, its history) changes the
    rectification status; a planner's PATCH is refused and a PUT that leaves it out keeps it."""
    risks = demo_copy.read("risk_points")
    code = risks.loc[risks["rectification_status"] == "open", "code"].iloc[0]
    point = demo_copy.records.get("risk_points", code)
    with pytest.raises(Invalid) as refused:
        update_record(
            demo_copy, PLANNER, "risk_points", code,
            {"rectification_status": "rectified"}, point["version"], partial=True,
        )  # fmt: skip
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("rectification_status", "ledger_owned")
    ]
    assert demo_copy.records.get("risk_points", code) == point
    whole = {k: v for k, v in point.items() if k not in ("rectification_status", "version")}
    whole = {k: v for k, v in whole.items() if k in {f.name for f in FIELDS["risk_points"]}}
    saved = update_record(
        demo_copy,
        PLANNER,
        "risk_points",
        code,
        {**whole, "name": "改名"},
        point["version"],
        partial=False,
    )
    assert saved.record["rectification_status"] == "open"
    assert saved.record["name"] == "改名"
