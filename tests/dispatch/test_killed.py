"""A dispatch and an edit killed half-way (SIGKILL) leave nothing behind, on both stores.

A child process runs the real operation and is paused inside its transaction,
right after its first write statement (the first stock decrement, the
record's own UPDATE), then killed. Afterwards the store holds no part of it,
SQLite's WAL is intact, and the same operation succeeds from another process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from auth import Principal
from dispatch.orders import dispatch
from editing.records import update_record
from store import Store, schema
from tests.dispatch.test_orders import an_incident, count, stock

ROOT = Path(__file__).resolve().parents[2]
OFFICER = Principal("officer1", "duty_officer", user_name="officer1")
PLANNER = Principal("planner1", "planner", user_name="planner1")

CHILD = r"""
import sys, time
import sqlalchemy as sa
from auth import Principal
from dispatch.orders import dispatch
from editing.records import update_record
from store import Store

store = Store(sys.argv[1])
writes = []

@sa.event.listens_for(store.engine, "after_cursor_execute")
def pause(conn, cursor, statement, params, context, many):
    if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
        writes.append(statement)
        if len(writes) == 1:
            print("paused inside the transaction", flush=True)
            time.sleep(600)

if sys.argv[2] == "dispatch":
    officer = Principal("officer1", "duty_officer", user_name="officer1")
    dispatch(store, officer, sys.argv[3], "killed-key",
             [{"code": "A", "take": {"woven_bag": 40}}], ["FA"])
else:
    planner = Principal("planner1", "planner", user_name="planner1")
    update_record(store, planner, "depots", "A", {"name": "改了一半"}, int(sys.argv[3]))
"""


def _kill_half_way(store: Store, *args: str) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, url, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as child:
        try:
            line = child.stdout.readline()
        finally:
            child.send_signal(signal.SIGKILL)
            _, err = child.communicate(timeout=30)
    assert line.startswith("paused"), err
    assert child.returncode == -signal.SIGKILL


def _intact(store: Store) -> None:
    if not store.is_postgis:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"


def test_a_dispatch_killed_half_way_reserves_nothing(river_town):
    incident = an_incident(river_town)
    histories = count(river_town, schema.history)
    _kill_half_way(river_town, "dispatch", incident["code"])
    _intact(river_town)
    assert stock(river_town, "A") == 100
    assert river_town.read("forces").set_index("code")["status"]["FA"] == "available"
    assert count(river_town, schema.dispatches) == 0
    assert count(river_town, schema.dispatch_orders) == 0
    assert count(river_town, schema.history) == histories
    # The officer tries again with the same key: it goes through, once.
    done = dispatch(
        river_town, OFFICER, incident["code"], "killed-key",
        [{"code": "A", "take": {"woven_bag": 40}}], ["FA"],
    )  # fmt: skip
    assert done.created and stock(river_town, "A") == 60


def test_an_edit_killed_half_way_changes_nothing_and_leaves_no_history(river_town):
    before = river_town.records.get("depots", "A")
    histories = count(river_town, schema.history)
    _kill_half_way(river_town, "edit", str(before["version"]))
    _intact(river_town)
    after = river_town.records.get("depots", "A")
    assert (after["name"], after["version"]) == (before["name"], before["version"])
    assert count(river_town, schema.history) == histories
    saved = update_record(river_town, PLANNER, "depots", "A", {"name": "改好了"}, before["version"])
    assert saved.record["name"] == "改好了"
