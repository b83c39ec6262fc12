"""Backups of the embedded store: taken while it is written, restored with every record."""

from __future__ import annotations

import sqlite3
import threading

import pandas as pd
import pytest

from auth import system_principal
from editing.records import update_record
from store import Store, open_store
from store.backup import BackupError, backup, restore
from store.schema import metadata

PLANNER = system_principal("tests")


@pytest.fixture
def demo_file(tmp_path, demo_frames):
    store = open_store(f"sqlite:///{tmp_path / 'live.sqlite'}")
    store.replace_all(demo_frames)
    yield store
    store.engine.dispose()


def _every_row(store: Store) -> dict[str, pd.DataFrame]:
    """Every table's rows in a comparable form (geometry as WKB text, sorted)."""
    out = {}
    with store.engine.connect() as conn:
        for name in sorted(metadata.tables):
            frame = pd.read_sql_table(name, conn)
            frame = frame.apply(lambda column: column.map(repr))
            frame = frame.sort_values(list(frame.columns)).reset_index(drop=True)
            out[name] = frame
    return out


def test_a_backup_restored_into_a_new_store_holds_every_record(demo_file, tmp_path):
    counts = backup(demo_file, tmp_path / "fourmaps-backup.sqlite")
    assert counts["risk_points"] == len(demo_file.read("risk_points")) > 0
    assert counts["depot_stock"] == len(demo_file.read("depot_stock")) > 0
    fresh = open_store(f"sqlite:///{tmp_path / 'new.sqlite'}")
    restore(fresh, tmp_path / "fourmaps-backup.sqlite")
    got, want = _every_row(fresh), _every_row(demo_file)
    for name in want:
        if name == "layer_revisions":
            continue  # moved on by the restore, on purpose
        pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    fresh.engine.dispose()


def test_a_backup_taken_while_planners_save_is_consistent(demo_file, tmp_path):
    """Edits go on during the backup; the copy is whole and every later edit stays live."""
    codes = demo_file.read("depots")["code"].head(40).tolist()
    stop = threading.Event()
    saved: list[str] = []

    def edit() -> None:
        for code in codes:
            if stop.is_set():
                return
            record = demo_file.records.get("depots", code)
            update_record(demo_file, PLANNER, "depots", code, {"name": code}, record["version"])
            saved.append(code)

    writer = threading.Thread(target=edit)
    writer.start()
    backup(demo_file, tmp_path / "during.sqlite")
    writer.join()
    copy = Store(f"sqlite:///{tmp_path / 'during.sqlite'}")
    names = copy.read("depots").set_index("code").loc[codes, "name"]
    renamed = set(names[names.index == names.to_numpy()].index)
    logged = set(
        pd.read_sql("SELECT code FROM history WHERE collection = 'depots'", copy.engine)["code"]
    )
    # Whatever the copy holds is whole: a depot renamed in it has its history row, and back.
    assert renamed == logged
    assert len(saved) == len(codes)
    live = demo_file.read("depots").set_index("code").loc[codes, "name"]
    assert (live.index == live.to_numpy()).all()  # no edit lost on the live store
    copy.engine.dispose()


def test_restoring_undoes_later_edits_and_every_screen_reloads(demo_file, tmp_path):
    code = demo_file.read("depots")["code"].iloc[0]
    backup(demo_file, tmp_path / "before.sqlite")
    record = demo_file.records.get("depots", code)
    update_record(demo_file, PLANNER, "depots", code, {"name": "改错了的名字"}, record["version"])
    before = demo_file.revisions()
    restore(demo_file, tmp_path / "before.sqlite")
    assert demo_file.records.get("depots", code)["name"] == record["name"]
    after = demo_file.revisions()
    # Every layer's counter moved past the live one: no cache keeps the undone edit.
    assert all(after[layer].revision > before[layer].revision for layer in before)


def test_a_file_that_is_not_a_backup_is_refused_and_the_store_is_untouched(demo_file, tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all\n" * 100)
    other = tmp_path / "other.sqlite"
    Store(f"sqlite:///{other}").engine.dispose()  # a SQLite file with no schema
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    truncated = tmp_path / "truncated.sqlite"
    backup(demo_file, tmp_path / "whole.sqlite")
    truncated.write_bytes((tmp_path / "whole.sqlite").read_bytes()[:50_000])
    before = len(demo_file.read("risk_points"))
    for path, reason in [
        (text, "is not a whole SQLite database"),
        (other, "is not a backup of this app's store"),
        (truncated, "is damaged|is not a whole SQLite database"),
        (tmp_path / "missing.sqlite", "no backup at"),
    ]:
        with pytest.raises(BackupError, match=reason):
            restore(demo_file, path)
    assert len(demo_file.read("risk_points")) == before


def test_the_embedded_store_backs_up_and_postgis_points_to_pg_dump(empty_store, tmp_path):
    if empty_store.is_postgis:
        with pytest.raises(BackupError, match="pg_dump"):
            backup(empty_store, tmp_path / "never-written.sqlite")
        assert not (tmp_path / "never-written.sqlite").exists()
    else:
        assert backup(empty_store, tmp_path / "empty.sqlite")["townships"] == 0
