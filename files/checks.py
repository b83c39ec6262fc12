"""Rows of a file to records: each added, updated (matched by code), unchanged or rejected.

Every row goes through the same rules as the desk's form
(:func:`editing.validate.clean`), read through an :class:`ImportContext` that
answers the per-row questions (which township is this point in, does this
code exist) from indexes built once per file. What the form only warns
about, a point outside the jurisdiction, rejects a row here: nobody looks
at 10,000 warnings. Nor does an import move a hidden danger's rectification
status: the same rule as an edit (:func:`editing.records.ledger_moved`).
A reason names the row as numbered in the file and the column as headed in
the file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import prcoords
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from domain import MATERIAL_CATALOGUE
from editing.coords import CHINA, CoordinateError, parse_angle, parse_position
from editing.fields import BY_NAME, FIELDS
from editing.messages import Problem
from editing.records import ledger_moved
from editing.validate import Context, clean
from files.headers import LAT, LON, STOCK, WKT, Mapping, map_headers
from files.readers import FileRefused, Table
from store import Store

_ITEMS = {item.code for item in MATERIAL_CATALOGUE}
_SYSTEMS = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "gcj02": "gcj02"}
# A coordinate typed as plain decimal degrees, as parse_angle reads it (spaces around)
_DECIMAL = re.compile(r"\s*-?\d+(?:\.\d+)?\s*", re.ASCII)


@dataclass
class Row:
    """One row of the file and what the import does with it."""

    row: int
    code: str | None
    action: str  # "add", "update", "unchanged" or "reject"
    values: dict[str, Any] = field(default_factory=dict)
    current: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class Plan:
    """What importing a file would do, row by row, before anything is written."""

    layer: str
    file: str
    format: str
    encoding: str | None
    crs: str
    rows: list[Row]
    notes: list[Problem]

    def codes(self, action: str) -> list[str]:
        return [r.code for r in self.rows if r.action == action and r.code is not None]

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if r.action == "reject"]


class ImportContext(Context):
    """A :class:`Context` for thousands of rows: townships in an STRtree, codes in sets,
    and the codes the file itself adds (a node's parent may be a row above it)."""

    def __init__(self, store: Store, timezone: str = "Asia/Shanghai") -> None:
        super().__init__(store, timezone)
        self.adding: dict[str, set[str]] = {}
        self.coerced: dict = {}  # (field, cell) -> value or the reason: see validate._coerce

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.towns.geometry.values)

    @cached_property
    def _district(self) -> shapely.Geometry:
        shape = shapely.union_all(self.district.geometry.values)
        shapely.prepare(shape)
        return shape

    @cached_property
    def _codes(self) -> dict[str, set[str]]:
        return {
            "townships": set(self.towns["code"]),
            "jurisdictions": set(self.district["code"]),
        }

    @cached_property
    def town_names(self) -> dict[str, str]:
        """Township name (Chinese or English) -> code: files often name the township."""
        names: dict[str, str] = {}
        for code, zh, en in zip(
            self.towns["code"], self.towns["name"], self.towns["name_en"], strict=True
        ):
            names.setdefault(str(zh), str(code))
            if en:
                names.setdefault(str(en).lower(), str(code))
        return names

    @cached_property
    def _town_codes(self) -> list[str]:
        return [str(c) for c in self.towns["code"]]

    def prime(self, points: list[shapely.Point]) -> None:
        """Answer :meth:`township_at` and :meth:`in_district` for all ``points`` at once
        (two vectorised queries instead of one per row)."""
        if not points:
            return
        array = np.array(points, dtype=object)
        at: dict[int, int] = {}
        for p, town in zip(*self._tree.query(array, predicate="intersects"), strict=True):
            at[int(p)] = min(int(town), at.get(int(p), int(town)))
        inside = shapely.intersects(self._district, array)
        xy = shapely.get_coordinates(array)
        self._known = {
            (x, y): (self._town_codes[at[i]] if i in at else None, bool(inside[i]))
            for i, (x, y) in enumerate(xy)
        }

    def township_at(self, point: shapely.Point) -> str | None:
        known = getattr(self, "_known", {}).get((point.x, point.y))
        if known is not None:
            return known[0]
        hits = self._tree.query(point, predicate="intersects")
        return None if len(hits) == 0 else self._town_codes[int(np.min(hits))]

    def in_district(self, point: shapely.Point) -> bool:
        known = getattr(self, "_known", {}).get((point.x, point.y))
        if known is not None:
            return known[1]
        return bool(self._district.intersects(point))

    def exists(self, collection: str, code: str) -> bool:
        if code in self.adding.get(collection, ()):
            return True
        if collection in self._codes:
            return code in self._codes[collection]
        return super().exists(collection, code)


def parse_system(crs: str | None) -> str | None:
    """``wgs84``, ``cgcs2000``, ``gcj02`` or any CRS pyproj knows (``EPSG:3857``)."""
    if crs is None or crs == "":
        return None
    key = crs.strip().lower().replace("-", "")
    if key in _SYSTEMS:
        return key
    try:
        CRS.from_user_input(crs)
    except CRSError:
        raise FileRefused("file_bad_crs", crs=crs) from None
    return crs


def plan_import(
    store: Store,
    layer: str,
    table: Table,
    *,
    file: str,
    crs: str | None = None,
    existing: dict[str, dict] | None = None,
    context: ImportContext | None = None,
) -> Plan:
    """Check every row of ``table`` as a record of ``layer``; nothing is written.

    ``crs`` is what the coordinates are in when the file does not say
    (``gcj02`` always applies: web-map coordinates look like WGS 84 to a file).
    ``existing`` holds the store's records of the file's codes (code -> record).
    """
    system = parse_system(crs)
    mapping = map_headers(layer, table.header)
    context = context or ImportContext(store)
    notes = list(table.notes)
    notes += [Problem("file", "note_unused_column", {"column": c}) for c in mapping.unused]
    points = _points(layer, table, mapping, system, notes)
    used = points.system
    names = {index: table.header[index] for index in mapping.columns}
    header_of = {target: table.header[index] for index, target in mapping.columns.items()}
    code_at = next((i for i, t in mapping.columns.items() if t == "code"), None)
    codes = [
        (row[code_at].strip() if code_at is not None and code_at < len(row) else "")
        for row in table.rows
    ]
    context.adding[layer] = {c for c in codes if c}
    existing = existing if existing is not None else {}
    first: dict[str, int] = {}
    width = len(table.header)
    rows = [Row(number, codes[i] or None, "reject") for i, number in enumerate(table.numbers)]
    geoms = points.located(rows, header_of)
    context.prime([g for g in geoms if isinstance(g, shapely.Point) and not g.is_empty])
    for i, cells in enumerate(table.rows):
        out = rows[i]
        code, number = out.code, out.row
        if table.format in ("csv", "xlsx") and len(cells) > width and any(cells[width:]):
            # No header names the first filled cell past the header: its column number does.
            extra = width + next(n for n, c in enumerate(cells[width:]) if c) + 1
            out.problems.append(
                Problem(f"#{extra}", "bad_cells", {"found": len(cells), "expected": width})
            )
        values = _values(layer, cells, mapping, names, context, out)
        if code is not None and code in first:
            out.problems.append(
                Problem(header_of.get("code", "code"), "duplicate_code",
                        {"code": code, "first": first[code]})
            )  # fmt: skip
        elif code is not None:
            first[code] = number
        geom = geoms[i]
        if geom is not None:
            values["geom"] = geom
        current = existing.get(code) if code else None
        if current is not None:
            if "stock" in values:
                values["stock"] = {**current.get("stock", {}), **values["stock"]}
            # what the row repeats is not a change (nor re-derived: a point kept in place
            # keeps the township it has)
            values = {k: v for k, v in values.items() if k == "code" or _given(current, k, v)}
        unplaced = "geom" not in values and any(_is_location(p, header_of) for p in out.problems)
        checked = clean(layer, values, context, current=current)
        outside = [w for w in checked.warnings if w.code == "outside_jurisdiction"]
        out.problems += [_named(w, header_of) for w in outside]  # a reason here, not a warning
        for problem in checked.problems:
            if (unplaced or outside) and problem.field in ("geom", "township_code"):
                continue  # the location's own problem says it: no "required" beside it
            out.problems.append(_named(problem, header_of))
        out.warnings += [_named(w, header_of) for w in checked.warnings if w not in outside]
        if current is not None:  # as for an edit: only a ledger step moves these
            moved = ledger_moved(layer, current, checked.values)
            out.problems += [_named(Problem(n, "ledger_owned"), header_of) for n in moved]
        if out.problems:
            continue
        out.values, out.current = checked.values, current
        out.action = "add" if current is None else _change(current, checked.values)
    if table.format == "csv" and table.rows and len(table.rows[-1]) < width and rows:
        last = rows[-1]  # the last line cut short: the file was cut off
        if last.action != "reject":
            last.action = "reject"
        cut = len(table.rows[-1])  # the first column the line does not reach
        last.problems.append(
            Problem(table.header[cut], "bad_cells", {"found": cut, "expected": width})
        )
    return Plan(layer, file, table.format, table.encoding, used, rows, notes)


def _is_location(problem: Problem, header_of: dict[str, str]) -> bool:
    names = {
        "geom",
        "geometry",
        header_of.get(WKT),
        header_of.get(LON),
        f"{header_of.get(LON)}/{header_of.get(LAT)}",
    }
    return problem.field in names


def _named(problem: Problem, header_of: dict[str, str]) -> Problem:
    """The problem with the field as the file heads it (``经度``, not ``geom``)."""
    name = problem.field
    if name == "geom" and WKT in header_of:
        name = header_of[WKT]
    elif name == "geom" and LON in header_of:
        name = f"{header_of[LON]}/{header_of[LAT]}" if LAT in header_of else header_of[LON]
    elif name in header_of:
        name = header_of[name]
    return Problem(name, problem.code, problem.params)


def _given(current: dict, name: str, value: Any) -> bool:
    from store.imports import differs

    return (
        differs(current, {name: value})
        if not isinstance(value, str)
        else (str(current.get(name) if current.get(name) is not None else "") != value.strip())
    )


def _change(current: dict, values: dict) -> str:
    from store.imports import differs

    return "update" if differs(current, values) else "unchanged"


def _values(
    layer: str,
    cells: list[str],
    mapping: Mapping,
    names: dict[int, str],
    context: ImportContext,
    out: Row,
) -> dict[str, Any]:
    spec = BY_NAME[layer]
    values: dict[str, Any] = {}
    stock: dict[str, float] = {}
    for index, target in mapping.columns.items():
        cell = cells[index] if index < len(cells) else ""
        if target in (LON, LAT, WKT):
            continue
        if target.startswith(STOCK):
            quantity = _quantity(cell, names[index], out)
            if quantity is not None:
                stock[target[len(STOCK) :]] = quantity
            continue
        f = spec[target]
        if f.kind in ("text", "phone") and cell == "" and not f.required:
            continue  # blank cells of optional text keep what is there (or the default)
        if cell == "" and not f.required:
            continue
        if target == "township_code" and cell and not context.exists("townships", cell):
            cell = context.town_names.get(cell, context.town_names.get(cell.lower(), cell))
        if f.vocab is not None and cell:
            cell = _term(f.vocab, cell)
        if f.kind == "level" and cell:
            cell = cell.rstrip("级").strip()
        values[target] = cell
    for index, header in mapping.unknown_items.items():
        if index < len(cells) and cells[index].strip() not in ("", "0"):
            out.problems.append(Problem(header, "unknown_item", {"item": header}))
    if stock or (layer == "depots" and any(t.startswith(STOCK) for t in mapping.columns.values())):
        values["stock"] = stock
    return values


def _term(vocab: tuple, cell: str) -> str:
    """A vocabulary value given as its key or its Chinese or English label."""
    folded = cell.strip().lower()
    for term in vocab:
        if folded in (term.key, term.zh, term.en.lower()):
            return term.key
    return cell


def _quantity(cell: str, header: str, out: Row) -> float | None:
    if cell.strip() == "":
        return None
    try:
        number = float(cell.replace(",", "").strip())
    except ValueError:
        out.problems.append(Problem(header, "not_number"))
        return None
    if not math.isfinite(number):
        out.problems.append(Problem(header, "not_number"))
        return None
    if number < 0:
        out.problems.append(Problem(header, "negative"))
        return None
    return number


@dataclass
class _Points:
    """Where each row is: from two columns or from the file's geometry, in WGS 84."""

    system: str
    geoms: list[Any] | None = None  # from the file's geometry, one per row
    lon: int | None = None
    lat: int | None = None
    rows: list[list[str]] | None = None
    kind: str = "point"
    transform: Transformer | None = None
    wkt: bool = False  # the geometry came from a WKT column: problems name that column

    def located(self, rows: list[Row], header_of: dict[str, str]) -> list[Any]:
        """Every row's point. Plain decimal degrees in WGS 84 inside China (a city's
        150,000 rows, nearly all) are read and made points all at once; the rest, and
        any such pair that is out of range or swapped, go through :meth:`geom`."""
        columns = self.lon is not None and self.lat is not None and self.rows is not None
        if not columns or self.transform is not None or self.system != "wgs84":
            return [self.geom(i, out, header_of) for i, out in enumerate(rows)]
        xy = np.full((len(self.rows), 2), np.nan)
        lon_at, lat_at, plain = self.lon, self.lat, _DECIMAL.fullmatch
        for i, cells in enumerate(self.rows):
            if lon_at < len(cells) and lat_at < len(cells):
                lon, lat = cells[lon_at], cells[lat_at]
                if plain(lon) and plain(lat):
                    xy[i] = float(lon), float(lat)
        west, south, east, north = CHINA
        fast = (xy[:, 0] >= west) & (xy[:, 0] <= east) & (xy[:, 1] >= south) & (xy[:, 1] <= north)
        made = iter(shapely.points(xy[fast]))
        return [
            next(made) if fast[i] else self.geom(i, out, header_of) for i, out in enumerate(rows)
        ]

    def geom(self, i: int, out: Row, header_of: dict[str, str]) -> Any:
        if self.geoms is not None:
            geom = self.geoms[i]
            name = header_of.get(WKT, "geometry") if self.wkt else "geometry"
            if geom is _MALFORMED:
                kind = self.kind.replace("multi", "multi-")
                zh = "点" if self.kind == "point" else "（多）面"
                out.problems.append(Problem(name, "bad_geometry", {"kind": kind, "kind_zh": zh}))
                return None
            if geom is None or geom.is_empty:
                out.problems.append(Problem(name, "empty_geometry"))
                return None
            if self.kind == "point" and geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
                geom = geom.geoms[0]  # a Shapefile of points often says MultiPoint
            if self.system == "gcj02":
                geom = _from_gcj02(geom)
            return geom
        if self.lon is None or self.lat is None or self.rows is None:
            if self.kind != "point" or self.rows is None:
                return None
            out.problems.append(Problem("geom", "no_location"))
            return None
        cells = self.rows[i]
        lon = cells[self.lon] if self.lon < len(cells) else ""
        lat = cells[self.lat] if self.lat < len(cells) else ""
        name = f"{header_of[LON]}/{header_of[LAT]}"
        if not lon.strip() or not lat.strip():
            out.problems.append(Problem(name, "empty_geometry"))
            return None
        try:
            if self.transform is not None:
                x, y = self.transform.transform(parse_angle(lon)[0], parse_angle(lat)[0])
                position = parse_position(str(x), str(y))
            else:
                position = parse_position(lon, lat, self.system)
        except CoordinateError as exc:
            out.problems.append(Problem(name, exc.code, exc.params))
            return None
        return shapely.Point(position.lon, position.lat)


def _points(
    layer: str, table: Table, mapping: Mapping, system: str | None, notes: list[Problem]
) -> _Points:
    kind = next(f.kind for f in FIELDS[layer] if f.name == "geom")
    if table.geometry is not None:
        geometry = table.geometry
        declared = table.crs
        if declared is None:
            geometry = gpd.GeoSeries(geometry.values, crs=_SYSTEMS.get(system or "", system)
                                     if system != "gcj02" else "EPSG:4326")  # fmt: skip
            notes.append(Problem("file", "note_no_crs", {"crs": system or "wgs84"}))
        elif CRS.from_user_input(declared).to_epsg() != 4326:
            notes.append(Problem("file", "note_crs", {"crs": declared}))
        if geometry.crs is not None and geometry.crs.to_epsg() != 4326:
            geometry = geometry.to_crs("EPSG:4326")
        geoms = [None if g is None else g for g in geometry.values]
        used = "gcj02" if system == "gcj02" else (declared or system or "wgs84")
        return _Points(used, geoms=geoms, kind=kind)
    wkt = next((i for i, t in mapping.columns.items() if t == WKT), None)
    if wkt is not None and kind != "point":
        geoms = [_from_wkt(row[wkt] if wkt < len(row) else "") for row in table.rows]
        return _Points(system or "wgs84", geoms=geoms, kind=kind, wkt=True)
    lon = next((i for i, t in mapping.columns.items() if t == LON), None)
    lat = next((i for i, t in mapping.columns.items() if t == LAT), None)
    used = system or "wgs84"
    transform = None
    if used not in _SYSTEMS:
        transform = Transformer.from_crs(used, "EPSG:4326", always_xy=True)
        notes.append(Problem("file", "note_crs", {"crs": used}))
    return _Points(used, lon=lon, lat=lat, rows=table.rows, kind=kind, transform=transform)


_MALFORMED = shapely.Point()  # a WKT cell that does not parse: "must be a multi-polygon"


def _from_wkt(text: str) -> shapely.Geometry | None:
    if not text.strip():
        return None
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException:
        return _MALFORMED


def _from_gcj02(geom: shapely.Geometry) -> shapely.Geometry:
    def convert(coords: np.ndarray) -> np.ndarray:
        out = [prcoords.gcj_wgs_bored((y, x)) for x, y in coords]
        return np.array([(lon, lat) for lat, lon in out])

    return shapely.transform(geom, convert)
