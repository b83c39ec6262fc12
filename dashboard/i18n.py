"""Every string of the interface, in Chinese and English.

``t(key, lang)`` returns the text; vocabulary terms (grades, levels, types)
come from :mod:`domain` through :func:`term_label`.
"""

from __future__ import annotations

from domain import Term

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("应急指挥“四张图”", "Emergency command: the four maps"),
    "map_risk": ("风险隐患图", "Risks and hidden dangers"),
    "map_materials": ("物资装备图", "Materials and equipment"),
    "map_forces": ("防控力量分布图", "Prevention and rescue forces"),
    "map_command": ("指挥体系图", "Command system"),
    "filter_townships": ("乡镇（街道）", "Townships"),
    "filter_townships_all": ("全区", "Whole district"),
    "filter_level": ("响应级别", "Response level"),
    "filter_level_all": ("全部（不按响应级别）", "All (no response level)"),
    "filter_grades": ("风险等级", "Risk grades"),
    "language": ("语言", "Language"),
    "fig_points": ("风险隐患点", "Risk points"),
    "fig_hidden_open": ("隐患未整改", "Hidden dangers open"),
    "fig_hidden_rectified": ("隐患已整改", "Hidden dangers rectified"),
    "fig_rectification_rate": ("整改率", "Rectification rate"),
    "fig_woven_bag": ("编织袋（条）", "Woven bags (pcs)"),
    "fig_sand": ("砂石料（立方米）", "Sand and gravel (m³)"),
    "fig_life_jacket": ("救生衣（件）", "Life jackets (pcs)"),
    "fig_boats": ("舟艇（艘）", "Boats (boats)"),
    "fig_pump": ("抽水泵（台套）", "Pumps (sets)"),
    "fig_people": ("人员", "People"),
    "fig_vehicles": ("车辆", "Vehicles"),
    "fig_force_boats": ("船艇", "Boats"),
    "fig_nodes_on_duty": ("指挥节点在岗", "Command nodes on duty"),
    "legend_outline": ("乡镇边界", "Township boundaries"),
    "legend_links": ("指挥关系", "Command links"),
    "legend_aggregate": ("按乡镇汇总", "Totals by township"),
    "record_title": ("详细信息", "Details"),
    "record_hint": ("点击地图上的点查看详细信息", "Click a point on a map to see its full record"),
    "chain_title": ("指挥链", "Chain of command"),
    "no_response": ("未启动应急响应", "No emergency response active"),
    "response_in_force": ("应急响应", "Emergency response"),
    "data_updated": ("数据更新于", "Data updated"),
    "stale": (
        "数据库无法连接，数据自 {time} 起未更新",
        "Database unreachable: data not updated since {time}",
    ),
    "count": ("数量", "Count"),
    "major_count": ("重大风险", "Major"),
    "on_duty_count": ("在岗", "On duty"),
    "hover_click": ("点击查看详情", "Click for details"),
    "hover_woven_bag": ("编织袋", "Bags"),
    "hover_life_jacket": ("救生衣", "Life jackets"),
    "hover_boats": ("舟艇", "Boats"),
    "headcount": ("人数", "Headcount"),
    "stock": ("库存", "Stock"),
    "none": ("无", "none"),
    "field_code": ("编号", "Code"),
    "field_name": ("名称", "Name"),
    "field_township": ("所属乡镇", "Township"),
    "field_category": ("类别", "Category"),
    "field_kind": ("类型", "Kind"),
    "field_grade": ("风险等级", "Grade"),
    "field_responsible": ("责任人", "Responsible person"),
    "field_phone": ("电话", "Phone"),
    "field_leader": ("包保领导", "Supervising leader"),
    "field_people": ("威胁人数", "People threatened"),
    "field_households": ("威胁户数", "Households threatened"),
    "field_rectification": ("整改状态", "Rectification"),
    "field_deadline": ("整改期限", "Deadline"),
    "field_inspection": ("最近巡查", "Last inspection"),
    "field_level": ("级别", "Level"),
    "field_keeper": ("保管员", "Keeper"),
    "field_mobilise": ("启动响应级别", "Mobilised from"),
    "field_type": ("队伍类型", "Type"),
    "field_headcount": ("人数", "Headcount"),
    "field_vehicles": ("车辆", "Vehicles"),
    "field_boats": ("船艇", "Boats"),
    "field_status": ("状态", "Status"),
    "field_duty_officer": ("值班人员", "Duty officer"),
    "field_channels": ("联络方式", "Channels"),
    "field_parent": ("上级", "Reports to"),
}


def t(key: str, lang: str = "zh") -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language is unknown)."""
    zh, en = STRINGS[key]
    return en if lang == "en" else zh


def term_label(term: Term, lang: str = "zh") -> str:
    """A vocabulary term's label in ``lang``."""
    return term.en if lang == "en" else term.zh


def name_of(row: dict, lang: str = "zh", column: str = "name") -> str:
    """A row's name in ``lang``, falling back to Chinese when no translation."""
    if lang == "en" and row.get(f"{column}_en"):
        return str(row[f"{column}_en"])
    return str(row.get(column) or "")


# Signing in, editing and history (the write side).
STRINGS.update(
    {
        "sign_out": ("退出", "Sign out"),
    }
)
