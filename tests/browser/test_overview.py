"""The desk screen as a person sees it: four maps drawn, filters that change them,
a click that shows a record, no console error and no request leaving the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store
from tests.browser.conftest import (
    ROOT,
    outside_requests,
    run_server,
    sign_in,
    wait_for_maps_drawn,
)

MAPS = ["map-risk", "map-materials", "map-forces", "map-command"]
SHOTS = ROOT / "test-output" / "overview"

# Every point drawn on a map: customdata of the category traces.
POINTS_JS = """(id) => {
  const gd = document.getElementById(id).querySelector('.js-plotly-plot');
  return gd.data.filter((trace) => String(trace.meta || '').startsWith('cat:'))
    .flatMap((trace) => trace.customdata || [])
    .filter((code) => typeof code === 'string' && !code.startsWith('township:'));
}"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("overview") / "fourmaps.sqlite"


@pytest.fixture(scope="module")
def server(db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "FOURMAPS_POLL_SECONDS": "30"}
    with run_server(env, log_dir=tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture(scope="module")
def store(server: str, db_path: Path) -> Store:
    return Store(f"sqlite:///{db_path}")  # the demo the app seeded on its first start


def points(page, graph_id: str) -> list[str]:
    return page.evaluate(POINTS_JS, graph_id)


def key_figure(page, key: str) -> str:
    return page.inner_text(f"[data-key={key}] .kf-value")


def test_four_maps_draw_the_demo_and_filters_change_them(page, server, store):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, server)
    page.goto(server + "/")
    wait_for_maps_drawn(page, MAPS)
    page.screenshot(path=str(SHOTS / "1-district.png"))

    risks = store.read("risk_points")
    forces = store.read("forces")
    level = store.current_activation()["level"]
    assert sorted(points(page, "map-risk")) == sorted(risks["code"])
    assert sorted(points(page, "map-forces")) == sorted(
        forces.loc[forces["mobilise_level"] >= level, "code"]
    )
    for graph_id in MAPS:
        assert page.locator(f"#{graph_id} canvas.maplibregl-canvas").count() == 1
    assert key_figure(page, "grade-major") == str((risks["grade"] == "major").sum())

    # One township: every map holds exactly that township's points.
    town = store.read("townships").iloc[4]
    page.click("#filter-townships")
    page.keyboard.type(town["name"])
    page.get_by_role("option", name=town["name"], exact=True).click()
    page.keyboard.press("Escape")
    expected = sorted(risks.loc[risks["township_code"] == town["code"], "code"])
    page.wait_for_function(f"({POINTS_JS})('map-risk').length === {len(expected)}", timeout=20_000)
    wait_for_maps_drawn(page, MAPS)
    page.screenshot(path=str(SHOTS / "2-one-township.png"))
    assert sorted(points(page, "map-risk")) == expected
    in_town = forces[
        (forces["township_code"] == town["code"]) & (forces["mobilise_level"] >= level)
    ]
    assert sorted(points(page, "map-forces")) == sorted(in_town["code"])
    town_risks = risks[risks["township_code"] == town["code"]]
    assert key_figure(page, "grade-major") == str((town_risks["grade"] == "major").sum())

    # Response level I mobilises every force of the township.
    page.click("#filter-level")
    page.get_by_role("option", name="Ⅰ级", exact=True).click()
    every = sorted(forces.loc[forces["township_code"] == town["code"], "code"])
    page.wait_for_function(f"({POINTS_JS})('map-forces').length === {len(every)}", timeout=20_000)
    assert sorted(points(page, "map-forces")) == every
    assert (
        key_figure(page, "people")
        == f"{forces.loc[forces['code'].isin(every), 'headcount'].sum():,}"
    )

    assert page.console_errors == []
    assert outside_requests(page, server) == []


def test_clicking_a_point_shows_its_full_record(page, server, store):
    sign_in(page, server)
    page.goto(server + "/")
    wait_for_maps_drawn(page, MAPS)
    # Where MapLibre drew the first major risk point, in page pixels.
    xy = page.evaluate("""() => {
      const gd = document.getElementById('map-risk').querySelector('.js-plotly-plot');
      const map = gd._fullLayout.map._subplot.map;
      const major = gd.data.findIndex((t) => t.meta === 'cat:major');
      const trace = gd.data[major];
      const lon = gd._fullData[major].lon[0], lat = gd._fullData[major].lat[0];
      const p = map.project([lon, lat]);
      const box = map.getCanvas().getBoundingClientRect();
      return {x: box.left + p.x, y: box.top + p.y, code: trace.customdata[0]};
    }""")
    page.mouse.move(xy["x"], xy["y"])
    page.mouse.click(xy["x"], xy["y"])
    record = store.read("risk_points").set_index("code").loc[xy["code"]]
    page.wait_for_selector(f"#details h3:has-text('{record['name']}')", timeout=10_000)
    details = page.inner_text("#details")
    assert record["responsible_person"] in details
    assert record["responsible_phone"] in details
    assert "重大风险" in details
    page.screenshot(path=str(SHOTS / "3-details.png"))
    assert page.console_errors == []


def test_english_interface(page, server):
    sign_in(page, server)
    page.goto(server + "/?lang=en")
    wait_for_maps_drawn(page, MAPS)
    text = page.inner_text("body")
    for words in (
        "Risks and hidden dangers",
        "Materials and equipment",
        "Prevention and rescue forces",
        "Command system",
        "Rectification rate",
    ):
        assert words in text
    assert "风险隐患图" not in text
    page.screenshot(path=str(SHOTS / "4-english.png"))
