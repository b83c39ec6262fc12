"""Column headers, as departments write them, to the fields of a layer.

A header is matched after folding case, spaces and full-width brackets:
``编号``/``code``, ``名称``/``name``, ``经度``/``lon``... per layer, and a
depot's stock as one wide column per catalogue item, ``编织袋(条)``,
``woven_bag`` or ``Woven bags``. Exports write :data:`EXPORT_HEADERS`, so an
exported file is read back by the same table. A column that matches nothing
is reported to the planner, never dropped without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain import MATERIAL_CATALOGUE
from editing.fields import FIELDS

LON, LAT = "_lon", "_lat"  # coordinates in two columns, before they become ``geom``
WKT = "_wkt"  # a polygon as WKT text (townships in CSV and xlsx)
STOCK = "stock."  # a stock column: STOCK + item code

# A Shapefile's .dbf holds names of at most 10 characters: what exports write instead.
SHORT: dict[str, str] = {
    "responsible_person": "resp_name",
    "responsible_phone": "resp_phone",
    "supervising_leader": "supervisor",
    "people_threatened": "people",
    "households_threatened": "households",
    "rectification_status": "rect_state",
    "rectification_deadline": "rect_due",
    "last_inspection": "inspected",
    "township_code": "township",
    "mobilise_level": "mobilise",
    "jurisdiction_code": "juris",
    "keeper_phone": "keep_phone",
    "leader_phone": "lead_phone",
    "duty_officer": "duty_offic",
    "parent_code": "parent",
    STOCK + "life_jacket": "lifejacket",
    STOCK + "assault_boat": "assaultbt",
    STOCK + "rubber_boat": "rubberboat",
}

# Chinese first: what exports write (and what a Chinese office most often types).
_COMMON: dict[str, tuple[str, ...]] = {
    "code": ("编号", "代码", "code", "id编号"),
    "name": ("名称", "name"),
    "name_en": ("英文名称", "name_en", "english name", "name (english)"),
    "township_code": ("所属乡镇", "乡镇编号", "乡镇", "乡镇(街道)", "township", "township_code"),
    "mobilise_level": ("启动响应级别", "响应级别", "mobilise_level", "mobilised from"),
    LON: ("经度", "东经", "lon", "lng", "long", "longitude", "x"),
    LAT: ("纬度", "北纬", "lat", "latitude", "y"),
    WKT: ("几何(wkt)", "wkt", "geometry", "几何"),
}
_BY_LAYER: dict[str, dict[str, tuple[str, ...]]] = {
    "townships": {
        "jurisdiction_code": ("所属辖区", "辖区编号", "jurisdiction", "jurisdiction_code")
    },
    "risk_points": {
        "category": ("类别", "风险类别", "隐患类别", "category"),
        "kind": ("类型", "风险类型", "kind"),
        "grade": ("风险等级", "等级", "隐患等级", "grade"),
        "responsible_person": ("责任人", "responsible", "responsible_person", "responsibl"),
        "responsible_phone": ("责任人电话", "联系电话", "电话", "responsible_phone", "responsi_1"),
        "supervising_leader": ("包保领导", "督办领导", "supervising_leader", "supervisin"),
        "people_threatened": ("威胁人数", "受威胁人数", "people_threatened", "people_thr"),
        "households_threatened": ("威胁户数", "受威胁户数", "households_threatened", "households"),
        "rectification_status": ("整改状态", "rectification", "rectification_status", "rectificat"),
        "rectification_deadline": ("整改期限", "整改时限", "rectification_deadline", "rectific_1"),
        "last_inspection": ("最近巡查", "巡查日期", "last_inspection", "last_inspe"),
    },
    "depots": {
        "level": ("级别", "储备点级别", "level"),
        "keeper": ("保管员", "管理员", "负责人", "keeper"),
        "keeper_phone": ("保管员电话", "联系电话", "电话", "keeper_phone", "keeper_pho"),
    },
    "forces": {
        "type": ("队伍类型", "类型", "type"),
        "headcount": ("人数", "headcount"),
        "vehicles": ("车辆", "车辆数", "vehicles"),
        "boats": ("舟艇(艘)", "舟艇", "船艇", "boats"),
        "leader": ("负责人", "队长", "leader"),
        "leader_phone": ("负责人电话", "联系电话", "电话", "leader_phone", "leader_pho"),
        "status": ("状态", "status"),
    },
    "command_nodes": {
        "level": ("级别", "节点级别", "level"),
        "parent_code": ("上级编号", "上级", "parent", "parent_code", "reports to"),
        "duty_officer": ("值班人员", "值班员", "duty_officer", "duty officer", "duty_offic"),
        "duty_phone": ("值班电话", "联系电话", "电话", "duty_phone"),
        "channels": ("联络方式", "通信方式", "channels"),
        "status": ("状态", "status"),
    },
}
LAYERS = tuple(_BY_LAYER)


def fold(header: str) -> str:
    """A header as compared: lower case, no spaces, ASCII brackets."""
    text = str(header).strip().lower().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text)


def _aliases(layer: str) -> dict[str, str]:
    """Folded header -> field, for ``layer``."""
    names = {f.name for f in FIELDS[layer]}
    table: dict[str, str] = {}
    for target, words in {**_COMMON, **_BY_LAYER[layer]}.items():
        if target in names or target in (LON, LAT, WKT):
            for word in words:
                table.setdefault(fold(word), target)
    for name in names - {"geom", "stock"}:
        table.setdefault(fold(name), name)
    for name, short in SHORT.items():
        if name in names or (name.startswith(STOCK) and "stock" in names):
            table.setdefault(fold(short), name)
    if layer == "depots":
        for item in MATERIAL_CATALOGUE:
            for word in (item.code, item.zh, item.en, f"{item.zh}({item.unit_zh})"):
                table.setdefault(fold(word), STOCK + item.code)
    return table


_STOCKISH = re.compile(r"^[^()]+\([^()]+\)$")  # a name with a unit: 铁锹(把)


@dataclass
class Mapping:
    """Which column holds which field; what is left over."""

    columns: dict[int, str]  # column index -> field (or LON/LAT, or STOCK + item)
    unknown_items: dict[int, str] = field(default_factory=dict)  # index -> header (depots)
    unused: list[str] = field(default_factory=list)

    def has(self, target: str) -> bool:
        return target in self.columns.values()


def map_headers(layer: str, header: list[str]) -> Mapping:
    """Map each column of ``header`` to a field of ``layer`` (the first column wins)."""
    aliases = _aliases(layer)
    out = Mapping({})
    taken: set[str] = set()
    for index, cell in enumerate(header):
        folded = fold(cell)
        target = aliases.get(folded) or aliases.get(re.sub(r"\(.*\)$", "", folded))
        if target is not None and target not in taken:
            out.columns[index] = target
            taken.add(target)
        elif layer == "depots" and _STOCKISH.match(folded):
            out.unknown_items[index] = str(cell)
        elif cell:
            out.unused.append(str(cell))
    return out


_EVERY = {fold(w) for words in _COMMON.values() for w in words} | {
    fold(w) for by in _BY_LAYER.values() for words in by.values() for w in words
}


def looks_like_header(cells: list[str]) -> bool:
    """A row naming at least two known columns, one of them the code or the name."""
    folded = [fold(c) for c in cells if c]
    known = [c for c in folded if c in _EVERY or re.sub(r"\(.*\)$", "", c) in _EVERY]
    key = {fold(w) for w in _COMMON["code"] + _COMMON["name"]}
    return len(known) >= 2 and any(c in key for c in known)


# What an export writes: the first alias of each field (Chinese), stock as 编织袋(条).
def export_headers(layer: str) -> dict[str, str]:
    """Field -> the header an export writes for it (read back by :func:`map_headers`)."""
    words = {**_COMMON, **_BY_LAYER[layer]}
    out: dict[str, str] = {}
    for f in FIELDS[layer]:
        if f.name == "geom":
            if f.kind == "point":
                out[LON], out[LAT] = words[LON][0], words[LAT][0]
            else:
                out[WKT] = words[WKT][0]
        elif f.name == "stock":
            for item in MATERIAL_CATALOGUE:
                out[STOCK + item.code] = f"{item.zh}({item.unit_zh})"
        else:
            out[f.name] = words[f.name][0] if f.name in words else f.name
    return out
