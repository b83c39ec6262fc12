"""The store keeps what it is given, on both stores, and says clearly when it cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from store import StoreUnavailable, open_store, schema
from store.schema import LAYER_TABLES, forces, risk_points
from tests.conftest import STORE_KINDS, _fresh_store, statements
from tests.handmade import T1, T2, handmade_frames, utc


@pytest.mark.parametrize(
    "table", ["townships", "risk_points", "depots", "forces", "command_nodes", "depot_stock"]
)
def test_round_trip_keeps_every_row_and_coordinate(demo_store, demo_frames, table):
    stored = demo_store.read(table)
    given = demo_frames[table]
    assert len(stored) == len(given)
    if "geom" not in given:
        return
    stored = stored.set_index("code").loc[given["code"]]
    assert list(stored["name"]) == list(given["name"])  # Chinese names intact
    assert stored.crs.to_epsg() == 4326
    same = shapely.equals_exact(
        stored.geometry.values, np.asarray(given.geometry.values), tolerance=1e-9
    )
    assert same.all()


def test_stock_and_catalogue_survive(demo_store, demo_frames):
    stock = demo_store.read("depot_stock")
    total = stock.groupby("item_code")["quantity"].sum()
    given = demo_frames["depot_stock"].groupby("item_code")["quantity"].sum()
    pd.testing.assert_series_equal(total.sort_index(), given.sort_index(), check_names=False)
    catalogue = demo_store.read("material_items")
    assert "编织袋" in set(catalogue["name"])
    assert dict(zip(catalogue["code"], catalogue["unit_en"], strict=True))["sand"] == "m³"


def test_bbox_read_returns_exactly_the_points_in_the_box(demo_store):
    every = demo_store.read("risk_points")
    west, south, east, north = every.total_bounds
    box = (west, south, (west + east) / 2, (south + north) / 2)
    inside = demo_store.read("risk_points", bbox=box)
    expected = every[shapely.intersects(every.geometry.values, shapely.box(*box))]
    assert 0 < len(inside) < len(every)
    assert sorted(inside["code"]) == sorted(expected["code"])


def test_township_read_keeps_only_that_township(demo_store):
    town = demo_store.read("townships")["code"].iloc[3]
    rows = demo_store.read("forces", townships=[town])
    assert len(rows) > 0
    assert set(rows["township_code"]) == {town}


def test_current_response_is_the_open_activation(demo_store):
    activation = demo_store.current_activation()
    assert activation is not None
    assert activation["ends_at"] is None
    assert 1 <= activation["level"] <= 4


# Activations around 1 July 2026 (id, level, start, end, townships):
ACTIVATIONS = [
    (1, 1, utc(2026, 7, 2, 0), None, [T1]),  # not started yet on 1 July
    (2, 2, utc(2026, 6, 20, 0), utc(2026, 6, 30, 0), [T1, T2]),  # ended
    (3, 4, utc(2026, 6, 1, 0), None, [T1]),  # open-ended, started first
    (4, 3, utc(2026, 6, 25, 0), utc(2026, 7, 1, 18), [T2, T1]),  # in force, latest start
]


@pytest.fixture(scope="module", params=STORE_KINDS)
def responses(request, tmp_path_factory):
    """A store holding the activations above and warnings around 1 July 2026."""
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(
        handmade_frames(
            ACTIVATIONS,
            [
                ("future", "red", utc(2026, 7, 2, 0), None),
                ("expired", "orange", utc(2026, 6, 20, 0), utc(2026, 6, 30, 0)),
                ("older", "blue", utc(2026, 6, 1, 0), None),
                ("newer", "yellow", utc(2026, 6, 25, 0), utc(2026, 7, 1, 18)),
            ],
        )
    )
    yield store
    store.engine.dispose()


def in_force(store, now):
    activation = store.current_activation(now)
    return None if activation is None else (activation["id"], activation["townships"])


def test_the_response_in_force_is_the_latest_started_and_not_ended(responses):
    # Not the one not yet started, not the ended one, and of the two open the
    # one that started last; its townships sorted.
    assert in_force(responses, utc(2026, 7, 1, 12)) == (4, [T1, T2])
    assert responses.current_activation(utc(2026, 7, 1, 12))["level"] == 3
    # Its end is exclusive: from 18:00 the older open-ended one is in force again.
    assert in_force(responses, utc(2026, 7, 1, 18)) == (3, [T1])
    # Its start is inclusive; before anything started, nothing is in force.
    assert in_force(responses, utc(2026, 6, 25, 0)) == (4, [T1, T2])
    assert in_force(responses, utc(2026, 5, 1, 0)) is None
    # Once the latest starts, it wins (and the ended one never comes back).
    assert in_force(responses, utc(2026, 7, 2, 0)) == (1, [T1])
    assert in_force(responses, utc(2026, 6, 22, 0)) == (2, [T1, T2])


def test_the_warnings_in_force_are_issued_and_not_expired_newest_first(responses):
    def shown(now):
        return list(responses.current_warnings(now)["identifier"])

    assert shown(utc(2026, 7, 1, 12)) == ["newer", "older"]
    assert shown(utc(2026, 7, 1, 18)) == ["older"]
    assert shown(utc(2026, 7, 2, 0)) == ["future", "older"]
    assert shown(utc(2026, 5, 1, 0)) == []


def test_the_next_change_of_the_response_in_force(responses):
    # The earliest start, end, issue or expiry after now: what the clock alone changes.
    assert responses.next_response_change(utc(2026, 7, 1, 12)) == utc(2026, 7, 1, 18)
    assert responses.next_response_change(utc(2026, 7, 1, 18)) == utc(2026, 7, 2, 0)
    assert responses.next_response_change(utc(2026, 6, 21, 0)) == utc(2026, 6, 25, 0)
    assert responses.next_response_change(utc(2026, 7, 3, 0)) is None


def test_any_write_bumps_only_its_layer_revision(empty_store, demo_frames):
    empty_store.replace_all(demo_frames)
    before = empty_store.revisions()
    code = empty_store.read("risk_points")["code"].iloc[0]
    empty_store.execute(
        sa.update(risk_points).where(risk_points.c.code == code).values(grade="major")
    )
    after = empty_store.revisions()
    assert after["risk"].revision > before["risk"].revision
    assert after["risk"].updated_at >= before["risk"].updated_at
    assert {k: v.revision for k, v in after.items() if k != "risk"} == {
        k: v.revision for k, v in before.items() if k != "risk"
    }


def test_a_bad_row_leaves_the_store_as_it_was(empty_store, demo_frames):
    empty_store.replace_all(demo_frames)
    broken = dict(demo_frames)
    bad = demo_frames["risk_points"].copy()
    bad.loc[bad.index[-1], "grade"] = "catastrophic"
    broken["risk_points"] = bad
    with pytest.raises(ValueError, match="risk_points"):
        empty_store.replace_all(broken)
    assert len(empty_store.read("risk_points")) == len(demo_frames["risk_points"])
    assert len(empty_store.read("townships")) == len(demo_frames["townships"])


def test_a_server_that_is_down_gives_one_clear_line():
    with pytest.raises(StoreUnavailable) as err:
        open_store("postgresql://nobody@127.0.0.1:1/nothing")
    message = str(err.value)
    assert "\n" not in message
    assert "Cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1/nothing" in message
    assert "Check DATABASE_URL" in message


def test_a_malformed_url_gives_one_clear_line():
    with pytest.raises(StoreUnavailable, match="not a database URL"):
        open_store("not a url")


def test_migrating_twice_changes_nothing(demo_store):
    before = demo_store.revisions()
    again = open_store(demo_store.engine.url.render_as_string(hide_password=False))
    again.engine.dispose()
    assert demo_store.revisions() == before


def test_replacing_everything_bumps_every_layer(empty_store, demo_frames):
    empty_store.replace_all(demo_frames)
    before = empty_store.revisions()
    empty_store.replace_all(demo_frames)
    after = empty_store.revisions()
    if empty_store.is_postgis:
        # Triggers off for the load, then one bump of every layer: exactly once.
        assert {k: v.revision - before[k].revision for k, v in after.items()} == dict.fromkeys(
            before, 1
        )
    else:  # SQLite's row triggers count every row deleted and written
        assert all(after[layer].revision > before[layer].revision for layer in before)
    # and the triggers are back on: a later write of one row counts once
    code = empty_store.read("forces")["code"].iloc[0]
    empty_store.execute(sa.update(forces).where(forces.c.code == code).values(headcount=7))
    assert empty_store.revisions()["forces"].revision == after["forces"].revision + 1


def test_a_load_leaves_fresh_planner_statistics_on_postgis(postgis_server, demo_frames):
    # PostGIS only (SQLite plans without statistics): a skipped SQLite twin
    # would read as a skipped PostGIS test to CI's check.
    store = open_store(postgis_server.new_database_url())
    store.replace_all(demo_frames)
    with store.engine.connect() as conn:
        analysed = conn.execute(
            sa.text(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
                "AND relname IN ('risk_points', 'hidden_dangers', 'depots', 'forces')"
            )
        ).scalars()
        assert sorted(analysed) == ["depots", "forces", "hidden_dangers", "risk_points"]
    store.engine.dispose()


def test_a_transaction_of_many_writes_bumps_its_layer(empty_store, demo_frames):
    empty_store.replace_all(demo_frames)
    before = empty_store.revisions()
    codes = empty_store.read("forces")["code"].iloc[:50]
    with empty_store.engine.begin() as conn:
        for n, code in enumerate(codes):
            conn.execute(sa.update(forces).where(forces.c.code == code).values(headcount=n + 1))
    after = empty_store.revisions()
    assert after["forces"].revision > before["forces"].revision
    assert after["risk"] == before["risk"]
    if empty_store.engine.dialect.name == "postgresql":
        # One bump per transaction, not per statement: bulk edits stay cheap.
        assert after["forces"].revision == before["forces"].revision + 1
    # and the next transaction counts again
    empty_store.execute(sa.update(forces).where(forces.c.code == codes.iloc[0]).values(headcount=9))
    assert empty_store.revisions()["forces"].revision == after["forces"].revision + 1


def one_write(table: str) -> sa.Executable:
    """A write of one row of ``table`` in the hand-made district."""
    tbl = schema.metadata.tables[table]
    writes = {
        "jurisdictions": lambda: sa.update(tbl).where(tbl.c.code == "J0").values(name_en="J"),
        "townships": lambda: sa.update(tbl).where(tbl.c.code == T1).values(name_en="Jia 2"),
        "risk_points": lambda: sa.update(tbl).where(tbl.c.code == "R4").values(grade="major"),
        "material_items": lambda: sa.update(tbl).where(tbl.c.code == "sand").values(unit_en="t"),
        "depots": lambda: sa.update(tbl).where(tbl.c.code == "D4").values(keeper="王"),
        "depot_stock": lambda: (
            sa.update(tbl)
            .where(tbl.c.depot_code == "D3", tbl.c.item_code == "sand")
            .values(quantity=11.0)
        ),
        "forces": lambda: sa.update(tbl).where(tbl.c.code == "F4").values(headcount=21),
        "command_nodes": lambda: sa.update(tbl).where(tbl.c.code == "V1").values(status="off_duty"),
        "response_activations": lambda: sa.update(tbl).where(tbl.c.id == 2).values(reason="雨"),
        "activation_townships": lambda: sa.insert(tbl).values(activation_id=2, township_code=T1),
        "weather_warnings": lambda: (
            sa.update(tbl).where(tbl.c.identifier == "W1").values(colour="orange")
        ),
        # the ledger (tables start empty: written in this order)
        "hidden_dangers": lambda: sa.insert(tbl).values(code="R1", measures="加固"),
        "ledger_photos": lambda: sa.insert(tbl).values(
            id=1, code="R1", content_type="image/png", size=1, sha256="0" * 64, data=b"x",
            uploaded_by="t", uploaded_at=utc(2026, 7, 1),
        ),
        "ledger_steps": lambda: sa.insert(tbl).values(
            code="R1", step="rectifying", actor="t", at=utc(2026, 7, 1), photo_id=1,
        ),
        # incidents and dispatch (tables start empty: written in this order)
        "incidents": lambda: sa.insert(tbl).values(
            id=1, code="INC-1", type="flood", reported_at=utc(2026, 7, 1),
            geom=shapely.Point(112.01, 30.01),
        ),
        "dispatches": lambda: sa.insert(tbl).values(
            id=1, incident_id=1, key="k", created_at=utc(2026, 7, 1), created_by="t",
            routing="road",
        ),
        "dispatch_orders": lambda: sa.insert(tbl).values(
            dispatch_id=1, incident_id=1, kind="force", force_code="F4", travel_s=60.0,
            status="ordered",
        ),
        "hazard_areas": lambda: sa.insert(tbl).values(
            code="H1", name="淹没区", kind="flooded",
            geom=shapely.MultiPolygon([shapely.box(112.0, 30.0, 112.01, 30.01)]),
        ),
        "roads": lambda: sa.insert(tbl).values(
            u=1, v=2, kind="village", length_m=100.0, speed_kmh=30.0,
            geom=shapely.LineString([(112.0, 30.0), (112.001, 30.0)]),
        ),
    }  # fmt: skip
    assert table in writes, f"add a one-row write of {table} to this test"
    return writes[table]()


def test_each_table_bumps_its_own_layer_once(empty_store):
    """Every table of every layer (stock, the catalogue, the response and warning tables
    included) has a trigger that bumps its own layer, and only it, once per write."""
    empty_store.replace_all(handmade_frames())
    for layer, tables in LAYER_TABLES.items():
        for table in tables:
            before = empty_store.revisions()
            empty_store.execute(one_write(table))
            after = empty_store.revisions()
            bumped = {k: v.revision - before[k].revision for k, v in after.items()}
            assert bumped == {k: int(k == layer) for k in before}, f"a write of {table}"
            assert after[layer].updated_at >= before[layer].updated_at


def test_a_poll_is_one_query(handmade_store):
    sent = statements(handmade_store)
    revisions = handmade_store.revisions()
    assert set(revisions) == set(LAYER_TABLES)
    assert len(sent) == 1, sent


def test_bbox_read_is_answered_by_the_database_on_postgis(handmade_store):
    sent = statements(handmade_store)
    rows = handmade_store.read("risk_points", bbox=(112.0, 30.0, 112.025, 30.025))
    assert sorted(rows["code"]) == ["R1", "R2"]
    (sql,) = sent
    if handmade_store.is_postgis:
        # The box is in the query, where the GiST index answers it.
        assert "&&" in sql and "ST_MakeEnvelope" in sql, sql
    else:
        assert "&&" not in sql  # SQLite has no spatial index: shapely filters the rows
