"""``manage.py``: accounts, tokens and wall URLs from the command line, on both stores."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest

import manage
from auth.accounts import sign_in, token_principal


@pytest.fixture
def run(empty_store, capsys, monkeypatch):
    """``run(*argv, stdin="")`` -> (exit code, stdout, stderr) against ``empty_store``."""
    url = empty_store.engine.url.render_as_string(hide_password=False)

    def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = manage.main(["--database-url", url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_user_add_reads_the_password_from_stdin_and_lists_users(run, empty_store):
    assert (
        run("user", "add", "planner1", "--role", "planner", stdin="planner one password\n")[0] == 0
    )
    assert sign_in(empty_store, "planner1", "planner one password") is not None
    code, out, _ = run("user", "list")
    assert code == 0 and out.split()[:3] == ["planner1", "planner", "active"]


def test_user_add_refuses_short_passwords_and_taken_names(run, empty_store):
    code, _, err = run("user", "add", "p", "--role", "viewer", stdin="short\n")
    assert code == 1 and "at least 10 characters" in err
    run("user", "add", "p", "--role", "viewer", stdin="long enough password\n")
    code, _, err = run("user", "add", "p", "--role", "admin", stdin="long enough password\n")
    assert code == 1 and "exists already" in err
    assert [u["role"] for u in empty_store.accounts.users()] == ["viewer"]


def test_user_disable_stops_sign_in(run, empty_store):
    run("user", "add", "officer", "--role", "duty_officer", stdin="officer's password\n")
    code, out, _ = run("user", "disable", "officer")
    assert code == 0 and "disabled" in out
    assert sign_in(empty_store, "officer", "officer's password") is None
    code, _, err = run("user", "disable", "nobody")
    assert code == 1 and "no user named 'nobody'" in err


def test_tokens_are_printed_once_listed_and_revoked(run, empty_store):
    run("user", "add", "sync", "--role", "planner", stdin="sync user password\n")
    code, out, _ = run("token", "create", "sync", "--label", "nightly")
    token = out.strip()
    assert code == 0 and token.startswith("fm_")
    assert token_principal(empty_store, token).user_name == "sync"
    code, out, _ = run("token", "list")
    assert "#1" in out and "nightly" in out and token not in out
    assert run("token", "revoke", "1")[0] == 0
    assert token_principal(empty_store, token) is None


def test_wall_url_carries_the_filters_and_a_viewer_token(run, empty_store):
    code, out, _ = run("wall-url", "--township", "421003005", "--level", "2")
    assert code == 0
    url = urlsplit(out.strip())
    assert url.path == "/wall"
    query = parse_qs(url.query)
    assert query["township"] == ["421003005"] and query["level"] == ["2"]
    who = token_principal(empty_store, query["token"][0])
    assert (who.role, who.kind) == ("viewer", "wall")
    code, out, _ = run("token", "list")
    assert "wall" in out and "421003005" in out


def test_load_roads_from_an_openstreetmap_extract(run, empty_store):
    """The small real extract pyrosm ships (© OpenStreetMap contributors, ODbL)."""
    from pyrosm import get_data

    code, out, _ = run("load", "roads", get_data("test_pbf"))
    assert code == 0 and "Loaded 781 road segments" in out and "ODbL" in out
    roads = empty_store.read("roads")
    assert len(roads) == 781 and (roads["length_m"] > 0).all()
    assert {"secondary", "residential"} <= set(roads["kind"])
    assert roads["oneway"].any() and roads["bridge"].any()
    (entry,) = empty_store.records.history("roads", "*")
    assert entry["changes"]["segments"] == [0, 781]
    code, _, err = run("load", "roads", "/no/such/file.osm.pbf")
    assert code == 1 and "/no/such/file.osm.pbf" in err
    assert len(empty_store.read("roads")) == 781  # nothing changed


def test_load_roads_needs_a_file(run):
    code, _, err = run("load", "roads")
    assert code == 1 and "load roads needs a file" in err


def test_backup_and_restore_from_the_command_line(run, empty_store, tmp_path):
    run("user", "add", "officer", "--role", "duty_officer", stdin="officer's password\n")
    path = str(tmp_path / "nightly.sqlite")
    code, out, err = run("backup", path)
    if empty_store.is_postgis:
        assert code == 1 and "pg_dump" in err
        return
    assert code == 0 and out.startswith(f"Backed up to {path}: ") and "1 users" in out
    run("user", "disable", "officer")
    code, out, _ = run("restore", path)
    assert code == 0 and "Restored from" in out
    assert sign_in(empty_store, "officer", "officer's password") is not None  # enabled again
    code, _, err = run("restore", str(tmp_path / "missing.sqlite"))
    assert code == 1 and "no backup at" in err
