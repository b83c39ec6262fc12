"""The app under Flask's test client, on a fresh demo store of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import dash
import pytest

from auth import system_principal
from auth.accounts import add_user
from config import Settings
from dashboard.app import create_app
from store import Store
from tests.conftest import STORE_KINDS, _fresh_store

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
    app = create_app(settings, store)
    for role in ROLES[:-1]:
        add_user(store, system_principal("tests"), f"user-{role}", role, PASSWORD)
    yield Site(app, store, settings)
    store.engine.dispose()


def filter_callback(grades: list[str]) -> dict:
    """A Dash callback request as the desk's grade checkboxes send it."""
    return {
        "output": "filter.data",
        "outputs": {"id": "filter", "property": "data"},
        "inputs": [
            {"id": "filter-townships", "property": "value", "value": []},
            {"id": "filter-level", "property": "value", "value": "all"},
            {"id": "filter-grades", "property": "value", "value": grades},
        ],
        "changedPropIds": ["filter-grades.value"],
        "state": [],
    }


def page_request(pathname: str, search: str = "") -> dict:
    """The Dash request that builds a page (what the browser sends on load)."""
    return {
        "output": "..page.children...lang.data..",
        "outputs": [{"id": "page", "property": "children"}, {"id": "lang", "property": "data"}],
        "inputs": [{"id": "viewport", "property": "data", "value": {"w": 1920, "h": 1080}}],
        "changedPropIds": ["viewport.data"],
        "state": [
            {"id": "url", "property": "pathname", "value": pathname},
            {"id": "url", "property": "search", "value": search},
        ],
    }


def component(tree: object, component_id: str) -> dict | None:
    """The first component with ``component_id`` in a Dash layout as JSON."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == component_id:
            return tree
        children = tree.get("props", {}).get("children")
        return component(children, component_id) if children is not None else None
    if isinstance(tree, list):
        for item in tree:
            found = component(item, component_id)
            if found is not None:
                return found
    return None
