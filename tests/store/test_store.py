"""The store keeps what it is given, on both stores, and says clearly when it cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from store import StoreUnavailable, open_store
from store.schema import forces, risk_points


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


def test_replacing_everything_bumps_every_layer_once_on_both_stores(empty_store, demo_frames):
    empty_store.replace_all(demo_frames)
    before = empty_store.revisions()
    empty_store.replace_all(demo_frames)
    after = empty_store.revisions()
    assert all(after[layer].revision > before[layer].revision for layer in before)
    # and the triggers are back on: a later write still counts
    code = empty_store.read("forces")["code"].iloc[0]
    empty_store.execute(sa.update(forces).where(forces.c.code == code).values(headcount=7))
    assert empty_store.revisions()["forces"].revision > after["forces"].revision


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
    assert empty_store.revisions()["forces"].revision > after["forces"].revision
