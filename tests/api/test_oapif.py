"""GDAL's OAPIF driver, what QGIS reads OGC API – Features with, reads every layer whole.

The app runs as a server; ``pyogrio.read_dataframe("OAPIF:...")`` pages through
each collection with its own client (a bearer token in ``GDAL_HTTP_BEARER``).
On the demo on both stores, and on the city set (150,000 risk points).
"""

from __future__ import annotations

import contextlib
import os
import time

import pyogrio
import pytest

from auth import system_principal
from auth.accounts import NameTaken, add_user, create_api_token
from store import Store
from tests.browser.conftest import run_server

COLLECTIONS = [
    "townships", "risk_points", "depots", "forces", "command_nodes", "roads", "hazard_areas",
]  # fmt: skip


@contextlib.contextmanager
def gdal_reader(store: Store, log_dir) -> str:
    """A server on ``store`` and GDAL signed in to it; yields the OAPIF dataset name."""
    with contextlib.suppress(NameTaken):
        add_user(store, system_principal(), "gdal", "viewer", "gdal reader password")
    token = create_api_token(store, system_principal(), "gdal", "OAPIF test")
    url = store.engine.url.render_as_string(hide_password=False)
    env = {"DATABASE_URL": url, "FOURMAPS_SEED_DEMO": "0"}
    with run_server(env, log_dir=log_dir, timeout=180) as base:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token})
        try:
            yield f"OAPIF:{base}/ogc"
        finally:
            pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_BEARER": None})


def read_all(dataset: str, store: Store) -> dict[str, float]:
    seconds = {}
    assert [name for name, _ in pyogrio.list_layers(dataset)] == COLLECTIONS
    for name in COLLECTIONS:
        started = time.perf_counter()
        frame = pyogrio.read_dataframe(dataset, layer=name)
        seconds[name] = time.perf_counter() - started
        expected = store.read(name)
        assert len(frame) == len(expected), name
        if expected.empty:
            continue  # hazard areas: none drawn yet
        key = "code" if "code" in expected else "id"
        got = frame.get(key, frame.index)  # GDAL may keep a feature id as its FID
        assert sorted(map(str, got)) == sorted(map(str, expected[key])), name
        assert frame.crs.to_epsg() == 4326 or "CRS84" in frame.crs.to_wkt(), name
        by_key = frame.set_index(key if key in frame else frame.index).geometry
        first = expected.iloc[len(expected) // 2]
        assert by_key[first[key]].equals_exact(first["geom"], 1e-9), name
    return seconds


def test_gdal_reads_every_demo_collection_whole(demo_store, tmp_path):
    with gdal_reader(demo_store, tmp_path) as dataset:
        read_all(dataset, demo_store)
        depots = pyogrio.read_dataframe(dataset, layer="depots")
    one = demo_store.records.get("depots", depots["code"].iloc[0])
    assert depots["name"].iloc[0] == one["name"]  # Chinese text unmangled


@pytest.mark.skipif(os.environ.get("FOURMAPS_SKIP_CITY") == "1", reason="FOURMAPS_SKIP_CITY=1 set")
def test_gdal_reads_the_city_set_whole(tmp_path):
    """150,000 risk points, 10,000 depots, 35,000 forces: pages of GDAL's own size."""
    from data.city import build_city
    from store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'city.sqlite'}")
    store.replace_all(build_city())
    with gdal_reader(store, tmp_path) as dataset:
        seconds = read_all(dataset, store)
    store.engine.dispose()
    print(
        "GDAL OAPIF, city set on SQLite: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    )
