"""The printable dispatch sheet of an incident: what was sent, from where, who answers.

Plain HTML with print styles (A4), a map drawn as inline SVG on the server
(township outlines, hazard areas, the incident, what was sent and a line from
each), the orders with their times and the command chain. Nothing is loaded
from anywhere; it prints the same on a command centre's offline PC.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import flask
import shapely
from markupsafe import Markup, escape

from auth import Forbidden, Unauthenticated
from config import Settings
from dashboard.i18n import t, term_label
from dispatch.orders import incident, orders, recommendation
from domain import COMMAND_LEVELS, INCIDENT_TYPES, MATERIAL_CATALOGUE, ORDER_STATUSES, term
from editing.records import NotFound
from layers.incidents import hazard_areas, roads
from layers.snapshot import snapshot
from store import Store
from web.security import current_principal

W, H = 640, 420

PAGE = """<!doctype html><html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}"><head>
<meta charset="utf-8"><title>{{ title }}</title><style>
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; margin: 24px; color: #111; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 16px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; vertical-align: top; }
.meta { font-size: 12px; color: #333; } svg { border: 1px solid #999; width: 100%; height: auto; }
@page { size: A4; margin: 12mm; } @media print { body { margin: 0; } .noprint { display: none; } }
</style></head><body>
<p class="noprint"><button onclick="window.print()">{{ print_label }}</button></p>
<h1>{{ title }}</h1>
<p class="meta">{{ meta }}</p>
{{ svg }}
<h2>{{ t('dispatch_log') }}</h2>
<table><tr><th>#</th><th>{{ t('what') }}</th><th>{{ t('minutes_h') }}</th>
<th>{{ t('field_status') }}</th><th>{{ t('times') }}</th></tr>
{% for o in orders %}<tr><td>{{ o.id }}</td><td>{{ o.what }}</td><td>{{ o.travel }}</td>
<td>{{ o.status }}</td><td>{{ o.times }}</td></tr>{% endfor %}</table>
<h2>{{ t('chain_here') }}</h2>
<table><tr><th>{{ t('field_level') }}</th><th>{{ t('field_name') }}</th>
<th>{{ t('field_duty_officer') }}</th><th>{{ t('field_phone') }}</th></tr>
{% for n in chain %}<tr><td>{{ n.level }}</td><td>{{ n.name }}</td><td>{{ n.officer }}</td>
<td>{{ n.phone }}</td></tr>{% endfor %}</table>
</body></html>"""


def blueprint(store: Store, settings: Settings) -> flask.Blueprint:
    bp = flask.Blueprint("sheet", __name__)

    @bp.route("/incidents/<code>/sheet")
    def sheet(code: str) -> flask.Response:
        lang = "en" if flask.request.args.get("lang") == "en" else "zh"
        principal = current_principal()
        try:
            record = incident(store, principal, code)
        except (NotFound, Forbidden, Unauthenticated) as exc:
            return flask.Response(str(escape(str(exc))), status=404, mimetype="text/plain")
        log = orders(store, principal, code)
        chain = recommendation(store, principal, code).chain
        snap = snapshot(store)
        html = flask.render_template_string(
            PAGE,
            lang=lang,
            t=lambda key: _t(key, lang),
            title=f"{_t('sheet_title', lang)} · "
            f"{term_label(term(INCIDENT_TYPES, record['type']), lang)} · {record['code']}",
            print_label=_t("print_sheet", lang),
            meta=_meta(record, settings, lang),
            svg=Markup(
                _svg(
                    snap,
                    hazard_areas(store, snap.revisions),
                    roads(store, snap.revisions),
                    record,
                    log,
                )
            ),
            orders=[_order_row(o, snap, settings, lang) for o in log],
            chain=[
                {
                    "level": term_label(term(COMMAND_LEVELS, n["level"]), lang),
                    "name": n["name"],
                    "officer": n["duty_officer"],
                    "phone": n["phone"],
                }
                for n in chain
            ],
        )
        return flask.Response(html, mimetype="text/html")

    return bp


_EXTRA = {
    "sheet_title": ("调度单", "Dispatch sheet"),
    "what": ("调度内容", "What"),
    "minutes_h": ("预计到达", "Travel"),
    "times": ("时间", "Times"),
}


def _t(key: str, lang: str) -> str:
    if key in _EXTRA:
        zh, en = _EXTRA[key]
        return en if lang == "en" else zh
    return t(key, lang)


def _local(iso: str, settings: Settings) -> str:
    return (
        datetime.fromisoformat(iso).astimezone(ZoneInfo(settings.timezone)).strftime("%m-%d %H:%M")
    )


def _meta(record: dict, settings: Settings, lang: str) -> str:
    reported = _local(record["reported_at"].isoformat(), settings)
    needs = json.loads(record["needs"] or "{}")
    items = {i.code: i for i in MATERIAL_CATALOGUE}
    wanted = "、".join(
        f"{(items[k].en if lang == 'en' else items[k].zh) if k in items else k} {v:g}"
        for k, v in (needs.get("items") or {}).items()
    )
    return (
        f"{record['geom'].x:.5f}, {record['geom'].y:.5f} · {reported} · {record['reporter']} · "
        f"{record['description']} · {wanted}"
    )


def _order_row(order: dict, snap: object, settings: Settings, lang: str) -> dict:
    items = {i.code: i for i in MATERIAL_CATALOGUE}
    names = {}
    for frame in (snap.materials, snap.forces):  # type: ignore[attr-defined]
        names.update(zip(frame["code"], frame["name"], strict=True))
    if order["kind"] == "material":
        item = items.get(order["item_code"])
        name = (item.en if lang == "en" else item.zh) if item else order["item_code"]
        unit = (item.unit_en if lang == "en" else item.unit_zh) if item else ""
        depot = names.get(order["depot_code"], order["depot_code"])
        what = f"{depot} ({order['depot_code']}) → {name} {order['quantity']:g}{unit}"
    else:
        force = names.get(order["force_code"], order["force_code"])
        what = f"{force} ({order['force_code']}) · {order['headcount'] or 0}"
    travel = "—" if order["travel_s"] < 0 else f"{max(1, round(order['travel_s'] / 60))} min"
    times = ", ".join(
        f"{term_label(term(ORDER_STATUSES, k), lang)} {_local(v, settings)}"
        for k, v in order["times"].items()
    )
    status = term_label(term(ORDER_STATUSES, order["status"]), lang)
    return {"id": order["id"], "what": what, "travel": travel, "status": status, "times": times}


def _svg(snap: object, areas: object, network: object, record: dict, log: list[dict]) -> str:
    """Outlines, hazard areas, the incident and lines from what was sent, as SVG."""
    point = record["geom"]
    places = {}
    for frame in (snap.materials, snap.forces):  # type: ignore[attr-defined]
        places.update(zip(frame["code"], frame.geometry, strict=True))
    sent = [
        places[o["depot_code"] or o["force_code"]]
        for o in log
        if (o["depot_code"] or o["force_code"]) in places
    ]
    towns = snap.towns  # type: ignore[attr-defined]
    west, south, east, north = shapely.MultiPoint([point, *sent]).bounds
    pad = max(0.01, 0.15 * max(east - west, north - south))
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    box = shapely.box(west, south, east, north)
    kx = W / (east - west)
    ky = kx / math.cos(math.radians((south + north) / 2))
    if (north - south) * ky > H:
        ky = H / (north - south)
        kx = ky * math.cos(math.radians((south + north) / 2))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * kx, 1), round((north - lat) * ky, 1)

    def path(geom: shapely.Geometry) -> str:
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            ring = poly.exterior.coords if hasattr(poly, "exterior") else poly.coords
            parts.append("M" + " L".join("{},{}".format(*xy(x, y)) for x, y in ring) + " Z")
        return " ".join(parts)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}">']
    for geom in towns.geometry.intersection(box):
        if not geom.is_empty:
            out.append(f'<path d="{path(geom)}" fill="#f4f6f8" stroke="#667" stroke-width="1"/>')
    near = network[network.geometry.intersects(box)] if len(network) else network  # type: ignore[attr-defined]
    for line in near.geometry:
        coords = " ".join("{},{}".format(*xy(x, y)) for x, y in line.coords)
        out.append(f'<polyline points="{coords}" fill="none" stroke="#b8c0c8" stroke-width="1"/>')
    for geom in areas.geometry:  # type: ignore[attr-defined]
        out.append(f'<path d="{path(geom)}" fill="#1f77b4" fill-opacity="0.35" stroke="#1f77b4"/>')
    ix, iy = xy(point.x, point.y)
    for place in sent:
        px, py = xy(place.x, place.y)
        out.append(
            f'<line x1="{px}" y1="{py}" x2="{ix}" y2="{iy}" stroke="#f08c00" stroke-width="2"/>'
        )
        out.append(f'<circle cx="{px}" cy="{py}" r="5" fill="#1f5fa8"/>')
    out.append(f'<circle cx="{ix}" cy="{iy}" r="8" fill="#e02020" stroke="#fff" stroke-width="2"/>')
    out.append("</svg>")
    return "".join(out)
