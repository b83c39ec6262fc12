"""The vocabulary of the four maps: grades, levels, types and their colours.

Plain constants shared by the store (check constraints, seeding), the layers
(filters) and the dashboard (legends, colours). Nothing here imports a
database or UI library. Source: ``../shared/DOMAIN.md``.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    """One value of a controlled vocabulary, with its labels and colour."""

    key: str
    zh: str
    en: str
    colour: str = "#888888"


# Risk grades, most severe first (the "four-colour" map).
RISK_GRADES: tuple[Term, ...] = (
    Term("major", "重大风险", "Major", "#e02020"),
    Term("larger", "较大风险", "Larger", "#f08c00"),
    Term("general", "一般风险", "General", "#f5d000"),
    Term("low", "低风险", "Low", "#2f7fe0"),
)

RISK_KINDS: tuple[Term, ...] = (
    Term("risk_source", "风险源", "Risk source"),
    Term("hidden_danger", "隐患点", "Hidden danger"),
)

RECTIFICATION_STATUSES: tuple[Term, ...] = (
    Term("open", "未整改", "Open", "#e02020"),
    Term("in_progress", "整改中", "In progress", "#f08c00"),
    Term("rectified", "已整改", "Rectified", "#20a050"),
)

# The rectification ledger (台账) of a hidden danger: found (排查登记) ->
# rectifying (整改) -> rectified (reported, with measures and a note) ->
# verified and closed (验收销号); sent back (reopened) at verification.
# ``risk_points.rectification_status`` keeps the map's three states (open,
# in_progress, rectified); verified is rectified with a verification recorded.
LEDGER_STATUSES: tuple[Term, ...] = (
    Term("found", "已登记", "Found", "#e02020"),
    Term("rectifying", "整改中", "Rectifying", "#f08c00"),
    Term("rectified", "已整改待验收", "Rectified", "#2f7fe0"),
    Term("verified", "已验收销号", "Verified and closed", "#20a050"),
)
# Which map state each ledger status is drawn as.
LEDGER_TO_MAP = {
    "found": "open",
    "rectifying": "in_progress",
    "rectified": "rectified",
    "verified": "rectified",
}
# The steps a duty officer takes (``to`` of ``POST /api/hidden-dangers/{code}/steps``).
LEDGER_STEPS: tuple[Term, ...] = (
    Term("rectifying", "开始整改", "Start rectifying"),
    Term("rectified", "报告整改完成", "Report rectified"),
    Term("verified", "验收销号", "Verify and close"),
    Term("reopened", "退回重新整改", "Send back"),
)
# Hidden-danger grades (隐患等级): a major risk on the map is a major hidden danger.
DANGER_GRADES: tuple[Term, ...] = (
    Term("major", "重大隐患", "Major", "#e02020"),
    Term("general", "一般隐患", "General", "#f5d000"),
)
# The "five in place" (五落实) a major item needs before it moves on.
FIVE_IN_PLACE: tuple[Term, ...] = (
    Term("responsibility", "责任落实", "Responsibility"),
    Term("measures", "措施落实", "Measures"),
    Term("funds", "资金落实", "Funds"),
    Term("deadline", "时限落实", "Deadline"),
    Term("contingency_plan", "预案落实", "Contingency plan"),
)
# Risk points are inspected on a schedule: days from one inspection to the next.
INSPECTION_DAYS: dict[str, int] = {"major": 30, "larger": 90, "general": 180, "low": 365}

RISK_CATEGORIES: tuple[Term, ...] = (
    Term("flood", "防汛内涝", "Flood and waterlogging"),
    Term("dike", "堤防水库", "Dike and reservoir"),
    Term("geological", "地质灾害", "Geological hazard"),
    Term("hazchem", "危险化学品", "Hazardous chemicals"),
    Term("gas", "燃气", "Gas"),
    Term("fire", "火灾", "Fire"),
    Term("traffic", "道路交通", "Road traffic"),
    Term("construction", "建设施工", "Construction"),
    Term("crowd", "人员密集场所", "Crowded places"),
    Term("self_built", "自建房", "Self-built houses"),
    Term("drowning", "防溺水", "Drowning spots"),
)

# Emergency response levels. The number is the level: 1 is I (most severe).
# A plan gives each force, depot and command node the *lowest* level at which
# it is mobilised, stored as this number; level L mobilises every row whose
# number is >= L (II mobilises what IV and III do, and more).
RESPONSE_LEVELS: tuple[Term, ...] = (
    Term("1", "Ⅰ级 特别重大", "Level I (particularly serious)", "#e02020"),
    Term("2", "Ⅱ级 重大", "Level II (serious)", "#f08c00"),
    Term("3", "Ⅲ级 较大", "Level III (relatively serious)", "#f5d000"),
    Term("4", "Ⅳ级 一般", "Level IV (general)", "#2f7fe0"),
)
LEVEL_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}

WARNING_COLOURS: tuple[Term, ...] = (
    Term("red", "红色预警", "Red warning", "#e02020"),
    Term("orange", "橙色预警", "Orange warning", "#f08c00"),
    Term("yellow", "黄色预警", "Yellow warning", "#f5d000"),
    Term("blue", "蓝色预警", "Blue warning", "#2f7fe0"),
)

DEPOT_LEVELS: tuple[Term, ...] = (
    Term("city", "市级", "City", "#8e44ad"),
    Term("county", "区县级", "County", "#1f77b4"),
    Term("township", "乡镇级", "Township", "#17becf"),
    Term("village", "村级", "Village", "#2ca02c"),
    Term("enterprise", "企业", "Enterprise", "#7f7f7f"),
)

FORCE_TYPES: tuple[Term, ...] = (
    Term("fire_rescue", "综合性消防救援队伍", "Fire and rescue", "#e4572e"),
    Term("flood_team", "防汛抢险队", "Flood fighting team", "#1f77b4"),
    Term("forest_fire", "森林消防队", "Forest fire team", "#2ca02c"),
    Term("hazchem_team", "危化救援队", "Hazardous chemicals team", "#9467bd"),
    Term("social", "社会应急力量", "Social rescue force", "#ff7f0e"),
    Term("militia", "民兵", "Militia", "#8c564b"),
    Term("enterprise_team", "企业救援队", "Enterprise team", "#7f7f7f"),
    Term("part_time", "乡镇村兼职队伍", "Township/village part-time team", "#17becf"),
    Term("grid", "网格员", "Grid members", "#bcbd22"),
)

FORCE_STATUSES: tuple[Term, ...] = (
    Term("available", "待命", "Available", "#20a050"),
    Term("deployed", "已出动", "Deployed", "#f08c00"),
    Term("off_duty", "休整", "Off duty", "#888888"),
)

# Command levels, top down: five levels end to end, then village stations.
COMMAND_LEVELS: tuple[Term, ...] = (
    Term("ministry", "部级", "Ministry", "#e02020"),
    Term("province", "省级", "Province", "#f08c00"),
    Term("city", "市级", "City", "#8e44ad"),
    Term("county", "区县级", "County", "#1f77b4"),
    Term("township", "乡镇级", "Township", "#17becf"),
    Term("village", "村级应急站", "Village station", "#2ca02c"),
)

NODE_STATUSES: tuple[Term, ...] = (
    Term("on_duty", "在岗", "On duty", "#20a050"),
    Term("off_duty", "离岗", "Off duty", "#888888"),
)


# Incidents a duty officer opens, and what is sent to them.
INCIDENT_TYPES: tuple[Term, ...] = (
    Term("flood", "洪涝", "Flood", "#1f77b4"),
    Term("waterlogging", "城乡内涝", "Waterlogging", "#17becf"),
    Term("seepage", "管涌渗漏", "Seepage or piping", "#9467bd"),
    Term("dike_breach", "溃口决堤", "Dike breach", "#d62728"),
    Term("landslide", "山体滑坡", "Landslide", "#8c564b"),
    Term("fire", "火灾", "Fire", "#e4572e"),
    Term("hazchem", "危化品事故", "Hazardous chemicals", "#bcbd22"),
    Term("other", "其他", "Other", "#7f7f7f"),
)

HAZARD_KINDS: tuple[Term, ...] = (
    Term("flooded", "淹没区", "Flooded area", "#1f77b4"),
    Term("landslide", "滑坡区", "Landslide zone", "#8c564b"),
    Term("closed", "交通管制区", "Closed to traffic", "#7f7f7f"),
)

# Forces: ordered -> en_route -> on_site -> returned; materials: ordered ->
# consumed or returned (to stock); either may be cancelled before it is done.
ORDER_STATUSES: tuple[Term, ...] = (
    Term("ordered", "已下达", "Ordered", "#f08c00"),
    Term("en_route", "在途", "En route", "#f5d000"),
    Term("on_site", "已到达", "On site", "#20a050"),
    Term("returned", "已归还", "Returned", "#888888"),
    Term("consumed", "已消耗", "Consumed", "#5b6b7b"),
    Term("cancelled", "已取消", "Cancelled", "#888888"),
)

# Who may do what (checked in every operation, whatever face calls it).
ROLES: tuple[Term, ...] = (
    Term("viewer", "查看", "Viewer"),
    Term("duty_officer", "值班员", "Duty officer"),
    Term("planner", "规划维护员", "Planner"),
    Term("admin", "管理员", "Administrator"),
)


class Item(NamedTuple):
    """A catalogue entry for flood materials and equipment."""

    code: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    key: bool  # shown in the key figures row


MATERIAL_CATALOGUE: tuple[Item, ...] = (
    Item("woven_bag", "编织袋", "Woven bags", "条", "pcs", True),
    Item("sack", "麻袋", "Sacks", "条", "pcs", False),
    Item("geotextile", "土工布", "Geotextile", "平方米", "m²", False),
    Item("sand", "砂石料", "Sand and gravel", "立方米", "m³", True),
    Item("rubble", "块石", "Rubble stone", "立方米", "m³", False),
    Item("pile_wood", "桩木", "Pile wood", "立方米", "m³", False),
    Item("tarpaulin", "彩条布", "Tarpaulin", "平方米", "m²", False),
    Item("life_jacket", "救生衣", "Life jackets", "件", "pcs", True),
    Item("life_buoy", "救生圈", "Life buoys", "个", "pcs", False),
    Item("life_rope", "救生绳", "Life ropes", "根", "pcs", False),
    Item("assault_boat", "冲锋舟", "Assault boats", "艘", "boats", True),
    Item("rubber_boat", "橡皮艇", "Rubber boats", "艘", "boats", True),
    Item("pump", "抽水泵", "Pumps", "台套", "sets", True),
    Item("generator", "发电机组", "Generator sets", "台套", "sets", False),
    Item("light", "应急照明灯", "Emergency lights", "台套", "sets", False),
    Item("tent", "帐篷", "Tents", "顶", "pcs", False),
    Item("quilt", "棉被", "Quilts", "床", "pcs", False),
)


def keys(terms: tuple[Term, ...]) -> list[str]:
    """The stored values of a vocabulary, in its order."""
    return [t.key for t in terms]


def term(terms: tuple[Term, ...], key: str) -> Term:
    """Look up one term by its stored value."""
    for t in terms:
        if t.key == key:
            return t
    raise KeyError(key)
