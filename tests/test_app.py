"""Starting the app: a store that cannot be opened gives one clear line, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from config import ROOT, Settings


def start(database_url: str, **extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": "1", **extra}
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_database_that_is_down_stops_start_up_with_one_line():
    result = start("postgresql://postgres@127.0.0.1:1/fourmaps")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fourmaps: Cannot reach the database at postgresql")
    assert "Check DATABASE_URL" in lines[0]


def test_a_malformed_url_stops_start_up_with_one_line():
    result = start("mysql+nothing:/??")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DATABASE_URL" in result.stderr


def test_settings_come_from_the_environment_with_defaults():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://x@h/db",
            "PORT": "9000",
            "FOURMAPS_LANG": "en",
            "FOURMAPS_LINKED_VIEWS": "1",
        }
    )
    assert (settings.database_url, settings.port, settings.lang) == (
        "postgresql://x@h/db",
        9000,
        "en",
    )
    assert settings.linked_views
    default = Settings.from_env({})
    assert default.database_url.startswith("sqlite:///") and default.lang == "zh"
    assert Settings.from_env({"FOURMAPS_LANG": "fr"}).lang == "zh"


def test_an_empty_store_stops_start_up_saying_what_to_load(tmp_path):
    result = start(f"sqlite:///{tmp_path / 'empty.sqlite'}", FOURMAPS_SEED_DEMO="0")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "holds no townships yet" in line and "manage.py load demo" in line
