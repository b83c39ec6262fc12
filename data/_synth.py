"""Shared machinery for the synthetic layers built by ``data.demo`` and ``data.city``.

Both builders describe an area (a region to cut into townships, the counts of
each layer) as a :class:`Plan` and hand it to :func:`build`, which returns one
frame per table of ``store/schema.py``: the table's columns in order, without
``id`` (except ``response_activations``, whose ids other rows refer to),
``version`` and ``updated_at``. Layer frames are GeoDataFrames in EPSG:4326
whose geometry column is ``geom``.

Everything random comes from one ``numpy.random.Generator``, consumed in a
fixed order, so the same seed gives the same frames byte for byte. Work is
vectorised (numpy, shapely 2 array functions); Python loops run over
townships or vocabulary entries, not over rows, except to format names.

Geography: townships are Voronoi cells of spread seed points clipped to the
region, so they partition it exactly. Villages are points inside their
township; risk points, depots and forces are scattered around a village or a
township seat. Every point lies inside its township shrunk by
:data:`INSET_M` metres, so strictly inside the township.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from domain import (
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    MATERIAL_CATALOGUE,
    NODE_STATUSES,
    RECTIFICATION_STATUSES,
    RISK_GRADES,
    RISK_KINDS,
    keys,
)

CRS = "EPSG:4326"
M_PER_DEG = 111_320.0  # metres per degree of latitude (and of longitude at the equator)
INSET_M = 40.0  # points keep at least this far inside their township
CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time, for readable inputs
# Every date of a build is written as if it were built the day after ANCHOR, and moved by
# as many days as the real build day is after that: a demo loaded any day has the
# response and the weather warning in force, and deadlines about to fall due.
ANCHOR = dt.date(2026, 11, 22)  # "yesterday" in the dates below

# Table columns in schema order, without id / version / updated_at.
COLUMNS: dict[str, tuple[str, ...]] = {
    "jurisdictions": ("code", "name", "name_en", "level", "geom"),
    "townships": ("code", "name", "name_en", "jurisdiction_code", "geom"),
    "risk_points": (
        "code", "name", "name_en", "category", "kind", "grade", "township_code", "geom",
        "responsible_person", "responsible_phone", "supervising_leader",
        "people_threatened", "households_threatened",
        "rectification_status", "rectification_deadline", "last_inspection",
    ),
    "depots": (
        "code", "name", "name_en", "level", "township_code", "geom",
        "keeper", "keeper_phone", "mobilise_level",
    ),
    "depot_stock": ("depot_code", "item_code", "quantity"),
    "forces": (
        "code", "name", "name_en", "type", "township_code", "geom",
        "headcount", "vehicles", "boats", "leader", "leader_phone", "status", "mobilise_level",
    ),
    "command_nodes": (
        "code", "name", "name_en", "level", "parent_code", "township_code", "geom",
        "duty_officer", "duty_phone", "channels", "status", "mobilise_level",
    ),
    "response_activations": ("id", "level", "starts_at", "ends_at", "reason", "reason_en"),
    "activation_townships": ("activation_id", "township_code"),
    "weather_warnings": (
        "identifier", "event", "event_en", "colour", "headline", "headline_en",
        "issued_at", "expires_at",
    ),
}  # fmt: skip
GEO_TABLES = ("jurisdictions", "townships", "risk_points", "depots", "forces", "command_nodes")


# --------------------------------------------------------------------------- numbers


def allocate(total: int, weights: np.ndarray | list[float], minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Every share is at least ``minimum``; the shares sum to ``total`` exactly.
    """
    w = np.asarray(weights, dtype=float)
    rest = total - minimum * len(w)
    if rest < 0:
        raise ValueError(f"cannot give {len(w)} shares at least {minimum} out of {total}")
    exact = rest * w / w.sum()
    share = np.floor(exact).astype(np.int64)
    short = rest - int(share.sum())
    if short:
        order = np.lexsort((np.arange(len(w)), -(exact - share)))  # stable tie-break
        share[order[:short]] += 1
    return share + minimum


def _pick(rng: np.random.Generator, values: list[str], p: list[float], n: int) -> np.ndarray:
    """``n`` draws from ``values`` with probabilities ``p``, as an object array."""
    return np.asarray(values, dtype=object)[
        rng.choice(len(values), size=n, p=np.asarray(p) / sum(p))
    ]


def _ints(
    rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int, n: int
) -> np.ndarray:
    """Integers uniform in [lo, hi] (both inclusive, broadcast per row)."""
    return rng.integers(lo, np.asarray(hi) + 1, size=n).astype(np.int64)


def ordinals(keys_: np.ndarray | list[str]) -> np.ndarray:
    """1 for the first row with a key, 2 for the second, ... (in row order)."""
    s = pd.Series(np.asarray(keys_, dtype=object))
    return (s.groupby(s, sort=False).cumcount() + 1).to_numpy()


# --------------------------------------------------------------------------- names

# Syllables for synthetic place names, with their pinyin. Two of them make a
# stem ("清" + "河" = 清河, Qinghe); the pools share no character and no
# pinyin repeats within a pool, so distinct Chinese stems spell distinct pinyin.
_FIRST_ZH = (
    "清柳荷桃杨李马白黄桂石新长太东西南北金银龙凤湘永安兴茶平双"
    "三八高古观万红花竹松梅樟菱莲沙岑郢楚纪弥川芦草杉桑枣樊雁福仁义"
)
_FIRST_PY = (
    "Qing Liu He Tao Yang Li Ma Bai Huang Gui Shi Xin Chang Tai Dong Xi Nan Bei Jin Yin "
    "Long Feng Xiang Yong An Xing Cha Ping Shuang San Ba Gao Gu Guan Wan Hong Hua Zhu Song Mei "
    "Zhang Ling Lian Sha Cen Ying Chu Ji Mi Chuan Lu Cao Shan Sang Zao Fan Yan Fu Ren Yi"
)
_SECOND_ZH = "河湾塘湖港桥岭山口店埠集台垸洲坪岔冲铺庙林堤滩坝圩溪渡庄场堰墩嘴坡寺亭池泉阳田垴"
_SECOND_PY = (
    "he wan tang hu gang qiao ling shan kou dian bu ji tai yuan zhou ping cha chong pu miao "
    "lin di tan ba wei xi du zhuang chang yan dun zui po si ting chi quan yang tian nao"
)
STEM_FIRST: tuple[tuple[str, str], ...] = tuple(zip(_FIRST_ZH, _FIRST_PY.split(), strict=True))
STEM_SECOND: tuple[tuple[str, str], ...] = tuple(zip(_SECOND_ZH, _SECOND_PY.split(), strict=True))

# Administrative suffixes: (Chinese, English).
SUFFIX = {
    "subdistrict": ("街道", "Subdistrict"),
    "town": ("镇", "Town"),
    "township": ("乡", "Township"),
    "village": ("村", "Village"),
    "community": ("社区", "Community"),
    "district": ("区", "District"),
    "county": ("县", "County"),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢熊万"
)
GIVEN = (
    "建国明华军平伟芳娟敏静丽强磊洋勇艳杰涛超秀英霞刚辉鹏琳玲桂兰"
    "志海波红文斌宇浩凯婷雪梅峰健亮俊飞鑫燕德春成荣庆武新利群"
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "199",
)  # fmt: skip

# Company stems reuse place stems; the trade says what they do.
TRADES: tuple[tuple[str, str], ...] = (
    ("化工", "Chemical"),
    ("建材", "Building Materials"),
    ("纺织", "Textile"),
    ("食品", "Food"),
    ("物流", "Logistics"),
    ("机械", "Machinery"),
    ("石化", "Petrochemical"),
    ("燃气", "Gas"),
    ("水产", "Aquatic Products"),
    ("粮油", "Grain and Oil"),
)
HAZARDOUS_TRADES = (0, 6, 7)  # chemical, petrochemical, gas: the firms with hazmat teams


def _pinyin(first: str, second: str) -> str:
    """Join two syllables, with an apostrophe before a vowel (Xi'an)."""
    return first + ("'" if second[0] in "aeo" else "") + second


def place_stems(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` two-syllable place stems (Chinese, pinyin), all distinct while the pool lasts."""
    pool = len(STEM_FIRST) * len(STEM_SECOND)
    order = np.resize(rng.permutation(pool), n)
    i, j = np.divmod(order, len(STEM_SECOND))
    zh = np.array(
        [STEM_FIRST[a][0] + STEM_SECOND[b][0] for a, b in zip(i, j, strict=True)], dtype=object
    )
    en = np.array(
        [_pinyin(STEM_FIRST[a][1], STEM_SECOND[b][1]) for a, b in zip(i, j, strict=True)],
        dtype=object,
    )
    return zh, en


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` synthetic Chinese personal names (surname and one or two given characters)."""
    sur = np.array(list(SURNAMES), dtype=object)[rng.integers(0, len(SURNAMES), n)]
    giv = np.array(list(GIVEN), dtype=object)
    g1 = giv[rng.integers(0, len(GIVEN), n)]
    g2 = np.where(rng.random(n) < 0.7, giv[rng.integers(0, len(GIVEN), n)], "")
    return sur + g1 + g2


def mobile_phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` synthetic 11-digit mobile numbers such as 13812345678."""
    prefix = rng.integers(0, len(MOBILE_PREFIXES), n)
    number = rng.integers(0, 10**8, n)
    return np.array(
        [f"{MOBILE_PREFIXES[p]}{k:08d}" for p, k in zip(prefix, number, strict=True)], dtype=object
    )


def landlines(rng: np.random.Generator, area_code: str, n: int) -> np.ndarray:
    """``n`` synthetic duty landlines such as 0716-8123456 (8 digits after 010/027)."""
    digits = 8 if len(area_code) == 3 else 7
    number = rng.integers(8 * 10 ** (digits - 1), 9 * 10 ** (digits - 1), n)
    return np.array([f"{area_code}-{k}" for k in number], dtype=object)


# --------------------------------------------------------------------------- geometry


def _lon_scale(lat: float) -> float:
    return float(np.cos(np.radians(lat)))


def sample_uniform(rng: np.random.Generator, geom: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` points uniformly inside ``geom`` (an (n, 2) array), by bulk rejection."""
    if n == 0:
        return np.empty((0, 2))
    shapely.prepare(geom)
    x0, y0, x1, y1 = geom.bounds
    fill = max(geom.area / ((x1 - x0) * (y1 - y0)), 1e-3)
    chunks, have = [], 0
    while have < n:
        m = int((n - have) / fill * 1.25) + 16
        x = rng.uniform(x0, x1, m)
        y = rng.uniform(y0, y1, m)
        ok = shapely.contains_xy(geom, x, y)
        chunks.append(np.column_stack((x[ok], y[ok])))
        have += int(ok.sum())
    return np.concatenate(chunks)[:n]


def sample_in_each(
    rng: np.random.Generator, geoms: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``counts[i]`` uniform points inside ``geoms[i]`` for every i: x, y, owner index."""
    xy = np.concatenate(
        [sample_uniform(rng, g, int(k)) for g, k in zip(geoms, counts, strict=True)]
    )
    owner = np.repeat(np.arange(len(geoms)), counts)
    return xy[:, 0], xy[:, 1], owner


def spread_points(
    rng: np.random.Generator,
    area: shapely.Geometry,
    n: int,
    existing: np.ndarray | None = None,
    candidates: int = 30,
) -> np.ndarray:
    """``n`` well spread points inside ``area`` (Mitchell's best-candidate sampling).

    Each new point is the candidate farthest from all points so far, including
    ``existing`` (distances in local metres, so spacing is even on the ground).
    """
    pool = sample_uniform(rng, area, n * candidates)
    scale = np.array([_lon_scale(area.centroid.y), 1.0])
    chosen = [] if existing is None else [np.asarray(p) for p in existing]
    out = np.empty((n, 2))
    for i in range(n):
        cand = pool[i * candidates : (i + 1) * candidates]
        if chosen:
            d = ((cand[:, None, :] - np.asarray(chosen)[None, :, :]) * scale) ** 2
            best = cand[int(np.argmax(d.sum(axis=2).min(axis=1)))]
        else:
            best = cand[0]
        out[i] = best
        chosen.append(best)
    return out


def as_multipolygon(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """The polygonal parts of ``geom`` as one MultiPolygon (drops stray lines/points)."""
    parts = shapely.get_parts(shapely.get_parts(geom))
    polys = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polys)


def partition(region: shapely.Geometry, seeds: np.ndarray) -> np.ndarray:
    """Voronoi cells of ``seeds`` clipped to ``region``: an exact partition, in seed order."""
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    )
    clipped = shapely.intersection(cells, region)
    return np.array([as_multipolygon(g) for g in clipped], dtype=object)


def inset(geoms: np.ndarray, metres: float = INSET_M) -> np.ndarray:
    """Each geometry shrunk by ``metres`` (the original where that leaves nothing), prepared."""
    shrunk = shapely.buffer(geoms, -metres / M_PER_DEG)
    out = np.where(shapely.is_empty(shrunk) | (shapely.area(shrunk) <= 0), geoms, shrunk)
    shapely.prepare(out)
    return out


def scatter(
    rng: np.random.Generator,
    ax: np.ndarray,
    ay: np.ndarray,
    owner: np.ndarray,
    insets: np.ndarray,
    sigma_m: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around anchors (ax, ay), each kept inside ``insets[owner]``.

    Gaussian offsets of ``sigma_m`` metres; a point that falls outside its
    township is drawn again closer in, and after a few tries stays on its anchor.
    """
    n = len(ax)
    x, y = ax.astype(float).copy(), ay.astype(float).copy()
    sig = np.broadcast_to(np.asarray(sigma_m, dtype=float), (n,)) / M_PER_DEG
    sx = sig / np.cos(np.radians(ay))
    todo = np.arange(n)
    for _ in range(6):
        nx = ax[todo] + rng.normal(0.0, 1.0, len(todo)) * sx[todo]
        ny = ay[todo] + rng.normal(0.0, 1.0, len(todo)) * sig[todo]
        ok = shapely.contains_xy(insets[owner[todo]], nx, ny)
        x[todo[ok]], y[todo[ok]] = nx[ok], ny[ok]
        todo = todo[~ok]
        if len(todo) == 0:
            break
        sx, sig = sx * 0.6, sig * 0.6
    return x, y


def nearest(points: np.ndarray, centres: np.ndarray, lat: float) -> np.ndarray:
    """Index of the nearest centre for every point (local metres)."""
    scale = np.array([_lon_scale(lat), 1.0])
    d = (((points[:, None, :] - centres[None, :, :]) * scale) ** 2).sum(axis=2)
    return np.argmin(d, axis=1)


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class County:
    """A county-level unit: code (for command node codes), names."""

    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Plan:
    """What to build: a region, its names and how many rows of each layer."""

    region: shapely.MultiPolygon
    jurisdiction: tuple[str, str, str, str]  # code, name, name_en, level
    code_prefix: str  # township codes are prefix + 001, 002, ...
    townships: int
    urban_townships: int  # subdistricts (街道) packed around urban_centre
    urban_centre: tuple[float, float]
    urban_radius_m: float
    villages: int
    risk_points: int
    depots: dict[str, int]  # by depot level
    forces: dict[str, int]  # by force type
    counties: tuple[County, ...] | int  # given, or how many to make up
    activation_townships: int
    city_zh: str = "荆州市"
    city_en: str = "Jingzhou"
    area_code: str = "0716"
    min_villages: int = 5


# --------------------------------------------------------------------------- layer vocabularies

RISK_CATEGORY_WEIGHTS = {  # a Yangtze district: mostly water and slopes
    "flood": 0.22,
    "dike": 0.18,
    "geological": 0.12,
    "hazchem": 0.05,
    "gas": 0.05,
    "fire": 0.08,
    "traffic": 0.08,
    "construction": 0.06,
    "crowd": 0.05,
    "self_built": 0.06,
    "drowning": 0.05,
}
# Grade probabilities (major, larger, general, low); some categories run hotter.
GRADE_P = {"base": (0.03, 0.12, 0.48, 0.37), "severe": (0.08, 0.22, 0.45, 0.25)}
SEVERE_CATEGORIES = ("dike", "geological", "hazchem")
PEOPLE_RANGE = {"major": (300, 3000), "larger": (80, 600), "general": (10, 150), "low": (0, 40)}

# What a point of each category is, after a place name: "Chinese / English" lines.
_RISK_FEATURES = """
flood        低洼易涝点 / Low-lying Waterlogging Spot
flood        排涝泵站 / Drainage Pumping Station
flood        下穿通道积水点 / Underpass Ponding Spot
flood        渍水片区 / Waterlogged Area
dike         堤段管涌险情点 / Dike Piping Point
dike         穿堤涵闸 / Dike Sluice
dike         小型水库 / Small Reservoir
dike         塘堰 / Pond Dam
dike         崩岸段 / Bank Collapse Section
geological   滑坡隐患点 / Landslide Point
geological   崩塌隐患点 / Rockfall Point
geological   不稳定斜坡 / Unstable Slope
geological   地面塌陷点 / Ground Subsidence Point
hazchem      化工企业储罐区 / Chemical Tank Farm
hazchem      加油站 / Filling Station
hazchem      危化品仓库 / Hazardous Chemicals Warehouse
gas          燃气调压站 / Gas Pressure Regulating Station
gas          液化气供应站 / LPG Supply Station
gas          餐饮燃气使用点 / Restaurant Gas Use Point
fire         农贸市场 / Farmers' Market
fire         仓储物流园 / Logistics Warehouse Park
fire         林区防火点 / Woodland Fire Point
fire         养老院 / Care Home
traffic      急弯陡坡路段 / Sharp Bend Steep Road Section
traffic      临水临崖路段 / Waterside Road Section
traffic      平交路口 / At-grade Junction
construction 建设工地深基坑 / Deep Excavation Site
construction 在建桥梁工地 / Bridge Construction Site
construction 高支模作业点 / High Formwork Site
crowd        中心学校 / Central School
crowd        商场 / Shopping Centre
crowd        汽车客运站 / Bus Station
crowd        卫生院 / Health Centre
self_built   经营性自建房 / Commercial Self-built House
self_built   老旧自建房片区 / Old Self-built Housing Area
drowning     沟渠防溺水点 / Ditch Drowning Spot
drowning     鱼塘防溺水点 / Fish Pond Drowning Spot
drowning     河道野泳点 / River Wild Swimming Spot
"""


def _parse_features(text: str) -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for line in text.strip().splitlines():
        category, rest = line.split(maxsplit=1)
        zh, en = (part.strip() for part in rest.split("/"))
        out.setdefault(category, []).append((zh, en))
    return {k: tuple(v) for k, v in out.items()}


RISK_FEATURES = _parse_features(_RISK_FEATURES)

# Depot stock by depot level: "probability of holding the item : min-max quantity"
# ("-" = never held). Village depots hold hundreds of bags and a few life jackets;
# county depots tens of thousands of bags, hundreds of m³ of sand, boats and pumps.
_STOCK = """
item         city                county              township        village       enterprise
woven_bag    1:100000-300000     1:10000-50000       1:2000-10000    1:200-900     .9:500-3000
sack         1:20000-60000       .8:2000-10000       .6:300-2000     .4:50-300     -
geotextile   1:20000-80000       .8:5000-20000       .5:500-3000     -             -
sand         1:3000-12000        1:200-900           .8:30-150       .3:5-30       .4:10-60
rubble       1:1500-6000         .8:100-500          .5:20-100       -             -
pile_wood    1:300-1500          .7:30-150           .5:5-30         -             -
tarpaulin    1:10000-40000       .9:2000-8000        .7:300-2000     .5:100-500    .5:200-1000
life_jacket  1:1500-4000         1:200-800           1:50-200        .9:3-15       .8:10-60
life_buoy    1:400-1200          .9:50-200           .7:10-50        .5:2-8        .3:2-10
life_rope    1:400-1200          .9:50-200           .7:10-50        .5:2-10       -
assault_boat 1:10-30             .8:2-8              .4:1-2          -             -
rubber_boat  1:6-20              .7:1-5              .4:1-2          -             -
pump         1:20-60             1:5-20              .8:1-5          .25:1-2       .7:1-6
generator    1:10-40             .8:3-10             .6:1-3          .1:1-1        .6:1-4
light        1:80-300            .9:20-80            .7:5-20         .5:2-6        .8:5-20
tent         1:300-1000          .7:50-200           .4:10-50        -             -
quilt        1:2000-8000         .6:200-1000         .4:50-200       -             -
"""


def _parse_stock(text: str) -> dict[str, dict[str, tuple[float, int, int]]]:
    header, *rows = text.strip().splitlines()
    levels = header.split()[1:]
    out: dict[str, dict[str, tuple[float, int, int]]] = {lv: {} for lv in levels}
    for row in rows:
        item, *cells = row.split()
        for lv, cell in zip(levels, cells, strict=True):
            if cell != "-":
                p, span = cell.split(":")
                lo, hi = span.split("-")
                out[lv][item] = (float(p), int(lo), int(hi))
    return out


STOCK = _parse_stock(_STOCK)
# Mobilisation level probabilities (level 1, 2, 3, 4): most rows at IV.
DEPOT_MOBILISE = {
    "city": (0.2, 0.3, 0.3, 0.2),
    "county": (0.0, 0.1, 0.3, 0.6),
    "township": (0.0, 0.05, 0.15, 0.8),
    "village": (0.0, 0.0, 0.08, 0.92),
    "enterprise": (0.0, 0.1, 0.3, 0.6),
}

# Force types: headcount, vehicles and boats as min-max; probabilities of
# mobilisation levels I, II, III, IV; where the row sits ("seat" of a township,
# a "village" or a "company" near one) and how far it scatters (metres).
_FORCES = """
type             head    vehicles  boats  mobilise         anchor   sigma
fire_rescue      20-60   3-12      1-4    0,0,0,1          seat     1500
flood_team       20-80   1-6       1-6    0,0,.1,.9        village  700
forest_fire      15-40   2-6       0-0    0,.1,.3,.6       village  700
hazchem_team     15-40   2-6       0-0    0,.1,.3,.6       company  900
social           10-60   1-8       0-5    0,.1,.4,.5       seat     1500
militia          30-100  1-5       0-3    .1,.3,.4,.2      seat     800
enterprise_team  8-30    1-4       0-1    0,.1,.3,.6       company  900
part_time        10-30   0-2       0-2    0,0,.1,.9        village  700
grid             1-5     0-0       0-0    0,0,0,1          village  500
"""


@dataclass(frozen=True)
class ForceSpec:
    """How rows of one force type are drawn."""

    head: tuple[int, int]
    vehicles: tuple[int, int]
    boats: tuple[int, int]
    mobilise: tuple[float, float, float, float]
    anchor: str
    sigma_m: float


def _parse_forces(text: str) -> dict[str, ForceSpec]:
    def span(cell: str) -> tuple[int, int]:
        lo, hi = cell.split("-")
        return int(lo), int(hi)

    out = {}
    for row in text.strip().splitlines()[1:]:
        name, head, veh, boats, mob, anchor, sigma = row.split()
        p = tuple(float(v) for v in mob.split(","))
        out[name] = ForceSpec(span(head), span(veh), span(boats), p, anchor, float(sigma))
    return out


FORCE_SPEC = _parse_forces(_FORCES)

# Names: (first Chinese, first English, later Chinese, later English); {s} is the
# place or company, {n} the ordinal among rows with the same place.
FORCE_NAMES: dict[str, tuple[str, str, str, str]] = {
    "fire_rescue": ("{s}消防救援站", "{s} Fire and Rescue Station",
                    "{s}消防救援站{n}号站", "{s} Fire and Rescue Station No. {n}"),
    "flood_team": ("{s}防汛抢险队", "{s} Flood Fighting Team",
                   "{s}防汛抢险{n}队", "{s} Flood Fighting Team {n}"),
    "forest_fire": ("{s}森林消防专业队", "{s} Forest Firefighting Team",
                    "{s}森林消防{n}队", "{s} Forest Firefighting Team {n}"),
    "hazchem_team": ("{s}危化品应急救援队", "{s} Hazmat Rescue Team",
                     "{s}危化品应急救援{n}队", "{s} Hazmat Rescue Team {n}"),
    "social": ("{s}应急救援志愿者协会", "{s} Volunteer Rescue Association",
               "{s}应急救援志愿者{n}分队", "{s} Volunteer Rescue Squad {n}"),
    "militia": ("{s}民兵应急连", "{s} Militia Emergency Company",
                "{s}民兵应急{n}排", "{s} Militia Emergency Platoon {n}"),
    "enterprise_team": ("{s}应急救援队", "{s} Emergency Rescue Team",
                        "{s}应急救援{n}队", "{s} Emergency Rescue Team {n}"),
    "part_time": ("{s}兼职应急队", "{s} Part-time Emergency Team",
                  "{s}兼职应急{n}队", "{s} Part-time Emergency Team {n}"),
    "grid": ("{s}第1网格", "{s} Grid 1", "{s}第{n}网格", "{s} Grid {n}"),
}  # fmt: skip
FORCE_STATUS_P = (0.86, 0.09, 0.05)  # available, deployed, off_duty


def _names(
    stem_zh: np.ndarray,
    stem_en: np.ndarray,
    n: np.ndarray,
    first: tuple[str, str],
    later: tuple[str, str],
) -> tuple[np.ndarray, np.ndarray]:
    """Row names from templates: ``first`` for ordinal 1, ``later`` (with {n}) after."""
    zh = np.array(
        [
            (first[0] if k == 1 else later[0]).format(s=s, n=k)
            for s, k in zip(stem_zh, n, strict=True)
        ],
        dtype=object,
    )
    en = np.array(
        [
            (first[1] if k == 1 else later[1]).format(s=s, n=k)
            for s, k in zip(stem_en, n, strict=True)
        ],
        dtype=object,
    )
    return zh, en


def _unique_names(zh: np.ndarray, en: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number repeated names: the second 清河村塘堰 becomes 清河村塘堰（2）."""
    n = ordinals(zh)
    zh = np.array(
        [z if k == 1 else f"{z}（{k}）" for z, k in zip(zh, n, strict=True)], dtype=object
    )
    en = np.array([e if k == 1 else f"{e} ({k})" for e, k in zip(en, n, strict=True)], dtype=object)
    return zh, en


def _codes(prefix: str, n: int, width: int = 4) -> np.ndarray:
    width = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def today_cst() -> dt.date:
    """Today in China Standard Time: the day a build's dates count from."""
    return dt.datetime.now(CST).date()


def _shift(today: dt.date | None) -> dt.timedelta:
    """How far a build's dates move: from ANCHOR to the day before ``today``."""
    return (today or today_cst()) - dt.timedelta(days=1) - ANCHOR


def _dates(
    rng: np.random.Generator, start: str, end: str, n: int, shift: dt.timedelta
) -> np.ndarray:
    """``n`` uniform dates in [start, end] (moved by ``shift``) as datetime.date objects."""
    days_ = np.timedelta64(shift.days, "D")
    a, b = np.datetime64(start, "D") + days_, np.datetime64(end, "D") + days_
    days = rng.integers(0, int((b - a).astype(int)) + 1, n)
    return (a + days).astype(object)


def _geoframe(
    table: str, data: dict[str, object], x: np.ndarray, y: np.ndarray
) -> gpd.GeoDataFrame:
    data = {**data, "geom": shapely.points(x, y)}
    return _frame(table, data)


def _frame(table: str, data: dict[str, object]) -> pd.DataFrame:
    cols = COLUMNS[table]
    missing = set(cols) ^ set(data)
    if missing:
        raise KeyError(f"{table}: columns {sorted(missing)} missing or unexpected")
    frame = pd.DataFrame({c: data[c] for c in cols if c != "geom"})
    if "geom" not in cols:
        return frame
    frame.insert(cols.index("geom"), "geom", np.asarray(data["geom"], dtype=object))
    return gpd.GeoDataFrame(frame, geometry="geom", crs=CRS)


def _nullable(values: np.ndarray) -> pd.Series:
    """An object column that keeps ``None`` (not NaN) for missing values."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


# --------------------------------------------------------------------------- the build


@dataclass
class _Area:
    """Townships, counties and villages of a plan, as parallel arrays."""

    geoms: np.ndarray
    insets: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    names_en: np.ndarray
    kinds: np.ndarray  # subdistrict / town / township
    seats: np.ndarray  # (n, 2) township seat points
    county: np.ndarray  # county index of each township
    counties: tuple[County, ...]
    county_seat: np.ndarray  # township index of each county's seat
    v_x: np.ndarray  # villages
    v_y: np.ndarray
    v_town: np.ndarray
    v_names: np.ndarray
    v_names_en: np.ndarray
    v_stems: np.ndarray
    v_stems_en: np.ndarray
    v_index: np.ndarray  # 1-based number of the village within its township


def _make_area(rng: np.random.Generator, plan: Plan) -> _Area:
    region = plan.region
    shapely.prepare(region)
    lat0 = region.centroid.y
    cx, cy = plan.urban_centre
    r = plan.urban_radius_m / M_PER_DEG
    disc = shapely.Point(cx, cy).buffer(1.0, quad_segs=16)
    disc = affinity.scale(disc, r / _lon_scale(cy), r, origin=(cx, cy))
    urban_area = shapely.intersection(disc, region)

    n, nu = plan.townships, plan.urban_townships
    urban = spread_points(rng, urban_area, nu)
    rural = spread_points(rng, region, n - nu, existing=urban)
    # Codes run subdistricts first (nearest the centre first), then towns north to south.
    scale = np.array([_lon_scale(cy), 1.0])
    urban = urban[np.argsort((((urban - (cx, cy)) * scale) ** 2).sum(axis=1), kind="stable")]
    rural = rural[np.lexsort((rural[:, 0], -rural[:, 1]))]
    seeds = np.concatenate([urban, rural])
    # Two Lloyd steps pull town seats (and so their cells) away from the edges.
    for _ in range(2):
        cells = partition(region, seeds)
        centre = shapely.get_coordinates(shapely.centroid(cells))
        inside = shapely.contains_xy(cells, centre[:, 0], centre[:, 1])
        surface = shapely.get_coordinates(shapely.point_on_surface(cells))
        seeds[nu:] = np.where(inside[:, None], centre, surface)[nu:]

    geoms = partition(region, seeds)
    insets = inset(geoms)
    seat_ok = shapely.contains_xy(insets, seeds[:, 0], seeds[:, 1])
    seats = seeds.copy()
    for i in np.flatnonzero(~seat_ok):  # a seed cut off by the region edge: move it in
        seats[i] = sample_uniform(rng, insets[i], 1)[0]

    # Counties: given, or grouped around well spread seats (the first holds the centre).
    if isinstance(plan.counties, int):
        k = plan.counties
        centres = [0]
        d = np.full(n, np.inf)
        for _ in range(1, k):  # farthest-point sampling over township seats
            d = np.minimum(d, ((((seats - seats[centres[-1]]) * scale) ** 2).sum(axis=1)))
            centres.append(int(np.argmax(d)))
        county = nearest(seats, seats[centres], lat0)
        county_seat = np.array(centres)
    else:
        k = len(plan.counties)
        county = nearest(seats, seats[:k], lat0) if k > 1 else np.zeros(n, dtype=np.int64)
        county_seat = np.arange(k)

    # Names: one draw of distinct stems for counties, townships and villages.
    area_km2 = shapely.area(geoms) * M_PER_DEG**2 * _lon_scale(lat0) / 1e6
    v_counts = allocate(plan.villages, area_km2**0.7, minimum=plan.min_villages)
    n_new_counties = k if isinstance(plan.counties, int) else 0
    stems, stems_en = place_stems(rng, n_new_counties + n + plan.villages)
    if isinstance(plan.counties, int):
        is_district = np.arange(k) == 0
        counties = tuple(
            County(
                code=f"{plan.code_prefix}C{i + 1:02d}",
                name=stems[i] + SUFFIX["district" if is_district[i] else "county"][0],
                name_en=f"{stems_en[i]} {SUFFIX['district' if is_district[i] else 'county'][1]}",
            )
            for i in range(k)
        )
    else:
        counties = plan.counties
    t_stems, t_stems_en = (
        stems[n_new_counties : n_new_counties + n],
        stems_en[n_new_counties : n_new_counties + n],
    )
    kinds = np.where(
        np.arange(n) < nu, "subdistrict", np.where(rng.random(n) < 0.8, "town", "township")
    ).astype(object)
    names = np.array([s + SUFFIX[t][0] for s, t in zip(t_stems, kinds, strict=True)], dtype=object)
    names_en = np.array(
        [f"{s} {SUFFIX[t][1]}" for s, t in zip(t_stems_en, kinds, strict=True)], dtype=object
    )
    codes = np.array([f"{plan.code_prefix}{i + 1:03d}" for i in range(n)], dtype=object)

    v_x, v_y, v_town = sample_in_each(rng, insets, v_counts)
    v_stems = stems[n_new_counties + n :]
    v_stems_en = stems_en[n_new_counties + n :]
    v_kind = np.where(kinds[v_town] == "subdistrict", "community", "village")
    v_names = np.array(
        [s + SUFFIX[t][0] for s, t in zip(v_stems, v_kind, strict=True)], dtype=object
    )
    v_names_en = np.array(
        [f"{s} {SUFFIX[t][1]}" for s, t in zip(v_stems_en, v_kind, strict=True)], dtype=object
    )
    v_index = ordinals(v_town.astype(str))
    return _Area(
        geoms=geoms,
        insets=insets,
        codes=codes,
        names=names,
        names_en=names_en,
        kinds=kinds,
        seats=seats,
        county=county,
        counties=counties,
        county_seat=county_seat,
        v_x=v_x,
        v_y=v_y,
        v_town=v_town,
        v_names=v_names,
        v_names_en=v_names_en,
        v_stems=v_stems,
        v_stems_en=v_stems_en,
        v_index=v_index,
    )


def _leader_titles(area: _Area) -> tuple[np.ndarray, np.ndarray]:
    county_title = np.array(
        ["副区长" if c.name.endswith("区") else "副县长" for c in area.counties], dtype=object
    )
    town_title = np.array(
        [
            {"subdistrict": "街道办副主任", "town": "副镇长", "township": "副乡长"}[k]
            for k in area.kinds
        ],
        dtype=object,
    )
    return county_title, town_title


def _risk_points(
    rng: np.random.Generator, plan: Plan, area: _Area, shift: dt.timedelta
) -> gpd.GeoDataFrame:
    n = plan.risk_points
    village = rng.integers(0, len(area.v_x), n)
    town = area.v_town[village]
    cats = list(RISK_CATEGORY_WEIGHTS)
    category = _pick(rng, cats, list(RISK_CATEGORY_WEIGHTS.values()), n)
    kind = _pick(rng, keys(RISK_KINDS), [0.45, 0.55], n)
    grades = keys(RISK_GRADES)
    severe = np.isin(category, SEVERE_CATEGORIES)
    grade = np.where(
        severe,
        _pick(rng, grades, list(GRADE_P["severe"]), n),
        _pick(rng, grades, list(GRADE_P["base"]), n),
    )
    lo = np.array([PEOPLE_RANGE[g][0] for g in grade])
    hi = np.array([PEOPLE_RANGE[g][1] for g in grade])
    people = _ints(rng, lo, hi, n)
    households = np.floor(people / rng.uniform(2.6, 3.4, n)).astype(np.int64)

    # Names: the village, then what the point is.
    feat = rng.integers(0, 1 << 30, n)
    feats = [
        RISK_FEATURES[c][f % len(RISK_FEATURES[c])] for c, f in zip(category, feat, strict=True)
    ]
    zh = area.v_names[village] + np.array([f[0] for f in feats], dtype=object)
    en = area.v_names_en[village] + " " + np.array([f[1] for f in feats], dtype=object)
    zh, en = _unique_names(zh, en)

    # People: a responsible person per point; leaders from small pools per area.
    person = person_names(rng, n)
    phone = mobile_phones(rng, n)
    county_title, town_title = _leader_titles(area)
    county_leaders = person_names(rng, 4 * len(area.counties)).reshape(len(area.counties), 4)
    town_leaders = person_names(rng, 3 * len(area.codes)).reshape(len(area.codes), 3)
    pick = rng.integers(0, 3, n)
    c_of = area.county[town]
    leader = np.where(
        grade == "major",
        county_leaders[c_of, pick] + "（" + county_title[c_of] + "）",
        town_leaders[town, pick] + "（" + town_title[town] + "）",
    )

    # Rectification: hidden dangers only; most rectified, a few open or overdue.
    hidden = kind == "hidden_danger"
    status = _pick(rng, keys(RECTIFICATION_STATUSES), [0.07, 0.11, 0.82], n)
    done_deadline = _dates(rng, "2026-01-15", "2026-11-15", n, shift)
    open_deadline = _dates(rng, "2026-10-01", "2027-03-31", n, shift)
    deadline = np.where(status == "rectified", done_deadline, open_deadline)
    inspected = _dates(rng, "2026-05-01", "2026-11-22", n, shift)
    status = np.where(hidden, status, None)
    deadline = np.where(hidden, deadline, None)

    x, y = scatter(rng, area.v_x[village], area.v_y[village], town, area.insets, 700.0)
    return _geoframe(
        "risk_points",
        {
            "code": _codes(f"RISK-{plan.code_prefix}-", n),
            "name": zh,
            "name_en": en,
            "category": category,
            "kind": kind,
            "grade": grade,
            "township_code": area.codes[town],
            "responsible_person": person,
            "responsible_phone": phone,
            "supervising_leader": leader,
            "people_threatened": people,
            "households_threatened": households,
            "rectification_status": _nullable(status),
            "rectification_deadline": _nullable(deadline),
            "last_inspection": _nullable(inspected),
        },
        x,
        y,
    )


def _companies(
    rng: np.random.Generator, area: _Area, village: np.ndarray, hazardous: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic company names near villages: 清河化工有限公司 / Qinghe Chemical Co., Ltd."""
    pool = np.array(HAZARDOUS_TRADES if hazardous else range(len(TRADES)))
    trade = pool[rng.integers(0, len(pool), len(village))]
    zh = np.array(
        [f"{area.v_stems[v]}{TRADES[t][0]}有限公司" for v, t in zip(village, trade, strict=True)],
        dtype=object,
    )
    en = np.array(
        [
            f"{area.v_stems_en[v]} {TRADES[t][1]} Co., Ltd."
            for v, t in zip(village, trade, strict=True)
        ],
        dtype=object,
    )
    return zh, en


def _depots(
    rng: np.random.Generator, plan: Plan, area: _Area
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    levels = keys(DEPOT_LEVELS)
    counts = [plan.depots.get(lv, 0) for lv in levels]
    level = np.repeat(np.array(levels, dtype=object), counts)
    n = len(level)
    nt, nv = len(area.codes), len(area.v_x)
    urban = np.flatnonzero(area.kinds == "subdistrict")
    if len(urban) == 0:
        urban = np.arange(nt)

    town = np.zeros(n, dtype=np.int64)
    ax, ay = np.zeros(n), np.zeros(n)
    sigma = np.zeros(n)
    zh = np.empty(n, dtype=object)
    en = np.empty(n, dtype=object)
    start = 0
    for lv, k in zip(levels, counts, strict=True):
        s = slice(start, start + k)
        start += k
        if k == 0:
            continue
        i = np.arange(k)
        if lv in ("city", "county", "township"):
            if lv == "city":
                t = urban[rng.integers(0, len(urban), k)]
            elif lv == "county":
                # Half at county seats, the rest spread over the townships.
                t = np.where(
                    i % 2 == 0,
                    area.county_seat[i // 2 % len(area.county_seat)],
                    rng.integers(0, nt, k),
                )
            else:
                t = i % nt  # every township has one before any has two
            town[s], ax[s], ay[s] = t, area.seats[t, 0], area.seats[t, 1]
            sigma[s] = {"city": 2000.0, "county": 1500.0, "township": 600.0}[lv]
            if lv == "city":
                zh[s] = [f"{plan.city_zh}防汛物资储备{j + 1}号库" for j in i]
                en[s] = [
                    f"{plan.city_en} City Flood Materials Reserve Store No. {j + 1}" for j in i
                ]
            elif lv == "county":
                c = area.county[t]
                num = ordinals(c.astype(str))
                zh[s] = [
                    f"{area.counties[a].name}防汛物资{m}号仓库" for a, m in zip(c, num, strict=True)
                ]
                en[s] = [
                    f"{area.counties[a].name_en} Flood Materials Depot No. {m}"
                    for a, m in zip(c, num, strict=True)
                ]
            else:
                zh[s], en[s] = _names(
                    area.names[t],
                    area.names_en[t],
                    ordinals(t.astype(str)),
                    ("{s}防汛物资仓库", "{s} Flood Materials Depot"),
                    ("{s}防汛物资{n}号仓库", "{s} Flood Materials Depot No. {n}"),
                )
        else:
            v = i % nv if lv == "village" else rng.integers(0, nv, k)
            if lv == "village":  # one per village first, then one per villager group
                v = rng.permutation(nv)[v] if k < nv else v
            t = area.v_town[v]
            town[s], ax[s], ay[s] = t, area.v_x[v], area.v_y[v]
            sigma[s] = 300.0 if lv == "village" else 900.0
            if lv == "village":
                zh[s], en[s] = _names(
                    area.v_names[v],
                    area.v_names_en[v],
                    ordinals(v.astype(str)),
                    ("{s}应急物资储备点", "{s} Emergency Materials Point"),
                    ("{s}{n}组应急物资点", "{s} Group {n} Emergency Materials Point"),
                )
            else:
                cz, ce = _companies(rng, area, v)
                zh[s] = cz + "应急物资库"
                en[s] = ce + " Emergency Materials Store"
    zh, en = _unique_names(zh, en)

    mobilise = np.zeros(n, dtype=np.int64)
    for lv in levels:
        m = level == lv
        mobilise[m] = rng.choice(np.arange(1, 5), size=int(m.sum()), p=DEPOT_MOBILISE[lv])
    x, y = scatter(rng, ax, ay, town, area.insets, sigma)
    codes = _codes(f"DEPOT-{plan.code_prefix}-", n)
    depots = _geoframe(
        "depots",
        {
            "code": codes,
            "name": zh,
            "name_en": en,
            "level": level,
            "township_code": area.codes[town],
            "keeper": person_names(rng, n),
            "keeper_phone": mobile_phones(rng, n),
            "mobilise_level": mobilise,
        },
        x,
        y,
    )
    return depots, _stock(rng, codes, level)


def _stock(rng: np.random.Generator, codes: np.ndarray, level: np.ndarray) -> pd.DataFrame:
    """Stock rows by depot level: which items a depot holds and how many (vectorised per item)."""
    items = [it.code for it in MATERIAL_CATALOGUE]
    n, m = len(codes), len(items)
    held = np.zeros((n, m), dtype=bool)
    qty = np.zeros((n, m))
    lv_idx = pd.Index(keys(DEPOT_LEVELS)).get_indexer(level)
    for j, item in enumerate(items):
        spec = np.array([STOCK[lv].get(item, (0.0, 0, 0)) for lv in keys(DEPOT_LEVELS)])
        p, lo, hi = spec[lv_idx, 0], spec[lv_idx, 1], spec[lv_idx, 2]
        held[:, j] = rng.random(n) < p
        qty[:, j] = rng.integers(lo.astype(np.int64), hi.astype(np.int64) + 1)
    empty = ~held.any(axis=1)
    held[empty, items.index("woven_bag")] = True
    qty[empty, items.index("woven_bag")] = 200.0
    r, c = np.nonzero(held)
    return _frame(
        "depot_stock",
        {
            "depot_code": codes[r],
            "item_code": np.asarray(items, dtype=object)[c],
            "quantity": qty[r, c].astype(float),
        },
    )


def _forces(rng: np.random.Generator, plan: Plan, area: _Area) -> gpd.GeoDataFrame:
    types = keys(FORCE_TYPES)
    counts = [plan.forces.get(t, 0) for t in types]
    ftype = np.repeat(np.array(types, dtype=object), counts)
    n = len(ftype)
    nt, nv = len(area.codes), len(area.v_x)
    town = np.zeros(n, dtype=np.int64)
    ax, ay, sigma = np.zeros(n), np.zeros(n), np.zeros(n)
    head, veh, boat, mob = (np.zeros(n, dtype=np.int64) for _ in range(4))
    zh = np.empty(n, dtype=object)
    en = np.empty(n, dtype=object)
    start = 0
    for t, k in zip(types, counts, strict=True):
        s = slice(start, start + k)
        start += k
        if k == 0:
            continue
        spec = FORCE_SPEC[t]
        i = np.arange(k)
        if spec.anchor == "seat":
            tw = i % nt if t == "militia" else rng.integers(0, nt, k)
            town[s], ax[s], ay[s] = tw, area.seats[tw, 0], area.seats[tw, 1]
            stem, stem_en, key = area.names[tw], area.names_en[tw], tw.astype(str)
        else:
            v = (
                rng.permutation(nv)[i % nv]
                if t in ("flood_team", "part_time", "grid")
                else rng.integers(0, nv, k)
            )
            tw = area.v_town[v]
            town[s], ax[s], ay[s] = tw, area.v_x[v], area.v_y[v]
            if spec.anchor == "company":
                stem, stem_en = _companies(rng, area, v, hazardous=t == "hazchem_team")
                key = stem
            else:
                stem, stem_en, key = area.v_names[v], area.v_names_en[v], v.astype(str)
        tpl = FORCE_NAMES[t]
        zh[s], en[s] = _names(stem, stem_en, ordinals(key), tpl[0:2], tpl[2:4])
        sigma[s] = spec.sigma_m
        head[s] = _ints(rng, *spec.head, k)
        veh[s] = _ints(rng, *spec.vehicles, k)
        boat[s] = _ints(rng, *spec.boats, k)
        mob[s] = rng.choice(np.arange(1, 5), size=k, p=spec.mobilise)
    zh, en = _unique_names(zh, en)
    x, y = scatter(rng, ax, ay, town, area.insets, sigma)
    return _geoframe(
        "forces",
        {
            "code": _codes(f"FORCE-{plan.code_prefix}-", n),
            "name": zh,
            "name_en": en,
            "type": ftype,
            "township_code": area.codes[town],
            "headcount": head,
            "vehicles": veh,
            "boats": boat,
            "leader": person_names(rng, n),
            "leader_phone": mobile_phones(rng, n),
            "status": _pick(rng, keys(FORCE_STATUSES), list(FORCE_STATUS_P), n),
            "mobilise_level": mob,
        },
        x,
        y,
    )


# Nodes above the county: (code, name, name_en, level, lon, lat, area code, mobilise level).
UPPER_NODES = (
    (
        "CMD-MEM",
        "应急管理部",
        "Ministry of Emergency Management",
        "ministry",
        116.4074,
        39.9042,
        "010",
        1,
    ),
    (
        "CMD-420000",
        "湖北省防汛抗旱指挥部",
        "Hubei Provincial Flood Control and Drought Relief Headquarters",
        "province",
        114.3416,
        30.5460,
        "027",
        2,
    ),
    (
        "CMD-421000",
        "荆州市防汛抗旱指挥部",
        "Jingzhou Municipal Flood Control and Drought Relief Headquarters",
        "city",
        112.2397,
        30.3352,
        "0716",
        3,
    ),
)
ALL_CHANNELS = ("phone", "dingtalk", "video", "satellite", "radio")


def _channels(rng: np.random.Generator, n: int, p: tuple[float, ...]) -> np.ndarray:
    """Comma-separated channels; ``p`` is each channel's probability (phone always)."""
    has = rng.random((n, len(ALL_CHANNELS))) < np.asarray(p)
    has[:, 0] = True
    return np.array(
        [",".join(c for c, h in zip(ALL_CHANNELS, row, strict=True) if h) for row in has],
        dtype=object,
    )


def _command_nodes(rng: np.random.Generator, plan: Plan, area: _Area) -> gpd.GeoDataFrame:
    nt, nv, nc = len(area.codes), len(area.v_x), len(area.counties)
    top = [
        dict(
            code=c,
            name=z,
            name_en=e,
            level=lv,
            parent_code=None,
            township_code=None,
            x=x,
            y=y,
            phone_area=a,
            mob=m,
        )
        for c, z, e, lv, x, y, a, m in UPPER_NODES
    ]
    for i, node in enumerate(top):
        node["parent_code"] = top[i - 1]["code"] if i else None
    city_code = top[-1]["code"]

    county_codes = np.array([f"CMD-{c.code}" for c in area.counties], dtype=object)
    c_seat = area.county_seat
    town_codes = np.array([f"CMD-{c}" for c in area.codes], dtype=object)
    village_codes = np.array(
        [f"{town_codes[t]}-{k:03d}" for t, k in zip(area.v_town, area.v_index, strict=True)],
        dtype=object,
    )

    # County HQs sit near the seat of their seat township; township nodes at their seats.
    cx, cy = scatter(rng, area.seats[c_seat, 0], area.seats[c_seat, 1], c_seat, area.insets, 400.0)
    tx, ty = area.seats[:, 0], area.seats[:, 1]

    codes = np.concatenate([[n["code"] for n in top], county_codes, town_codes, village_codes])
    names = np.concatenate(
        [
            [n["name"] for n in top],
            [f"{c.name}防汛抗旱指挥部" for c in area.counties],
            area.names + "应急指挥中心",
            area.v_names + "应急服务站",
        ]
    )
    names_en = np.concatenate(
        [
            [n["name_en"] for n in top],
            [f"{c.name_en} Flood Control and Drought Relief Headquarters" for c in area.counties],
            area.names_en + " Emergency Command Centre",
            area.v_names_en + " Emergency Station",
        ]
    )
    level = np.concatenate(
        [
            [n["level"] for n in top],
            np.repeat("county", nc),
            np.repeat("township", nt),
            np.repeat("village", nv),
        ]
    ).astype(object)
    parent = np.concatenate(
        [
            [n["parent_code"] for n in top],
            np.repeat(city_code, nc),
            county_codes[area.county],
            town_codes[area.v_town],
        ]
    ).astype(object)
    township = np.concatenate(
        [
            [None] * len(top),
            area.codes[c_seat],
            area.codes,
            area.codes[area.v_town],
        ]
    ).astype(object)
    x = np.concatenate([[n["x"] for n in top], cx, tx, area.v_x])
    y = np.concatenate([[n["y"] for n in top], cy, ty, area.v_y])

    n_hq = len(top) + nc
    phones = np.concatenate(
        [
            [landlines(rng, n["phone_area"], 1)[0] for n in top],
            landlines(rng, plan.area_code, nc + nt),
            mobile_phones(rng, nv),
        ]
    )
    channels = np.concatenate(
        [
            np.repeat(",".join(ALL_CHANNELS), n_hq),
            _channels(rng, nt, (1, 1, 1, 0.5, 1)),
            _channels(rng, nv, (1, 0.9, 0.3, 0.05, 0.4)),
        ]
    )
    status = np.concatenate(
        [
            np.repeat("on_duty", n_hq),
            _pick(rng, keys(NODE_STATUSES), [0.96, 0.04], nt + nv),
        ]
    ).astype(object)
    mob = np.concatenate(
        [
            [n["mob"] for n in top],
            np.repeat(4, nc + nt),
            rng.choice([3, 4], size=nv, p=[0.1, 0.9]),
        ]
    ).astype(np.int64)
    return _geoframe(
        "command_nodes",
        {
            "code": codes,
            "name": names,
            "name_en": names_en,
            "level": level,
            "parent_code": _nullable(parent),
            "township_code": _nullable(township),
            "duty_officer": person_names(rng, len(codes)),
            "duty_phone": phones,
            "channels": channels,
            "status": status,
            "mobilise_level": mob,
        },
        x,
        y,
    )


def _cst(shift: dt.timedelta, *args: int) -> dt.datetime:
    """A China Standard Time wall-clock moment of the anchored schedule, moved by ``shift``."""
    return dt.datetime(*args, tzinfo=CST) + shift


def _utc(moment: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert("UTC")


def _response(plan: Plan, area: _Area, shift: dt.timedelta) -> dict[str, pd.DataFrame]:
    past_start, past_end = _cst(shift, 2026, 6, 26, 14), _cst(shift, 2026, 6, 28, 10)
    started = _cst(shift, 2026, 11, 22, 8)
    issued, expires = _cst(shift, 2026, 11, 22, 6, 30), _cst(shift, 2026, 11, 25, 20)
    en_day = "{d.hour:02d}:{d.minute:02d} on {d.day} {d:%B}".format
    activations = _frame(
        "response_activations",
        {
            "id": np.array([1, 2], dtype=np.int64),
            "level": np.array([4, 4], dtype=np.int64),
            "starts_at": pd.DatetimeIndex([_utc(past_start), _utc(started)]),
            "ends_at": pd.DatetimeIndex([_utc(past_end), pd.NaT], tz="UTC"),
            "reason": [
                f"梅雨期强降雨：{past_start.month}月{past_start.day}日{past_start.hour}时至"
                f"{past_end.month}月{past_end.day}日{past_end.hour}时，市防汛办启动防汛Ⅳ级应急响应",
                "汛期强降雨",
            ],
            "reason_en": [
                f"Plum-rain heavy rainfall: from {en_day(d=past_start)} to {en_day(d=past_end)} "
                "the city flood-control office ran a level IV emergency response",
                "Heavy rainfall in the flood season",
            ],
        },
    )
    # The current activation covers the southernmost townships (along the Yangtze).
    south = np.argsort(area.seats[:, 1], kind="stable")[: plan.activation_townships]
    scope = _frame(
        "activation_townships",
        {
            "activation_id": np.full(len(south), 2, dtype=np.int64),
            "township_code": area.codes[np.sort(south)],
        },
    )
    warnings_ = _frame(
        "weather_warnings",
        {
            "identifier": [f"urn:oid:2.49.0.0.156.0.{issued:%Y%m%d%H%M%S}.421000.RAINSTORM.YELLOW"],
            "event": ["暴雨"],
            "event_en": ["Rainstorm"],
            "colour": ["yellow"],
            "headline": [
                f"{plan.city_zh}气象台{issued.year}年{issued.month}月{issued.day}日"
                f"{issued.hour}时{issued.minute}分发布暴雨黄色预警信号"
            ],
            "headline_en": [
                f"{plan.city_en} Meteorological Observatory issued a yellow rainstorm "
                f"warning signal at {en_day(d=issued)} {issued.year}"
            ],
            "issued_at": pd.DatetimeIndex([_utc(issued)]),
            "expires_at": pd.DatetimeIndex([_utc(expires)]),
        },
    )
    return {
        "response_activations": activations,
        "activation_townships": scope,
        "weather_warnings": warnings_,
    }


def build(
    rng: np.random.Generator, plan: Plan, today: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of the plan, keyed by table name (see the module docstring).

    Dates count from ``today`` (default: today in China Standard Time): the
    response and the weather warning began the day before and are in force."""
    shift = _shift(today)
    area = _make_area(rng, plan)
    code, name, name_en, level = plan.jurisdiction
    jurisdictions = _frame(
        "jurisdictions",
        {
            "code": [code],
            "name": [name],
            "name_en": [name_en],
            "level": [level],
            "geom": [as_multipolygon(plan.region)],
        },
    )
    townships = _frame(
        "townships",
        {
            "code": area.codes,
            "name": area.names,
            "name_en": area.names_en,
            "jurisdiction_code": np.repeat(code, len(area.codes)).astype(object),
            "geom": area.geoms,
        },
    )
    risk = _risk_points(rng, plan, area, shift)
    depots, stock = _depots(rng, plan, area)
    forces = _forces(rng, plan, area)
    nodes = _command_nodes(rng, plan, area)
    return {
        "jurisdictions": jurisdictions,
        "townships": townships,
        "risk_points": risk,
        "depots": depots,
        "depot_stock": stock,
        "forces": forces,
        "command_nodes": nodes,
        **_response(plan, area, shift),
    }
