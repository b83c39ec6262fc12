"""The naive baseline and the floor page of the benchmark, as one small Dash app.

    DATABASE_URL=... HOST=... PORT=... FOURMAPS_BENCH_MODE=naive python benchmarks/naive_app.py

``naive`` (the default mode): what a first version of the dashboard would
look like. It reads the four layers from the store into full GeoDataFrames
once, and one callback rebuilds each of the four maps with
``plotly.express.scatter_map`` from those frames on every filter change
(and on page load), the township outlines as one more trace of every map,
returning four whole figures. Dash's defaults otherwise (no compression).

``floor``: the same page whose four maps hold only the township outlines,
no points, sent in the layout (no callback round trip); picking a township
only moves the four maps onto it (a ``Patch`` of centre and zoom). No data path can
draw the page faster than this: it is loading Dash and plotly.js and
starting four MapLibre maps in software WebGL.

Both modes have the fast app's page structure, sizes and style (same
``assets/`` CSS, same MapLibre style), and the same component ids:
``map-risk``, ``map-materials``, ``map-forces``, ``map-command``,
``filter-townships`` (multi-select) and ``filter-level`` ("all" or "1"-"4"),
so one browser script measures all three pages. Filter semantics are the
fast app's: townships (command nodes above township level are always
kept), level L keeps depots, forces and nodes with ``mobilise_level >= L``;
risk points are not filtered by level.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repo's packages importable
    sys.path.insert(0, str(ROOT))

import dash  # noqa: E402
import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import plotly.express as px  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
from dash import Input, Output, Patch, dcc, html  # noqa: E402

from dashboard.mapstyle import map_style  # noqa: E402
from domain import COMMAND_LEVELS, DEPOT_LEVELS, FORCE_TYPES, RISK_GRADES  # noqa: E402
from store import Store  # noqa: E402

MODE = os.environ.get("FOURMAPS_BENCH_MODE", "naive")
KINDS = ("risk", "materials", "forces", "command")
TITLES = {
    "risk": "风险隐患图",
    "materials": "物资装备图",
    "forces": "防控力量分布图",
    "command": "指挥体系图",
}
# The fast app's map size on a 1920x1080 desk screen (dashboard.maps.Theme.fitted).
MAP_W, MAP_H = 750, 375
STYLE = map_style(background="#eef1f4")
KEY_FIGURES_PX = "59px"  # makes the maps as tall as the fast page's (checked by the benchmark)


def _colours(terms: tuple) -> dict[str, str]:
    return {term.key: term.colour for term in terms}


def view_for(bounds: tuple[float, float, float, float]) -> dict:
    """Centre and zoom that fit ``bounds`` in one map (as the fast app frames it)."""
    west, south, east, north = bounds
    y0, y1 = (math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in (south, north))
    zoom_x = math.log2(MAP_W * 360 / (512 * max(east - west, 1e-4)))
    zoom_y = math.log2(MAP_H * 2 * math.pi / (512 * max(y1 - y0, 1e-6)))
    lat = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    return {"center": {"lon": (west + east) / 2, "lat": lat}, "zoom": min(zoom_x, zoom_y) - 0.15}


def outline_trace(towns: gpd.GeoDataFrame, simplify: float | None = None) -> go.Scattermap:
    """Every township's boundary as one line trace (None between rings)."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    geoms = towns.geometry.simplify(simplify) if simplify else towns.geometry
    for geom in geoms:
        for polygon in getattr(geom, "geoms", [geom]):
            xs, ys = polygon.exterior.xy
            lons += [*xs, None]
            lats += [*ys, None]
    return go.Scattermap(
        lon=lons,
        lat=lats,
        mode="lines",
        line={"width": 1.5, "color": "#4a5b6c"},
        hoverinfo="skip",
        showlegend=False,
        name="乡镇边界",
    )


def _styled(fig: go.Figure, view: dict) -> go.Figure:
    fig.update_layout(
        map={"style": STYLE, **view},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.75)"},
        uirevision=str(view),
    )
    return fig


# --------------------------------------------------------------------------- data

store = Store(os.environ["DATABASE_URL"])
TOWNS = store.read("townships").sort_values("code").reset_index(drop=True)
BOUNDS = tuple(float(v) for v in TOWNS.total_bounds)


def _layer(table: str) -> gpd.GeoDataFrame:
    frame = store.read(table)
    frame["township_name"] = frame["township_code"].map(TOWNS.set_index("code")["name"])
    frame["township_name"] = frame["township_name"].fillna("")
    return frame


if MODE == "naive":
    RISK = _layer("risk_points")
    DEPOTS = _layer("depots")
    FORCES = _layer("forces")
    NODES = _layer("command_nodes")
    NODE_XY = pd.DataFrame(
        {"x": NODES.geometry.x.to_numpy(), "y": NODES.geometry.y.to_numpy()},
        index=NODES["code"].to_numpy(),
    )


def _points(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The rows as a plain frame with lon/lat columns, for plotly express."""
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    out["lon"] = frame.geometry.x.to_numpy()
    out["lat"] = frame.geometry.y.to_numpy()
    return out


def _scatter(frame: gpd.GeoDataFrame, colour: str, terms: tuple, hover: list[str]) -> go.Figure:
    return px.scatter_map(
        _points(frame),
        lon="lon",
        lat="lat",
        color=colour,
        color_discrete_map=_colours(terms),
        category_orders={colour: [term.key for term in terms]},
        hover_name="name",
        hover_data=hover,
    )


def naive_figures(townships: list[str] | None, level: str | None) -> list[go.Figure]:
    """The four maps rebuilt from the full frames, as a first version would."""
    towns = TOWNS[TOWNS["code"].isin(townships)] if townships else TOWNS
    lvl = int(level) if level not in (None, "", "all") else None

    def keep(frame: gpd.GeoDataFrame, *, by_level: bool = True, upper: bool = False):
        mask = pd.Series(True, index=frame.index)
        if townships:
            mask &= frame["township_code"].isin(townships)
            if upper:
                mask |= frame["township_code"].isna()
        if by_level and lvl is not None:
            mask &= frame["mobilise_level"] >= lvl
        return frame[mask]

    view = view_for(tuple(float(v) for v in towns.total_bounds))
    risk = _scatter(
        keep(RISK, by_level=False),
        "grade",
        RISK_GRADES,
        ["code", "kind", "township_name", "responsible_person", "responsible_phone"],
    )
    depots = _scatter(
        keep(DEPOTS), "level", DEPOT_LEVELS, ["code", "township_name", "keeper", "keeper_phone"]
    )
    forces = _scatter(
        keep(FORCES),
        "type",
        FORCE_TYPES,
        ["code", "township_name", "headcount", "vehicles", "boats", "leader", "leader_phone"],
    )
    nodes = keep(NODES, upper=True)
    command = _scatter(
        nodes, "level", COMMAND_LEVELS, ["code", "township_name", "duty_officer", "duty_phone"]
    )
    child = nodes[nodes["parent_code"].isin(NODE_XY.index)]
    parent = NODE_XY.loc[child["parent_code"].to_numpy()]
    link_lon: list[float | None] = []
    link_lat: list[float | None] = []
    for x0, y0, x1, y1 in zip(
        parent["x"], parent["y"], child.geometry.x, child.geometry.y, strict=True
    ):
        link_lon += [x0, x1, None]
        link_lat += [y0, y1, None]
    command.add_trace(
        go.Scattermap(
            lon=link_lon,
            lat=link_lat,
            mode="lines",
            line={"width": 1, "color": "#7a8a9a"},
            hoverinfo="skip",
            name="指挥关系",
        )
    )
    figures = [risk, depots, forces, command]
    for fig in figures:
        fig.add_trace(outline_trace(TOWNS))  # every township's outline, as the fast maps show
        _styled(fig, view)
    return figures


def floor_figure() -> go.Figure:
    """A map holding only the township outlines (simplified as the fast app sends them)."""
    return _styled(go.Figure([outline_trace(TOWNS, simplify=0.0003)]), view_for(BOUNDS))


# --------------------------------------------------------------------------- page

app = dash.Dash(
    __name__,
    assets_folder=str(ROOT / "assets"),
    title=f"four maps · {MODE}",
    update_title=None,
    serve_locally=True,
    compress=MODE == "floor",  # the floor is the fast page's floor: compressed like it
)
floor = floor_figure().to_plotly_json() if MODE == "floor" else None
app.layout = html.Div(
    [
        html.Header(html.H1(f"四张图 · {MODE}"), className="page-header"),
        html.Div(
            [
                html.Label(
                    [
                        "乡镇（街道）",
                        dcc.Dropdown(
                            id="filter-townships",
                            options=[
                                {"label": row.name, "value": row.code} for row in TOWNS.itertuples()
                            ],
                            value=[],
                            multi=True,
                            placeholder="全区",
                        ),
                    ],
                    className="filter filter-towns",
                ),
                html.Label(
                    [
                        "响应级别",
                        dcc.Dropdown(
                            id="filter-level",
                            options=[{"label": "全部", "value": "all"}]
                            + [{"label": f"{n}", "value": str(n)} for n in (4, 3, 2, 1)],
                            value="all",
                            clearable=False,
                            searchable=False,
                        ),
                    ],
                    className="filter filter-level",
                ),
            ],
            className="filters",
        ),
        # Where the fast page shows its key figures: the maps get the same size.
        html.Div(className="key-figures", style={"height": KEY_FIGURES_PX}),
        html.Div(
            [
                html.Div(
                    [
                        html.Div(
                            [
                                html.H2(TITLES[kind]),
                                dcc.Graph(
                                    id=f"map-{kind}",
                                    figure=floor if floor is not None else {},
                                    config={"displaylogo": False, "scrollZoom": True},
                                    className="map-graph",
                                ),
                            ],
                            className=f"map-card map-{kind}",
                        )
                        for kind in KINDS
                    ],
                    className="map-grid",
                ),
                html.Aside(html.P("点击地图上的点查看详细信息"), className="details"),
            ],
            className="main",
        ),
    ],
    className="overview",
)

if MODE == "naive":

    @app.callback(
        [Output(f"map-{kind}", "figure") for kind in KINDS],
        Input("filter-townships", "value"),
        Input("filter-level", "value"),
    )
    def update(townships: list[str] | None, level: str | None) -> list[go.Figure]:
        """Every filter change (and the page load): four whole new figures."""
        return naive_figures(townships or None, level)


if MODE == "floor":

    @app.callback(
        [Output(f"map-{kind}", "figure") for kind in KINDS],
        Input("filter-townships", "value"),
        prevent_initial_call=True,
    )
    def reframe(townships: list[str] | None) -> list[Patch]:
        """Picking townships only moves the maps onto them: the floor of a redraw."""
        towns = TOWNS[TOWNS["code"].isin(townships)] if townships else TOWNS
        view = view_for(tuple(float(v) for v in towns.total_bounds))
        patches = []
        for _ in KINDS:
            patch = Patch()
            patch["layout"]["map"]["center"] = view["center"]
            patch["layout"]["map"]["zoom"] = view["zoom"]
            patch["layout"]["uirevision"] = str(view)
            patches.append(patch)
        return patches


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")))
