"""After a few risk points change, the cached risk layer is patched with those rows
only, and equals a whole read, on both stores, whoever wrote them."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pytest
import sqlalchemy as sa
from geopandas.testing import assert_geodataframe_equal

from auth import Principal
from layers import _cache
from layers.risks import risk_points
from ledger.operations import take_step
from store import Store, schema

OFFICER = Principal("li", "duty_officer", user_id=1, user_name="li")


def whole(store: Store) -> gpd.GeoDataFrame:
    """The risk layer read whole, as a fresh process would."""
    _cache.clear()
    return risk_points(store)


@pytest.fixture
def reads(demo_copy, monkeypatch) -> list[dict]:
    """The keyword arguments of every ``read("risk_points")`` from now on."""
    seen: list[dict] = []
    original = demo_copy.read

    def read(table, **kwargs):
        if table == "risk_points":
            seen.append(kwargs)
        return original(table, **kwargs)

    monkeypatch.setattr(demo_copy, "read", read)
    return seen


def found_code(store: Store) -> str:
    rp = schema.risk_points
    query = sa.select(rp.c.code).where(
        rp.c.kind == "hidden_danger", rp.c.rectification_status == "open"
    )
    with store.engine.connect() as conn:
        return conn.execute(query.order_by(rp.c.code).limit(1)).scalar_one()


def test_a_ledger_step_rereads_one_point(demo_copy, reads):
    before = risk_points(demo_copy)
    code = found_code(demo_copy)
    take_step(demo_copy, OFFICER, code, "rectifying", "started")
    reads.clear()
    after = risk_points(demo_copy)
    assert len(reads) == 1 and reads[0]["changed_since"] is not None, reads
    assert after is not before
    row = after.loc[after["code"] == code].iloc[0]
    assert row["rectification_status"] == "in_progress"
    assert before.loc[before["code"] == code, "rectification_status"].iloc[0] == "open"
    assert_geodataframe_equal(after, whole(demo_copy))


def test_a_write_by_plain_sql_is_seen_and_patched(demo_copy, reads):
    """The stamp is the database's: a writer that is not this app is seen too, and a
    value the layer had no category for yet (a township's code moved) comes out right."""
    risk_points(demo_copy)
    rp = schema.risk_points
    towns = sorted(demo_copy.read("townships")["code"])
    code = found_code(demo_copy)
    demo_copy.execute(
        rp.update()
        .where(rp.c.code == code)
        .values(name="改名", township_code=towns[-1], rectification_deadline=date(2030, 1, 1))
    )
    reads.clear()
    after = risk_points(demo_copy)
    assert [r.get("changed_since") is not None for r in reads] == [True]
    assert after.loc[after["code"] == code, "name"].iloc[0] == "改名"
    assert_geodataframe_equal(after, whole(demo_copy))


def test_a_new_point_is_patched_in_and_a_deleted_one_read_whole(demo_copy, reads):
    frame = risk_points(demo_copy)
    first = demo_copy.records.get("risk_points", frame["code"].iloc[0])
    new = {k: v for k, v in first.items() if k not in ("id", "version", "updated_at")}
    demo_copy.records.create("risk_points", {**new, "code": "RISK-NEW-1"}, "test")
    reads.clear()
    added = risk_points(demo_copy)
    assert [r.get("changed_since") is not None for r in reads] == [True]
    assert len(added) == len(frame) + 1
    assert_geodataframe_equal(added, whole(demo_copy))

    record = demo_copy.records.get("risk_points", "RISK-NEW-1")
    demo_copy.records.delete("risk_points", "RISK-NEW-1", record["version"], "test")
    reads.clear()
    gone = risk_points(demo_copy)
    assert [r.get("changed_since") is not None for r in reads] == [True, False]  # then whole
    assert len(gone) == len(frame)
    assert_geodataframe_equal(gone, whole(demo_copy))


def test_nothing_of_the_points_changed_keeps_the_frame(demo_copy):
    """A step's account and history rows bump the layer too; the points are as they were."""
    before = risk_points(demo_copy)
    code = found_code(demo_copy)
    demo_copy.execute(
        schema.hidden_dangers.update()
        .where(schema.hidden_dangers.c.code == code)
        .values(finder="x")
    )
    assert risk_points(demo_copy) is before


def test_a_data_load_reads_the_layer_whole(demo_copy, demo_frames, reads):
    risk_points(demo_copy)
    demo_copy.replace_all(demo_frames)
    reads.clear()
    after = risk_points(demo_copy)
    assert [r.get("changed_since") for r in reads] == [None]
    assert_geodataframe_equal(after, whole(demo_copy))


def test_the_stamp_is_not_a_field_of_records_or_layers(demo_copy):
    frame = risk_points(demo_copy)
    assert schema.ROW_REVISION not in frame
    assert schema.ROW_REVISION not in demo_copy.records.get("risk_points", frame["code"].iloc[0])
    assert schema.ROW_REVISION not in demo_copy.records.fields("risk_points")
