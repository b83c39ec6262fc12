"""``manage.py import`` and ``manage.py export``: exit codes, ``--json``, store untouched."""

from __future__ import annotations

import json

import pytest

import manage
from tests.files.makers import RISK_HEADER, RISK_ROWS, csv_bytes, write
from tests.files.test_imports import counts, store  # noqa: F401  (the fixture)


@pytest.fixture
def run(store, capsys):  # noqa: F811
    url = store.engine.url.render_as_string(hide_password=False)

    def call(*argv: str) -> tuple[int, str, str]:
        code = manage.main(["--database-url", url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_import_json_dry_run_then_commit(run, store, tmp_path):  # noqa: F811
    path = write(tmp_path / "r.csv", csv_bytes(RISK_HEADER, RISK_ROWS, "gbk"))
    before = counts(store)
    code, out, _ = run("import", "risk_points", str(path), "--dry-run", "--json")
    got = json.loads(out)
    assert code == 0 and got["added"] == ["RN1", "RN2"] and got["committed"] is False
    assert set(got) >= {"layer", "file", "encoding", "crs", "added", "updated", "rejected"}
    assert counts(store) == before
    code, out, _ = run("import", "risk_points", str(path))
    assert code == 0 and "Imported" in out and "2 to add" in out
    assert store.records.get("risk_points", "RN2") is not None


def test_import_with_a_rejected_row_exits_non_zero_and_writes_nothing(run, store, tmp_path):  # noqa: F811
    rows = [RISK_ROWS[0], [*RISK_ROWS[1][:5], "30.02", "112.15", ""]]
    path = write(tmp_path / "r.csv", csv_bytes(RISK_HEADER, rows, "gbk"))
    before = counts(store)
    code, _, err = run("import", "risk_points", str(path))
    assert code == 1 and "row 3: 经度/纬度: longitude and latitude look swapped" in err
    assert counts(store) == before
    code, out, _ = run("import", "risk_points", str(path), "--accept-partial", "--json")
    got = json.loads(out)
    assert code == 1 and got["committed"] and got["added"] == ["RN1"]
    assert got["rejected"] == [
        {"row": 3, "code": "RN2", "field": "经度/纬度",
         "reason": "longitude and latitude look swapped"}
    ]  # fmt: skip


def test_a_file_refused_whole_has_an_error(run, tmp_path):
    path = write(tmp_path / "r.zip", b"PK\x03\x04 cut short")
    code, out, _ = run("import", "risk_points", str(path), "--json")
    got = json.loads(out)
    assert code == 1 and got["error"].startswith("the file is incomplete") and not got["committed"]


def test_an_unknown_layer(run, tmp_path):
    path = write(tmp_path / "r.csv", csv_bytes(RISK_HEADER, RISK_ROWS))
    code, _, err = run("import", "roads", str(path))
    assert code == 1 and "no layer 'roads'" in err


def test_export_filtered_then_the_offline_map(run, tmp_path):
    path = tmp_path / "r.csv"
    code, out, _ = run("export", "risk_points", str(path), "--township", "T2")
    assert code == 0 and out.startswith("Exported 3 risk_points")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    code, out, _ = run("export", "depots", str(tmp_path / "d.html"), "--level", "3")
    assert code == 0 and out.startswith("Exported 2 depots")
    assert (tmp_path / "d.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, _, err = run("export", "depots", str(tmp_path / "d.doc"))
    assert code == 1 and "cannot export to .doc" in err
