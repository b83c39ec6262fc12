"""What every page load carries before any callback: the validation layout names the
components and leaves the store's data to the callbacks."""

from __future__ import annotations

import json
import re


def _dash_config(html: str) -> dict:
    config = r'<script id="_dash-config" type="application/json">(.*?)</script>'
    found = re.search(config, html, re.S)
    assert found, "no Dash config in the page"
    return json.loads(found.group(1))


def _props(node: object):
    """Every component's props in a serialised layout."""
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node["type"], node["props"]
        for value in node.values():
            yield from _props(value)
    elif isinstance(node, list):
        for value in node:
            yield from _props(value)


def test_the_page_names_every_component_but_carries_no_data(site):
    client = site.client("viewer")
    html = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    layout = _dash_config(html)["validation_layout"]
    components = list(_props(layout))
    ids = {str(props.get("id")) for _type, props in components}
    assert {"map-risk", "map-materials", "map-forces", "map-command"} <= ids  # the desk
    assert "filter" in ids
    graphs = [props for kind, props in components if kind == "Graph"]
    assert graphs and all("figure" not in props for props in graphs)
    assert all("rowData" not in props for _type, props in components)
    assert len(html) < 200_000  # the city set's sample page made it 10.4 MB
