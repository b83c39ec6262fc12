"""Fixtures: the demo data in a fresh store of each kind.

Every store test runs twice, on the embedded SQLite file and on PostGIS.
PostGIS tests skip when no server answers, except where
``FOURMAPS_REQUIRE_POSTGIS=1`` (CI sets it): there a skip fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import dash
import pytest
import sqlalchemy as sa

from auth import system_principal
from auth.accounts import add_user
from config import Settings
from layers import _cache
from store import Store, open_store

PG_ADMIN_URL = os.environ.get(
    "FOURMAPS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGIS = os.environ.get("FOURMAPS_REQUIRE_POSTGIS") == "1"


@pytest.fixture(scope="session")
def demo_frames() -> dict:
    from data.demo import build_demo

    return build_demo()


class PostgisServer:
    """Creates and drops throwaway databases with PostGIS on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin = sa.create_engine(
            admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        self.created: list[str] = []

    def new_database_url(self) -> str:
        name = f"fourmaps_test_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostgisServer]:
    server = PostgisServer(PG_ADMIN_URL)
    try:
        with server.admin.connect() as conn:
            available = conn.execute(
                sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
            ).scalar_one()
    except sa.exc.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {PG_ADMIN_URL}: {str(exc.orig).splitlines()[0]}")
    if not available:
        pytest.skip("PostgreSQL has no PostGIS extension installed")
    yield server
    server.drop_all()


def _fresh_store(
    kind: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Store:
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("store") / "fourmaps.sqlite"
        return open_store(f"sqlite:///{path}")
    server = request.getfixturevalue("postgis_server")
    return open_store(server.new_database_url())


def _store_param(kind: str):
    return pytest.param(kind, marks=[pytest.mark.postgis] if kind == "postgis" else [], id=kind)


STORE_KINDS = [_store_param("sqlite"), _store_param("postgis")]


@pytest.fixture(scope="session", params=STORE_KINDS)
def demo_store(request, tmp_path_factory, demo_frames) -> Iterator[Store]:
    """A store of each kind holding the demo data; tests must not change it."""
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(demo_frames)
    yield store
    store.engine.dispose()


@pytest.fixture(scope="session", params=STORE_KINDS)
def handmade_store(request, tmp_path_factory) -> Iterator[Store]:
    """A store of each kind holding the tiny district of ``tests/handmade.py``;
    tests must not change it."""
    from tests.handmade import handmade_frames

    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(handmade_frames())
    yield store
    store.engine.dispose()


@pytest.fixture(params=STORE_KINDS)
def empty_store(request, tmp_path_factory) -> Iterator[Store]:
    """A fresh, migrated, empty store of each kind that a test may change."""
    store = _fresh_store(request.param, tmp_path_factory, request)
    yield store
    store.engine.dispose()


@pytest.fixture(params=STORE_KINDS)
def demo_copy(request, tmp_path_factory, demo_frames) -> Iterator[Store]:
    """A fresh store of each kind holding the demo, that a test may change (~0.5 s)."""
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(demo_frames)
    yield store
    store.engine.dispose()


def statements(store: Store) -> list[str]:
    """The SQL ``store`` sends from now on, one string per statement (a list that grows)."""
    seen: list[str] = []
    sa.event.listen(
        store.engine, "before_cursor_execute", lambda _c, _cur, sql, *_args: seen.append(sql)
    )
    return seen


@pytest.fixture(autouse=True)
def _fresh_layer_cache() -> None:
    _cache.clear()


ADMIN_PASSWORD = "web tests admin password"
PASSWORD = "web tests user password"
ROLES = ("viewer", "duty_officer", "planner", "admin")


@dataclass
class Site:
    app: dash.Dash
    store: Store
    settings: Settings

    def client(self, role: str | None = None):  # -> FlaskClient
        """A test client, signed in as the user of ``role`` (``None``: nobody)."""
        client = self.app.server.test_client()
        if role is not None:
            name = "admin" if role == "admin" else f"user-{role}"
            password = ADMIN_PASSWORD if role == "admin" else PASSWORD
            response = client.post("/login", data={"name": name, "password": password})
            assert response.status_code == 302, response.data
        return client


@pytest.fixture(scope="module", params=STORE_KINDS)
def site(request, tmp_path_factory, demo_frames) -> Iterator[Site]:
    """The app on a demo store, with one user of each role (``user-<role>``, ``admin``).

    Shared by a module: tests add what they need under names of their own.
    """
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(demo_frames)
    settings = Settings(
        database_url=store.url,
        admin_password=ADMIN_PASSWORD,
        instance_dir=tmp_path_factory.mktemp("instance"),
        seed_demo=False,
    )
    from dashboard.app import create_app  # the whole app: only tests that serve it import it

    app = create_app(settings, store)
    for role in ROLES[:-1]:
        add_user(store, system_principal("tests"), f"user-{role}", role, PASSWORD)
    yield Site(app, store, settings)
    store.engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgis" in item.name or "postgis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgis)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped PostGIS test is a failure: the real store must be tested."""
    if not REQUIRE_POSTGIS:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [
        r
        for r in (reporter.stats.get("skipped", []) if reporter else [])
        if "postgis" in r.keywords
    ]
    if skipped:
        reporter.write_line(
            f"FOURMAPS_REQUIRE_POSTGIS=1 but {len(skipped)} PostGIS tests were skipped: "
            f"{skipped[0].longrepr}",
            red=True,
        )
        session.exitstatus = 1
