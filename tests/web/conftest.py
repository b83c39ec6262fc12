"""Helpers for tests that talk to the app as a browser does (the ``site`` fixture is in
tests/conftest.py, shared with the API's tests)."""

from __future__ import annotations

from tests.conftest import ADMIN_PASSWORD, PASSWORD, ROLES, Site  # noqa: F401


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
