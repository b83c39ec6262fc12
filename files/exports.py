"""A layer, filtered as on screen, as a file a planner can use and import again.

CSV is UTF-8 with a BOM (Excel then shows Chinese) with the Chinese headers
:func:`files.headers.export_headers` names; .xlsx the same; GeoJSON,
GeoPackage and zipped Shapefile (with its .cpg) carry the field names
(shortened to 10 characters for a Shapefile's .dbf, names the importer
knows). Every export read back by :func:`files.imports.import_file` matches
the records it came from: nothing added, nothing updated.

CSV and GeoJSON are produced as streams of chunks, so a city's 150,000
points start downloading at once; .xlsx is written row by row (xlsxwriter,
constant memory), GeoPackage and Shapefile to a temporary file that is then
streamed.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from auth import Principal, require
from domain import MATERIAL_CATALOGUE
from files.headers import LAT, LAYERS, LON, SHORT, STOCK, WKT, export_headers
from layers.filters import Filter, in_townships, mobilised
from store import Store

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".gpkg": "gpkg", ".zip": "shp"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
    "html": "text/html; charset=utf-8",
}
EXTENSIONS = {"csv": ".csv", "xlsx": ".xlsx", "geojson": ".geojson", "gpkg": ".gpkg",
              "shp": ".zip", "html": ".html"}  # fmt: skip
_LEVELLED = ("depots", "forces", "command_nodes")
CHUNK = 5000


class ExportError(ValueError):
    """An export that cannot be made (an unknown layer or format); the message says why."""


def layer_records(
    store: Store,
    actor: Principal | None,
    layer: str,
    *,
    townships: Sequence[str] | None = None,
    level: int | str | None = None,
) -> gpd.GeoDataFrame:
    """Every field of the layer's records that the filter keeps, stock spread wide."""
    require(actor, "read")
    if layer not in LAYERS:
        raise ExportError(f"no layer {layer!r} to export: one of {', '.join(LAYERS)}")
    flt = Filter.of(townships, level)
    frame = store.read(layer)
    if layer != "townships":
        keep = in_townships(frame, flt.townships)
        if layer in _LEVELLED:
            keep &= mobilised(frame, flt.level)
        frame = frame[keep.to_numpy()]
    elif flt.townships is not None:
        frame = frame[frame["code"].isin(flt.townships).to_numpy()]
    if layer == "depots":
        stock = store.read("depot_stock")
        wide = stock.pivot_table(
            index="depot_code", columns="item_code", values="quantity", aggfunc="sum"
        ).reindex(columns=[i.code for i in MATERIAL_CATALOGUE])
        wide.columns = [STOCK + c for c in wide.columns]
        frame = frame.join(wide, on="code")
        frame[list(wide.columns)] = frame[list(wide.columns)].fillna(0.0)
    return frame.reset_index(drop=True)


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _columns(layer: str) -> list[str]:
    """The fields an export writes, in the order of :data:`editing.fields.FIELDS`."""
    return list(export_headers(layer))


def _table_rows(layer: str, frame: gpd.GeoDataFrame) -> Iterator[list[object]]:
    """Rows of cells for CSV and xlsx: coordinates as 经度/纬度, polygons as WKT."""
    columns = _columns(layer)
    geoms = frame.geometry.values
    xs = shapely.get_x(geoms) if layer != "townships" else None
    ys = shapely.get_y(geoms) if layer != "townships" else None
    data = {c: frame[c].to_numpy(dtype=object) for c in columns if c in frame.columns}
    for i in range(len(frame)):
        row: list[object] = []
        for c in columns:
            if c == LON:
                row.append(float(xs[i]))
            elif c == LAT:
                row.append(float(ys[i]))
            elif c == WKT:
                row.append(shapely.to_wkt(geoms[i], rounding_precision=-1))
            else:
                row.append(_cell(data[c][i]) if c in data else "")
        yield row


def csv_chunks(layer: str, frame: gpd.GeoDataFrame) -> Iterator[bytes]:
    """The CSV export as chunks of bytes: a BOM and the header first, then rows by thousands."""
    headers = export_headers(layer)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([headers[c] for c in _columns(layer)])
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(_table_rows(layer, frame), start=1):
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
        if n % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _write_xlsx(layer: str, frame: gpd.GeoDataFrame, path: Path) -> None:
    """xlsxwriter in constant_memory mode: each row goes to the sheet's XML as it comes
    (openpyxl's write_only mode took 41 s for the city's 150,000 points)."""
    import xlsxwriter

    headers = export_headers(layer)
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False,
                    "strings_to_formulas": False, "strings_to_urls": False},
    )  # fmt: skip
    sheet = book.add_worksheet(layer[:31])
    sheet.write_row(0, 0, [headers[c] for c in _columns(layer)])
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, row in enumerate(_table_rows(layer, frame), start=1):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                write_number(r, c, value)
            elif value != "":
                write_string(r, c, str(value))
    book.close()


def geojson_chunks(layer: str, frame: gpd.GeoDataFrame) -> Iterator[bytes]:
    """The GeoJSON export as a FeatureCollection written piecewise, features by thousands,
    so a download starts at once; the same properties as the GeoPackage's."""
    import orjson

    gis = _gis_frame(layer, frame, False)
    names = [c for c in gis.columns if c != gis.geometry.name]
    yield b'{"type":"FeatureCollection","features":['
    for start in range(0, len(gis), CHUNK):
        part = gis.iloc[start : start + CHUNK]
        geoms = shapely.to_geojson(part.geometry.values)
        columns = [part[n].to_numpy(dtype=object) for n in names]
        features = []
        for i, geom in enumerate(geoms):
            props = {n: _plain(col[i]) for n, col in zip(names, columns, strict=True)}
            features.append(
                b'{"type":"Feature","properties":' + orjson.dumps(props)
                + b',"geometry":' + (geom.encode() if geom is not None else b"null") + b"}"
            )  # fmt: skip
        yield (b"," if start else b"") + b",".join(features)
    yield b"]}"


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _gis_frame(layer: str, frame: gpd.GeoDataFrame, short: bool) -> gpd.GeoDataFrame:
    columns = [c for c in _columns(layer) if c not in (LON, LAT, WKT)]
    out = pd.DataFrame(
        {
            (SHORT.get(c, c) if short else c).removeprefix(STOCK): [
                _cell(v) for v in frame[c].to_numpy(dtype=object)
            ]
            if c in frame.columns
            else ""
            for c in columns
        }
    )
    for name in out.columns:  # one type per column: numbers stay numbers, the rest text
        if not all(isinstance(v, (int, float)) for v in out[name]):
            out[name] = out[name].astype(str)
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs="EPSG:4326")


def write_export(layer: str, frame: gpd.GeoDataFrame, fmt: str, path: Path) -> None:
    """Write ``frame`` (from :func:`layer_records`) to ``path`` as ``fmt``."""
    import pyogrio

    if fmt == "csv":
        with path.open("wb") as out:
            for chunk in csv_chunks(layer, frame):
                out.write(chunk)
    elif fmt == "xlsx":
        _write_xlsx(layer, frame, path)
    elif fmt == "geojson":
        with path.open("wb") as out:
            for chunk in geojson_chunks(layer, frame):
                out.write(chunk)
    elif fmt == "gpkg":
        pyogrio.write_dataframe(_gis_frame(layer, frame, False), path, driver="GPKG", layer=layer)
    elif fmt == "shp":
        with tempfile.TemporaryDirectory() as folder:
            shp = Path(folder) / f"{layer}.shp"
            pyogrio.write_dataframe(_gis_frame(layer, frame, True), shp, encoding="UTF-8")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                for part in sorted(Path(folder).iterdir()):
                    zf.write(part, part.name)
    else:
        raise ExportError(f"no export format {fmt!r}")


def format_of(path: str | Path) -> str:
    """The export format a file name asks for (``.html``: the offline map)."""
    ext = Path(path).suffix.lower()
    if ext == ".html":
        return "html"
    if ext not in FORMATS:
        raise ExportError(f"cannot export to {ext or 'a file with no extension'}: "
                          f"use {', '.join([*FORMATS, '.html'])}")  # fmt: skip
    return FORMATS[ext]


def export_to(
    store: Store,
    actor: Principal | None,
    layer: str,
    path: str | Path,
    *,
    townships: Sequence[str] | None = None,
    level: int | str | None = None,
    lang: str = "zh",
) -> int:
    """Export ``layer`` to ``path``, the format from its extension; returns the rows written."""
    path = Path(path)
    fmt = format_of(path)
    frame = layer_records(store, actor, layer, townships=townships, level=level)
    if fmt == "html":
        from files.webmap import offline_map

        path.write_text(
            offline_map(store, actor, layer, townships=townships, level=level, lang=lang),
            encoding="utf-8",
        )
        return len(frame)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=path.suffix, delete=False) as tmp:
        partial = Path(tmp.name)
    try:
        write_export(layer, frame, fmt, partial)
        shutil.move(partial, path)  # a file is whole or absent, never half-written
    finally:
        partial.unlink(missing_ok=True)
    return len(frame)


def export_stream(
    store: Store,
    actor: Principal | None,
    layer: str,
    fmt: str,
    *,
    townships: Sequence[str] | None = None,
    level: int | str | None = None,
) -> Iterator[bytes]:
    """The export as chunks of bytes, for an HTTP response that starts at once."""
    frame = layer_records(store, actor, layer, townships=townships, level=level)
    if fmt == "csv":
        yield from csv_chunks(layer, frame)
        return
    if fmt == "geojson":
        yield from geojson_chunks(layer, frame)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{layer}{EXTENSIONS[fmt]}"
        write_export(layer, frame, fmt, path)
        with path.open("rb") as data:
            while chunk := data.read(1 << 20):
                yield chunk
