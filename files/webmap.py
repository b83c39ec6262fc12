"""One of the four maps, filtered as on screen, as one HTML file that works with no internet.

For field teams' phones and for reports. Made with folium, whose maps load
Leaflet, jQuery, Bootstrap and the cluster plugin from CDNs: here those are
dropped and the Leaflet and Leaflet.markercluster files the project ships
(``files/vendor``, with their licences) are inlined, so the file fetches
nothing. No tiles (they would need the internet): township outlines, points
coloured as on the four maps, clusters (FastMarkerCluster: 10,000 markers
stay usable) and a popup with the essentials. Circle markers, not icons:
icon images are not inlined.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from auth import Principal
from domain import COMMAND_LEVELS, DEPOT_LEVELS, FORCE_TYPES, RISK_GRADES, Term
from files.exports import layer_records
from store import Store

VENDOR = Path(__file__).with_name("vendor")
_SCRIPTS = ("leaflet.js", "leaflet.markercluster.js")
_STYLES = ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css")
# What each map colours its points by, as on the four maps.
COLOURED_BY: dict[str, tuple[str, tuple[Term, ...]]] = {
    "risk_points": ("grade", RISK_GRADES),
    "depots": ("level", DEPOT_LEVELS),
    "forces": ("type", FORCE_TYPES),
    "command_nodes": ("level", COMMAND_LEVELS),
}
_TITLES = {
    "risk_points": ("风险隐患图", "Risk and hidden-danger map"),
    "depots": ("物资装备图", "Material and equipment map"),
    "forces": ("防控力量分布图", "Prevention and control force map"),
    "command_nodes": ("指挥体系图", "Command system map"),
    "townships": ("乡镇", "Townships"),
}

# Each point: [lat, lon, colour, popup HTML]; the popup is built server-side and escaped.
_CALLBACK = """
function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 6, color: "#333", weight: 1, fillColor: row[2], fillOpacity: 0.9
    });
    marker.bindPopup(row[3]);
    return marker;
}
"""

# Clusters in grey: the plugin's green, yellow and orange would read as risk grades.
_CLUSTER_CSS = """
.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large {
    background-color: rgba(90, 90, 90, 0.25); }
.marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
    background-color: rgba(60, 60, 60, 0.8); color: #fff; }
"""


def _vendor(name: str) -> str:
    return (VENDOR / name).read_text(encoding="utf-8")


def offline_map(
    store: Store,
    actor: Principal | None,
    layer: str,
    *,
    townships: Sequence[str] | None = None,
    level: int | str | None = None,
    lang: str = "zh",
) -> str:
    """The HTML of ``layer``'s map (its points, the township outlines), self-contained."""
    import folium
    from branca.element import Element
    from folium.plugins import FastMarkerCluster

    points = layer_records(store, actor, layer, townships=townships, level=level)
    towns = layer_records(store, actor, "townships", townships=townships)
    zh = lang != "en"
    title = _TITLES[layer][0 if zh else 1]
    fmap = folium.Map(
        tiles=None, prefer_canvas=True, control_scale=True, attribution_control=False,
    )  # fmt: skip
    fmap.options.update(maxZoom=18, minZoom=5)  # with no tiles, the clusters need these
    fmap.default_js, fmap.default_css = [], []  # from the CDNs: replaced by our own, inlined
    root = fmap.get_root()
    root.title = title
    head = "".join(f"<style>{_vendor(n)}</style>" for n in _STYLES)
    head += f"<style>{_CLUSTER_CSS}</style>"
    head += "".join(f"<script>{_vendor(n)}</script>" for n in _SCRIPTS)
    root.header.add_child(Element(head), name="vendor", index=0)
    if not towns.empty:
        folium.GeoJson(
            json.loads(towns[["code", "name", "geom"]].to_json()),
            name="townships",
            style_function=lambda _f: {"color": "#555", "weight": 1.5, "fillOpacity": 0.03},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(fmap)
        west, south, east, north = towns.total_bounds
        fmap.fit_bounds([[south, west], [north, east]])
    if layer in COLOURED_BY and not points.empty:
        cluster = FastMarkerCluster(_rows(layer, points, zh), callback=_CALLBACK, name=title)
        cluster.default_js, cluster.default_css = [], []
        cluster.add_to(fmap)
        if towns.empty:
            west, south, east, north = points.total_bounds
            fmap.fit_bounds([[south, west], [north, east]])
    fmap.get_root().html.add_child(Element(_legend(layer, zh, len(points))))
    return fmap.get_root().render()


def _rows(layer: str, frame: gpd.GeoDataFrame, zh: bool) -> list[list]:
    column, vocab = COLOURED_BY[layer]
    colours = {t.key: t.colour for t in vocab}
    labels = {t.key: t.zh if zh else t.en for t in vocab}
    names = (
        frame["name"]
        if zh or "name_en" not in frame
        else frame["name_en"].where(frame["name_en"].astype(bool), frame["name"])
    )
    rows = []
    for x, y, code, name, key, town in zip(
        frame.geometry.x, frame.geometry.y, frame["code"], names, frame[column],
        frame["township_code"], strict=True,
    ):  # fmt: skip
        popup = (
            f"<b>{html.escape(str(name))}</b><br>{html.escape(str(code))} · "
            f"{html.escape(labels.get(key, str(key)))}"
            + (f"<br>{html.escape(str(town))}" if isinstance(town, str) and town else "")
        )
        rows.append([round(float(y), 6), round(float(x), 6), colours.get(key, "#888"), popup])
    return rows


def _legend(layer: str, zh: bool, n: int) -> str:
    title = html.escape(_TITLES[layer][0 if zh else 1])
    items = ""
    if layer in COLOURED_BY:
        for term in COLOURED_BY[layer][1]:
            label = html.escape(term.zh if zh else term.en)
            items += (
                f'<div><span style="display:inline-block;width:10px;height:10px;'
                f'border-radius:5px;background:{term.colour};margin-right:4px"></span>{label}</div>'
            )
    count = f"{n:,} 个" if zh else f"{n:,} shown"
    return (
        '<div id="legend" style="position:fixed;top:10px;right:10px;z-index:1000;'
        'background:#fff;padding:6px 8px;font:12px sans-serif;border:1px solid #999">'
        f"<b>{title}</b> · {count}{items}</div>"
    )
