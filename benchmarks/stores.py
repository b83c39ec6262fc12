"""Fresh stores holding the city set, made and removed by the benchmark itself."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from store import Store, open_store

# The PostgreSQL server the benchmark creates its throwaway database on.
PG_ADMIN_URL = os.environ.get(
    "FOURMAPS_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def sqlite_with(dataset: str, prefix: str) -> tuple[Path, str, Store]:
    """A fresh SQLite store in a new temporary folder holding the demo or the city set:
    the folder (for server logs), the store's URL (for the app) and the store."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    url = f"sqlite:///{work / 'fourmaps.sqlite'}"
    store = open_store(url)
    if dataset == "city":
        from data.city import build_city

        store.replace_all(build_city())
    else:
        from data.demo import build_demo

        store.replace_all(build_demo())
    return work, url, store


@dataclass(frozen=True)
class LoadedStore:
    """A store holding the city set: its URL (for the apps) and how long loading took."""

    kind: str
    url: str
    load_seconds: float
    server_version: str


def _load(kind: str, url: str, frames: dict) -> LoadedStore:
    """Migrate and fill the store as ``manage.py load city`` does (one transaction)."""
    started = time.perf_counter()
    store = open_store(url)  # creates the schema (and the PostGIS extension)
    store.replace_all(frames)
    seconds = time.perf_counter() - started
    with store.engine.connect() as conn:
        if kind == "postgis":
            postgis = conn.execute(sa.text("SELECT postgis_lib_version()")).scalar_one()
            pg = conn.execute(sa.text("SHOW server_version")).scalar_one()
            version = f"PostgreSQL {pg.split()[0]}, PostGIS {postgis}"
        else:
            version = "SQLite " + conn.execute(sa.text("SELECT sqlite_version()")).scalar_one()
    store.engine.dispose()
    return LoadedStore(kind, url, seconds, version)


@contextlib.contextmanager
def city_store(kind: str, frames: dict, prefix: str = "fourmaps_bench") -> Iterator[LoadedStore]:
    """A fresh store of ``kind`` ("sqlite" or "postgis") holding ``frames``; removed after.
    A PostGIS database is named ``<prefix>_<random>``: never one that tests or people use."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="fourmaps-bench-")
        try:
            yield _load(kind, f"sqlite:///{folder}/city.sqlite", frames)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if kind != "postgis":
        raise ValueError(f"unknown store kind {kind!r}: use sqlite or postgis")
    admin = sa.create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        yield _load(kind, url, frames)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
