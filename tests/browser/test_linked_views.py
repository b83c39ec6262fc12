"""Linked views (FOURMAPS_LINKED_VIEWS=1): pan or zoom one map and the others follow."""

from __future__ import annotations

from tests.browser.conftest import sign_in, wait_for_maps_drawn

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
VIEW_JS = """(id) => {
  const map = document.getElementById(id).querySelector('.js-plotly-plot')._fullLayout.map;
  return {lon: map.center.lon, lat: map.center.lat, zoom: map.zoom};
}"""


def wall_after_moving_the_risk_map(new_page, live_server, tmp_path, linked: str):
    """The wall, and the command map's view before the risk map was moved."""
    url = live_server(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fourmaps.sqlite'}",
            "FOURMAPS_LINKED_VIEWS": linked,
        }
    )
    page = new_page(1920, 1080)
    sign_in(page, url)
    page.goto(url + "/wall")
    wait_for_maps_drawn(page, MAPS)
    before = page.evaluate(VIEW_JS, "map-command")
    page.evaluate("""() => Plotly.relayout(
        document.getElementById('map-risk').querySelector('.js-plotly-plot'),
        {'map.center': {lon: 112.2, lat: 30.35}, 'map.zoom': 11.5})""")
    return page, before


def test_moving_one_map_moves_the_others(new_page, live_server, tmp_path):
    page, before = wall_after_moving_the_risk_map(new_page, live_server, tmp_path, "1")
    page.wait_for_function(f"({VIEW_JS})('map-command').zoom > 11.4", timeout=10_000)
    for graph_id in MAPS[1:]:
        view = page.evaluate(VIEW_JS, graph_id)
        assert abs(view["lon"] - 112.2) < 1e-6 and abs(view["lat"] - 30.35) < 1e-6
        assert abs(view["zoom"] - 11.5) < 1e-6
    assert before["zoom"] < 11
    assert page.console_errors == []


def test_without_the_setting_maps_move_alone(new_page, live_server, tmp_path):
    page, before = wall_after_moving_the_risk_map(new_page, live_server, tmp_path, "0")
    page.wait_for_timeout(1500)
    assert page.evaluate(VIEW_JS, "map-command") == before
