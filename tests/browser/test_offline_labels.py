"""Map labels in Chinese and Latin, drawn from app-served fonts with no outside request.

A tiny Dash app (written here, served with the repo's real ``assets/``) shows
one Scattermap with text labels in ``dashboard.mapstyle.map_style()``, then
updates it once from a ``dcc.Interval`` tick. It runs on two clients: one with
the machine's fonts, one whose fontconfig holds no CJK font (as on a wall PC
without Chinese fonts), where only the app's fonts can draw hanzi.
Screenshots go to ``test-output/``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from dashboard.mapstyle import CJK_RANGES, FONT_FILES, LATIN_RANGES, map_style
from tests.browser.conftest import (
    ROOT,
    launch_chromium,
    outside_requests,
    wait_for_maps_drawn,
)

OUTPUT = ROOT / "test-output"

APP_SOURCE = '''
"""One map with Chinese and Latin labels; the Interval (started by the test) updates it once."""
import os

import dash
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from dashboard.mapstyle import map_style

app = dash.Dash(__name__, assets_folder=os.environ["TEST_ASSETS"], serve_locally=True,
                title="offline labels")
STYLE = map_style()


def figure(tick):
    lat = 30.36 + 0.02 * tick
    return go.Figure([
        go.Scattermap(lon=[112.14, 112.22, 112.30], lat=[lat, lat - 0.04, lat],
                      mode="markers+text", text=[f"郢城镇 {12 + tick}", "Ⅳ级", f"tick {tick} 25℃"],
                      textposition="top center", textfont={"size": 22, "color": "#203040"},
                      marker={"size": 16, "color": "#1f5fa8"}, name="regular"),
        go.Scattermap(lon=[112.22], lat=[lat + 0.05], mode="markers+text",
                      text=[f"Ⅰ级 重大 {tick}"], textposition="bottom center",
                      textfont={"size": 22, "color": "#c0392b", "weight": "bold"},
                      marker={"size": 16, "color": "#c0392b"}, name="bold"),
    ], layout={"template": "none", "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
               "map": {"style": STYLE, "center": {"lon": 112.22, "lat": 30.38}, "zoom": 10},
               "uirevision": "keep"})


app.layout = html.Div([
    html.H1("离线地图标注 Offline labels Ⅳ级"),
    dcc.Interval(id="tick", interval=300, max_intervals=1, disabled=True),
    dcc.Graph(id="map", figure=figure(0), style={"height": "800px"},
              config={"displayModeBar": False}),
])


@app.callback(Output("map", "figure"), Input("tick", "n_intervals"), prevent_initial_call=True)
def update(n):
    return figure(n)


if __name__ == "__main__":
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]))
'''

NO_CJK_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""

FONT_STATUS_JS = """() => Array.from(document.fonts).map(
  f => ({family: f.family, status: f.status}))"""
RENDERED_JS = """(id) => {
  const gd = document.querySelector(`#${id} .js-plotly-plot`);
  const map = gd._fullLayout.map._subplot.map;
  return map.queryRenderedFeatures().map(f => ({
    type: f.layer.type, text: f.properties.text || null, lat: f.geometry.coordinates[1]}));
}"""


# --------------------------------------------------------------------------- without a browser


def test_map_style_is_offline_and_constant() -> None:
    style = map_style()
    assert style == map_style() and list(style) == list(map_style())
    assert style["version"] == 8 and style["sources"] and "glyphs" not in style
    assert [layer["type"] for layer in style["layers"]] == ["background"]
    assert {"Open Sans Regular", "Open Sans Bold", "Noto Sans SC Local"} <= set(style["font-faces"])
    for faces in style["font-faces"].values():
        assert [f["url"] for f in faces] == ["/assets/fonts/latin.woff2", "/assets/fonts/cjk.woff2"]

    tiled = map_style(
        "http://tiles.local/{z}/{x}/{y}.png",
        "© 本地",
        background="#101820",
        asset_url=lambda path: f"/wall/assets/{path}",
    )
    assert tiled["sources"]["basemap"]["attribution"] == "© 本地"
    assert [layer["type"] for layer in tiled["layers"]] == ["background", "raster"]
    assert tiled["layers"][0]["paint"]["background-color"] == "#101820"
    assert tiled["font-faces"]["Open Sans Regular"][1]["url"] == "/wall/assets/fonts/cjk.woff2"


def test_font_files_hold_their_ranges() -> None:
    ttlib = pytest.importorskip("fontTools.ttLib")
    spec = importlib.util.spec_from_file_location("build_fonts", ROOT / "scripts/build_fonts.py")
    build_fonts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_fonts)
    assert build_fonts.check() == []
    sizes = {path: (ROOT / "assets" / path).stat().st_size for path in FONT_FILES}
    assert sizes["fonts/latin.woff2"] < 100_000 and sizes["fonts/cjk.woff2"] < 3_000_000
    cjk = set(ttlib.TTFont(ROOT / "assets/fonts/cjk.woff2")["cmap"].getBestCmap())
    assert {ord(c) for c in "郢城镇级重大应急指挥"} <= cjk
    assert not build_fonts.parse_ranges(LATIN_RANGES) & build_fonts.parse_ranges(CJK_RANGES)
    assert "Noto Sans SC Local" in (ROOT / "assets/fonts.css").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def no_cjk_browser(
    playwright_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """Chromium whose fontconfig knows no CJK font."""
    folder = tmp_path_factory.mktemp("fontconfig")
    conf = folder / "fonts.conf"
    conf.write_text(NO_CJK_FONTCONFIG.format(cache=folder / "cache"), encoding="utf-8")
    browser = launch_chromium(playwright_session, env={"FONTCONFIG_FILE": str(conf)})
    yield browser
    browser.close()


@pytest.fixture(params=["system-fonts", "no-cjk-fonts"])
def client(request: pytest.FixtureRequest, new_page: Any) -> Any:
    """A recorded 1920x1080 page on a client with, or without, CJK fonts."""
    if request.param == "system-fonts":
        return new_page()
    return new_page(in_browser=request.getfixturevalue("no_cjk_browser"))


def _rendered(page: Any) -> list[dict]:
    return page.evaluate(RENDERED_JS, "map")


def test_labels_render_offline_and_update(
    client: Any, live_server: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    page = client
    script = tmp_path / "app_labels.py"
    script.write_text(APP_SOURCE, encoding="utf-8")
    base_url = live_server({"TEST_ASSETS": str(ROOT / "assets")}, script=script)

    page.goto(base_url + "/")
    wait_for_maps_drawn(page, ["map"], timeout=60)
    before = _rendered(page)
    pixels_before = page.locator("#map").screenshot()

    # One update from a dcc.Interval tick, after the first draw: must not freeze the map.
    page.evaluate("() => window.dash_clientside.set_props('tick', {disabled: false})")
    page.wait_for_function(
        "() => document.querySelector('#map .js-plotly-plot').data[0].text[0] === '郢城镇 13'",
        timeout=30_000,
    )
    wait_for_maps_drawn(page, ["map"], timeout=60)
    after = _rendered(page)
    pixels_after = page.locator("#map").screenshot()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT / f"offline_labels_{request.node.callspec.id}.png")

    labels_before = {f["text"] for f in before if f["type"] == "symbol"}
    labels_after = {f["text"] for f in after if f["type"] == "symbol"}
    assert labels_before == {"郢城镇 12", "Ⅳ级", "tick 0 25℃", "Ⅰ级 重大 0"}
    assert labels_after == {"郢城镇 13", "Ⅳ级", "tick 1 25℃", "Ⅰ级 重大 1"}
    lats = sorted(round(f["lat"], 2) for f in after if f["type"] == "circle")
    assert lats == [30.34, 30.38, 30.38, 30.43]  # every marker moved north by 0.02
    # and the canvas shows it: the map was painted again, not frozen on its first frame
    assert pixels_after != pixels_before
    assert "Map error" not in page.inner_text("body")

    # The labels were drawn with the app's font files, and the page text too.
    faces = page.evaluate(FONT_STATUS_JS)
    maplibre_faces = [f for f in faces if f["family"].startswith("maplibre-gl-font-face")]
    assert len(maplibre_faces) >= 2 and all(f["status"] == "loaded" for f in maplibre_faces)

    # (document.fonts.check() is true for a family the page never declared: ask the faces.)
    def statuses(family: str) -> list[str]:
        return [f["status"] for f in faces if f["family"].strip("\"'") == family]

    # Latin in "Noto Sans SC Local" (the app adds the store's own characters to it), GB2312
    # in "Noto Sans SC GB2312": both files used here, since this page has no subset.
    assert statuses("Noto Sans SC Local") == ["loaded"], faces
    assert statuses("Noto Sans SC GB2312") == ["loaded"], faces

    assert page.console_errors == []
    assert outside_requests(page, base_url) == []
    assert page.failed_requests == []
    paths = {urlsplit(url).path for url in page.request_urls}
    assert {"/assets/fonts/latin.woff2", "/assets/fonts/cjk.woff2"} <= paths
