"""Is this a valid record? Entries as typed or sent, to values the store keeps.

:func:`clean` takes loose values (form strings, JSON numbers, GeoJSON) and
returns typed values, the problems that block saving and the warnings that
do not (a point outside the township typed). It reads what it must compare
against (townships, the command chain) through a :class:`Context`, so the
same rules run for the desk's live checks, the API and imports.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import shapely
import shapely.geometry

from domain import COMMAND_LEVELS, FORCE_TYPES, MATERIAL_CATALOGUE, keys
from editing.coords import CoordinateError, in_china
from editing.fields import BY_NAME, CHANNELS, NOUNS, Field
from editing.messages import Problem
from layers.townships import jurisdiction, townships
from store import Store

AUDIT = {"version", "updated_at", "updated_by", "id"}
_CODE = re.compile(r"^[A-Za-z0-9_.:\-]+$")
_PHONE = re.compile(r"^[0-9+\-() ]{3,30}$")
_ITEMS = {item.code for item in MATERIAL_CATALOGUE}
_DEPTH = {k: n for n, k in enumerate(keys(COMMAND_LEVELS))}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}


class _Bad(ValueError):
    def __init__(self, reason: str, /, **params: object) -> None:
        super().__init__(reason)
        self.code, self.params = reason, params


@dataclass
class Context:
    """What entries are checked against: the store's townships and records, the zone
    that typed times without a zone are in."""

    store: Store
    timezone: str = "Asia/Shanghai"

    @cached_property
    def towns(self) -> gpd.GeoDataFrame:
        return townships(self.store)

    @cached_property
    def district(self) -> gpd.GeoDataFrame:
        return jurisdiction(self.store)

    def township_at(self, point: shapely.Point) -> str | None:
        """The code of the township ``point`` lies in (None: in none)."""
        hits = self.towns[self.towns.geometry.intersects(point)]
        return None if hits.empty else str(hits["code"].iloc[0])

    def in_district(self, point: shapely.Point) -> bool:
        """Whether ``point`` lies in the jurisdiction (imports answer it faster, in bulk)."""
        return bool(self.district.geometry.intersects(point).any())

    def township_name(self, code: str, lang: str) -> str:
        row = self.towns[self.towns["code"] == code]
        if row.empty:
            return code
        column = "name_en" if lang == "en" and row["name_en"].iloc[0] else "name"
        return str(row[column].iloc[0])

    def exists(self, collection: str, code: str) -> bool:
        if collection == "townships":
            return code in set(self.towns["code"])
        if collection == "jurisdictions":
            return code in set(self.district["code"])
        return self.store.records.get(collection, code) is not None


@dataclass
class Cleaned:
    """The outcome of :func:`clean`."""

    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def clean(
    collection: str,
    values: Mapping[str, Any],
    context: Context,
    *,
    current: dict | None = None,
    partial: bool = False,
) -> Cleaned:
    """Check ``values`` for a record of ``collection``.

    ``current`` is the record being edited (None: a new one). With
    ``partial``, fields not given keep their current values (PATCH);
    otherwise a missing field takes its default, or is a problem if required.
    """
    spec = BY_NAME[collection]
    out = Cleaned({})
    for name in values:
        if name not in spec and name not in AUDIT:
            out.problems.append(Problem(name, "unknown_field"))
    for f in spec.values():
        if f.name in values:
            try:
                value = _coerce(f, values[f.name], context)
            except _Bad as bad:
                out.problems.append(Problem(f.name, bad.code, bad.params))
                continue
            if value is None and f.required:
                out.problems.append(Problem(f.name, "required"))
                continue
            out.values[f.name] = value
        elif partial or current is not None:
            continue
        elif f.required and f.default is None and not _derived(collection, f.name, values):
            out.problems.append(Problem(f.name, "required"))
        elif f.default is not None:  # a default is a value like any other: stored typed
            out.values[f.name] = _coerce(f, f.default, context) if f.kind == "needs" else f.default
    if current is not None and "code" in out.values and out.values["code"] != current.get("code"):
        out.problems.append(Problem("code", "key_change"))
    merged = {**(current or {}), **out.values}
    _RULES.get(collection, _no_rule)(merged, out, context, current)
    return out


def _derived(collection: str, name: str, values: Mapping[str, Any]) -> bool:
    # The township of a point is found from its location when not typed.
    return name == "township_code" and "geom" in values and collection != "townships"


# --- one field ------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_UNCACHED = ("code", "text", "phone", "point", "multipolygon", "stock", "needs", "townships")


def _coerce(f: Field, value: Any, context: Context) -> Any:
    """``value`` as ``f`` stores it; a context with a ``coerced`` dict (an import's) keeps
    the answer per field and cell, so a column of 150,000 grades is judged a few times."""
    memo = getattr(context, "coerced", None)
    if memo is None or f.kind in _UNCACHED or not isinstance(value, str):
        return _coerce_one(f, value, context)
    key = (f.name, value)
    known = memo.get(key, memo)
    if known is memo:
        try:
            known = _coerce_one(f, value, context)
        except _Bad as bad:
            known = bad
        memo[key] = known
    if isinstance(known, _Bad):
        raise _Bad(known.code, **known.params)
    return known


def _coerce_one(f: Field, value: Any, context: Context) -> Any:
    kind = f.kind
    if kind in ("text", "phone") and _blank(value) and not f.required:
        return f.default if f.default is not None else ""
    if _blank(value) and kind not in ("stock", "townships"):
        return None
    if kind in ("code", "text", "phone", "ref", "choice"):
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise _Bad("not_choice" if kind == "choice" else "too_long", n=f.max_len)
        text = str(value).strip()
        if not text.isprintable():  # the same as the join, which most cells do not need
            if kind == "code":  # a key: changed quietly, it would match or add the wrong record
                raise _Bad("bad_code")
            text = "".join(ch for ch in text if ch.isprintable())
            if not text:  # nothing but control characters: as blank as spaces
                return _coerce_one(f, "", context)
        if len(text) > f.max_len:
            raise _Bad("too_long", n=f.max_len)
        if kind == "code" and not _CODE.match(text):
            raise _Bad("bad_code")
        if kind == "phone" and not _PHONE.match(text):
            raise _Bad("bad_phone")
        if kind == "choice":
            assert f.vocab is not None
            if text not in keys(f.vocab):
                raise _Bad("not_choice", choices=", ".join(keys(f.vocab)))
        if kind == "ref":
            assert f.ref is not None
            if not context.exists(f.ref, text):
                zh, en = NOUNS[f.ref]
                raise _Bad("unknown_ref", code=text, what=en, what_zh=zh)
        return text
    if kind in ("int", "float", "level"):
        return _number(f, value)
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return _datetime(value, context.timezone)
    if kind == "channels":
        items = (
            value if isinstance(value, list | tuple) else str(value).replace("，", ",").split(",")
        )
        chosen = [str(i).strip() for i in items if str(i).strip()]
        wrong = [c for c in chosen if c not in CHANNELS]
        if wrong:
            raise _Bad("not_choice", choices=", ".join(CHANNELS))
        return ",".join(c for c in CHANNELS if c in chosen) or "phone"
    if kind in ("point", "multipolygon"):
        return _geometry(kind, value)
    if kind == "stock":
        return _stock(value)
    if kind == "bool":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE | _FALSE:
            return value if isinstance(value, bool) else text in _TRUE
        raise _Bad("not_choice", choices="true, false")
    if kind == "needs":
        return _needs(value)
    if kind == "townships":
        codes = [] if _blank(value) else value
        if isinstance(codes, str):
            codes = [c for c in codes.replace("，", ",").split(",") if c.strip()]
        if not isinstance(codes, list | tuple):
            raise _Bad("not_object")
        for code in codes:
            if not context.exists("townships", str(code).strip()):
                raise _Bad("unknown_ref", code=code, what="township", what_zh="乡镇")
        return sorted({str(c).strip() for c in codes})
    raise AssertionError(kind)


def _number(f: Field, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _Bad("not_number")
    if f.kind == "level" and isinstance(value, str) and value.strip().upper() in _ROMAN:
        value = _ROMAN[value.strip().upper()]
    try:
        number = (
            float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)
        )
    except (TypeError, ValueError):
        raise _Bad("not_integer" if f.kind != "float" else "not_number") from None
    if not math.isfinite(number):
        raise _Bad("not_number")
    if f.kind != "float":
        if not number.is_integer():
            raise _Bad("not_integer")
        number = int(number)
    low, high = (1, 4) if f.kind == "level" else (f.minimum, f.maximum)
    if low is not None and number < low:
        raise _Bad("too_small", min=low)
    if high is not None and number > high:
        raise _Bad("too_large", max=high)
    return number


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"\1-\2-\3", text)
    try:
        y, m, d = (int(part) for part in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise _Bad("bad_date") from None


def _datetime(value: Any, tz: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip().replace("/", "-")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise _Bad("bad_datetime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment


def _geometry(kind: str, value: Any) -> shapely.Geometry:
    try:
        geom = value if isinstance(value, shapely.Geometry) else shapely.geometry.shape(value)
    except (
        AttributeError,
        IndexError,
        KeyError,
        TypeError,
        ValueError,
        shapely.errors.GEOSException,
    ):
        raise _Bad(
            "bad_geometry", kind=kind.replace("multi", "multi-"), kind_zh=_GEOM_ZH[kind]
        ) from None
    if geom.is_empty:
        raise _Bad("empty_geometry")
    if kind == "point":
        if geom.geom_type != "Point":
            raise _Bad("bad_geometry", kind="point", kind_zh=_GEOM_ZH[kind])
        x, y = geom.x, geom.y
        if not (math.isfinite(x) and math.isfinite(y)):
            raise _Bad("empty_geometry")
        if not in_china(x, y):
            raise _Bad("swapped" if in_china(y, x) else "not_in_china")
        # stored as x, y: a height or measure is dropped (an import's points already are)
        return geom if shapely.get_coordinate_dimension(geom) == 2 else shapely.Point(x, y)
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon" or not geom.is_valid:
        raise _Bad("bad_geometry", kind="multi-polygon", kind_zh=_GEOM_ZH[kind])
    return geom


_GEOM_ZH = {"point": "点", "multipolygon": "（多）面"}
_TRUE = {"1", "true", "yes", "on", "是"}
_FALSE = {"0", "false", "no", "off", "否"}
_FORCE_TYPES = set(keys(FORCE_TYPES))


def _needs(value: Any) -> str:
    """What an incident needs, as canonical JSON: items, force types, boats, vehicles."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except ValueError:
            raise _Bad("not_object") from None
    if not isinstance(value, Mapping):
        raise _Bad("not_object")
    unknown = set(value) - {"items", "forces", "boats", "vehicles"}
    if unknown:
        raise _Bad("unknown_field")
    items = _stock(value.get("items") or {})
    forces: dict[str, int] = {}
    for kind, heads in (value.get("forces") or {}).items():
        if kind not in _FORCE_TYPES:
            raise _Bad("not_choice", choices=", ".join(sorted(_FORCE_TYPES)))
        forces[kind] = _number(Field("forces", "int", minimum=0), heads)
    counts = {
        k: _number(Field(k, "int", minimum=0), value.get(k) or 0) for k in ("boats", "vehicles")
    }
    needs = {
        "items": {k: v for k, v in items.items() if v},
        "forces": {k: v for k, v in forces.items() if v},
        **counts,
    }
    return json.dumps(needs, ensure_ascii=False, sort_keys=True)


def _stock(value: Any) -> dict[str, float]:
    if _blank(value):
        return {}
    if not isinstance(value, Mapping):
        raise _Bad("not_object")
    stock: dict[str, float] = {}
    for item, quantity in value.items():
        if item not in _ITEMS:
            raise _Bad("unknown_item", item=item)
        if _blank(quantity):
            quantity = 0
        try:
            number = (
                float(str(quantity).replace(",", "")) if not isinstance(quantity, bool) else None
            )
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            raise _Bad("not_number")
        if number < 0:
            raise _Bad("negative")
        stock[item] = int(number) if number.is_integer() else number
    return stock


# --- rules across fields ------------------------------------------------------------


def _no_rule(merged: dict, out: Cleaned, context: Context, current: dict | None) -> None:
    return None


def _located(merged: dict, out: Cleaned, context: Context, current: dict | None) -> None:
    """The township from the location; warnings when the two disagree."""
    point = merged.get("geom")
    touched = "geom" in out.values or "township_code" in out.values
    if not isinstance(point, shapely.Point) or not touched:
        return
    found = context.township_at(point)
    if not context.in_district(point):
        out.warnings.append(Problem("geom", "outside_jurisdiction"))
    typed = out.values.get("township_code") or (current or {}).get("township_code")
    if "township_code" not in out.values and "geom" in out.values:
        if found is not None:
            out.values["township_code"] = found  # moved: the township follows the point
            return
        if not typed:
            out.problems.append(Problem("township_code", "no_township"))
        return
    if found is not None and typed and found != typed:
        out.warnings.append(
            Problem(
                "township_code",
                "other_township",
                {
                    "found": context.township_name(found, "en"),
                    "found_zh": context.township_name(found, "zh"),
                    "typed": context.township_name(typed, "en"),
                    "typed_zh": context.township_name(typed, "zh"),
                },
            )
        )


def _risk(merged: dict, out: Cleaned, context: Context, current: dict | None) -> None:
    _located(merged, out, context, current)
    if merged.get("kind") == "risk_source":
        for name in ("rectification_status", "rectification_deadline"):
            if out.values.get(name) is not None:
                out.problems.append(Problem(name, "hidden_only"))
    elif merged.get("kind") == "hidden_danger" and merged.get("rectification_status") is None:
        out.values["rectification_status"] = "open"


def _command(merged: dict, out: Cleaned, context: Context, current: dict | None) -> None:
    level, parent = merged.get("level"), merged.get("parent_code")
    if level in ("ministry", "province", "city"):
        if merged.get("township_code"):  # above the district: no township, wherever it sits
            out.problems.append(Problem("township_code", "township_level"))
    else:  # the district's own headquarters sits in a township too
        _located(merged, out, context, current)
        placed = {**merged, **out.values}.get("township_code")
        told = any(p.field == "township_code" for p in out.problems)
        if level in ("township", "village") and not placed and not told:
            out.problems.append(Problem("township_code", "township_level"))
    if (
        not parent
        or level is None
        or ("parent_code" not in out.values and "level" not in out.values)
    ):
        return
    code = merged.get("code")
    chain, seen = parent, set()
    while chain and chain not in seen:  # the parent must not sit below this node
        if chain == code:
            out.problems.append(Problem("parent_code", "parent_self"))
            return
        seen.add(chain)
        node = context.store.records.get("command_nodes", chain)
        chain = node["parent_code"] if node else None
    above = context.store.records.get("command_nodes", parent)
    if above is not None and _DEPTH[above["level"]] >= _DEPTH[level]:
        out.problems.append(Problem("parent_code", "parent_level"))


def _ordered(start: str, end: str) -> Any:
    def rule(merged: dict, out: Cleaned, context: Context, current: dict | None) -> None:
        if merged.get(start) and merged.get(end) and merged[end] <= merged[start]:
            out.problems.append(Problem(end, "ends_before_start"))

    return rule


def _incident(merged: dict, out: Cleaned, context: Context, current: dict | None) -> None:
    """An incident may happen outside every township (a warning); its township is found."""
    point = merged.get("geom")
    if not isinstance(point, shapely.Point) or "geom" not in out.values:
        return
    if not context.in_district(point):
        out.warnings.append(Problem("geom", "outside_jurisdiction"))
    if not out.values.get("township_code"):
        out.values["township_code"] = context.township_at(point)


_RULES = {
    "risk_points": _risk,
    "depots": _located,
    "forces": _located,
    "command_nodes": _command,
    "response_activations": _ordered("starts_at", "ends_at"),
    "weather_warnings": _ordered("issued_at", "expires_at"),
    "incidents": _incident,
}

__all__ = ["Cleaned", "Context", "CoordinateError", "clean"]
