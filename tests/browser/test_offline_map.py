"""The offline HTML map: opened from a file in headless Chromium with the network off,
10,000 markers clustered and drawn, township outlines, popups, zero outside requests.
Screenshots go to ``test-output/``."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from auth import Principal
from files.webmap import offline_map
from store import open_store
from tests.browser.conftest import ROOT
from tests.handmade import handmade_frames

OUTPUT = ROOT / "test-output"
VIEWER = Principal(name="viewer-1", role="viewer", kind="user")
N = 10_000


@pytest.fixture(scope="module")
def map_file(tmp_path_factory):
    """The risk map of the hand-made district holding 10,000 risk points."""
    frames = handmade_frames()
    rng = np.random.default_rng(14)
    x, y = rng.uniform(112.001, 112.199, N), rng.uniform(30.001, 30.099, N)
    risks = gpd.GeoDataFrame(
        {
            "code": [f"RM{n}" for n in range(N)],
            "name": [f"风险点{n}" for n in range(N)],
            "name_en": "",
            "category": "flood",
            "kind": "risk_source",
            "grade": rng.choice(["major", "larger", "general", "low"], N),
            "township_code": np.where(x < 112.1, "T1", "T2"),
        },
        geometry=shapely.points(x, y),
        crs="EPSG:4326",
    ).rename_geometry("geom")
    frames["risk_points"] = risks
    folder = tmp_path_factory.mktemp("offline")
    store = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    store.replace_all(frames)
    path = folder / "risk-map.html"
    path.write_text(offline_map(store, VIEWER, "risk_points"), encoding="utf-8")
    store.engine.dispose()
    return path


def test_offline_map_draws_10000_clustered_markers_with_no_network(new_page, map_file):
    page = new_page(1280, 900, offline=True)
    page.goto(map_file.as_uri())
    page.wait_for_selector(".marker-cluster", timeout=20_000)
    counts = page.eval_on_selector_all(
        ".marker-cluster span", "els => els.map(e => parseInt(e.textContent.replace(/,/g, '')))"
    )
    outlines = page.evaluate(
        "() => { const m = Object.values(window).find(v => v && v._container && v.setView);"
        " let n = 0; m.eachLayer(l => { if (l instanceof L.Polygon) n++; }); return n; }"
    )
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "offline-map.png"))
    assert sum(counts) + page.locator(".leaflet-marker-icon:not(.marker-cluster)").count() <= N
    assert sum(counts) > N / 2  # most in clusters at district zoom
    assert outlines >= 2  # the two townships
    # Into one cluster: markers drawn one by one, a popup with the essentials.
    page.evaluate(
        "() => { const m = Object.values(window).find(v => v && v._container"
        " && v.setView); m.setView([30.05, 112.05], 17); }"
    )
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUTPUT / "offline-map-zoomed.png"))
    drawn = page.evaluate(
        "() => { const m = Object.values(window).find(v => v && v._container && v.setView);"
        " let n = 0; m.eachLayer(l => { if (l instanceof L.CircleMarker) n++; }); return n; }"
    )
    assert drawn > 0
    outside = [u for u in page.request_urls if not u.startswith(("file:", "data:", "about:"))]
    assert outside == []
    assert page.console_errors == []
