"""One reader per file format, each to the same thing: a table of cells and where they came from.

Departments send whatever their office software writes, so a reader never
guesses quietly: it decodes text strictly (UTF-8, then GB18030, a superset of
GBK and GB2312) and says which it used; it finds the header under a title and
drops blank rows, a 合计 totals row and notes under the table, and says so;
it refuses a file that is empty, cut off, too large or not what its name says
with :class:`FileRefused`, whose ``problem`` is a message for the planner.

Cells come back as strings (``""`` for blank) so that the row checks read
every format the same way; a GIS file's geometry comes back in WGS 84.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from editing.messages import Problem

MAX_MB = 200  # the largest file an import reads (a city's 150,000 points are ~30 MB)
HEADER_SEARCH = 20  # rows looked at for the header
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".zip": "shapefile",
    ".gpkg": "gpkg",
}
_KIND_NAMES = {
    "zip": ("压缩包或 Excel 文件", "a zip archive or an Excel workbook"),
    "sqlite": ("SQLite/GeoPackage 数据库", "an SQLite/GeoPackage database"),
    "json": ("JSON 文本", "JSON text"),
    "text": ("纯文本", "plain text"),
    "binary": ("二进制数据", "binary data"),
}
_TOTALS = ("合计", "总计", "小计", "total")
_NOTES = ("注", "说明", "备注", "填表", "制表", "审核", "note")


class FileRefused(ValueError):
    """A file refused whole; nothing of it is imported."""

    def __init__(self, code: str, **params: object) -> None:
        self.problem = Problem("file", code, dict(params))
        super().__init__(self.problem.say("en"))


@dataclass
class Table:
    """What a reader found: header cells, rows of cells, the file's row number of each."""

    header: list[str]
    rows: list[list[str]]
    numbers: list[int]
    format: str
    encoding: str | None = None
    crs: str | None = None  # what the file declared (GIS files), before reprojection
    geometry: gpd.GeoSeries | None = None  # GIS files: one per row, in EPSG:4326
    notes: list[Problem] = field(default_factory=list)


def read_table(
    path: str | Path,
    *,
    name: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    max_mb: float = MAX_MB,
) -> Table:
    """Read ``path`` (called ``name`` by whoever sent it) into a :class:`Table`.

    ``encoding`` overrides the decoding of text (CSV, a Shapefile's .dbf);
    ``sheet`` names the sheet of a workbook or the layer of a GeoPackage.
    """
    path = Path(path)
    name = name or path.name
    ext = Path(name).suffix.lower()
    if ext not in FORMATS:
        raise FileRefused("file_unknown_format", ext=ext or "(none)")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise FileRefused("file_too_large", size=f"{size / 1024 / 1024:.1f}", limit=f"{max_mb:g}")
    if size == 0:
        raise FileRefused("file_empty")
    fmt = FORMATS[ext]
    with path.open("rb") as fh:
        head = fh.read(16)
    _check_kind(fmt, ext, head)
    if fmt == "csv":
        return _read_csv(path.read_bytes(), encoding)
    if fmt == "xlsx":
        return _read_xlsx(path, sheet)
    return _read_gis(path, fmt, encoding, sheet)


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        return "json"
    if b"\x00" in head:
        return "binary"
    return "text"


def _check_kind(fmt: str, ext: str, head: bytes) -> None:
    """The content must be what the extension says (a renamed file is refused, not misread)."""
    kind = _sniff(head)
    expected = {
        "csv": ("text", "json"),
        "xlsx": ("zip",),
        "shapefile": ("zip",),
        "gpkg": ("sqlite",),
        "geojson": ("json",),
    }[fmt]
    if kind not in expected:
        zh, en = _KIND_NAMES[kind]
        raise FileRefused("file_wrong_kind", ext=ext, found=en, found_zh=zh)


# --- text ----------------------------------------------------------------------


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding used: strict UTF-8 (with or without BOM), else GB18030.

    Never a silent mis-decode: bytes neither reads are refused, and a UTF-8 file
    cut inside a character is called truncated, not read as GB18030.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding.lower()
        except LookupError:
            raise FileRefused("file_unreadable", detail=f"unknown encoding {encoding}") from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FileRefused("file_encoding", encoding=encoding, line=line) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _utf8_failure(data[3:], exc) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            raise _utf8_failure(data, exc) from None
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused("file_encoding", encoding="UTF-8 / GB18030", line=line) from None


def _utf8_failure(data: bytes, exc: UnicodeDecodeError) -> FileRefused:
    line = data[: exc.start].count(b"\n") + 1
    if exc.reason == "unexpected end of data":
        return FileRefused("file_truncated", detail=f"the last character of line {line} is cut")
    return FileRefused("file_encoding", encoding="UTF-8", line=line)


def _read_csv(data: bytes, encoding: str | None) -> Table:
    text, used = decode(data, encoding)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 1
    try:
        for cells in reader:
            rows.append(cells)
            numbers.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused("file_truncated", detail=f"line {line}: {exc}") from None
    if text and not text.endswith(("\n", "\r")) and rows and _open_quote(text):
        raise FileRefused("file_truncated", detail="a quoted cell is not closed")
    table = _tabulate(rows, numbers, "csv")
    table.encoding = used
    table.notes.insert(0, Problem("file", "note_encoding", {"encoding": used}))
    return table


def _open_quote(text: str) -> bool:
    return text.count('"') % 2 == 1


# --- spreadsheets -------------------------------------------------------------


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRefused("file_truncated", detail=str(exc).splitlines()[0][:200]) from None
    names = book.sheet_names
    if sheet is not None and sheet not in names:
        raise FileRefused("file_no_layer", name=sheet)
    try:
        cells = book.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise FileRefused("file_truncated", detail=str(exc).splitlines()[0][:200]) from None
    rows = [[_cell(v) for v in row] for row in cells]
    return _tabulate(rows, list(range(1, len(rows) + 1)), "xlsx")


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a person sees (101.0 typed as 101 is "101")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN: an empty cell of a GIS file
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _tabulate(rows: list[list[str]], numbers: list[int], fmt: str) -> Table:
    """Find the header and keep the rows of data: what is dropped is said in ``notes``."""
    from files.headers import looks_like_header

    rows = [[c.strip() for c in row] for row in rows]
    start = next((i for i, row in enumerate(rows[:HEADER_SEARCH]) if looks_like_header(row)), None)
    if start is None:
        if not any(any(row) for row in rows):
            raise FileRefused("file_empty")
        raise FileRefused("file_no_header", n=HEADER_SEARCH)
    header = rows[start]
    while header and not header[-1]:
        header = header[:-1]
    notes: list[Problem] = []
    if start:
        notes.append(Problem("file", "note_title_rows", {"row": numbers[start], "n": start}))
    kept: list[list[str]] = []
    kept_numbers: list[int] = []
    blank = 0
    for row, number in zip(rows[start + 1 :], numbers[start + 1 :], strict=True):
        filled = [c for c in row if c]
        if not filled:
            blank += 1
            continue
        first = filled[0].replace(" ", "").lower()
        if any(first.startswith(word) for word in _TOTALS):
            notes.append(Problem("file", "note_total_row", {"row": number}))
            continue
        if (len(filled) == 1 and len(header) > 2) or any(
            first.startswith(word) and len(filled) <= 2 for word in _NOTES
        ):
            notes.append(Problem("file", "note_note_row", {"row": number, "text": filled[0][:60]}))
            continue
        kept.append(row)
        kept_numbers.append(number)
    if blank:
        notes.append(Problem("file", "note_blank_rows", {"n": blank}))
    if not kept:
        raise FileRefused("file_empty")
    return Table(header, kept, kept_numbers, fmt, notes=notes)


# --- GIS files (pyogrio) -------------------------------------------------------------


def _read_gis(path: Path, fmt: str, encoding: str | None, layer: str | None) -> Table:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    source: str | io.BytesIO = str(path)
    used = encoding
    if fmt == "shapefile":
        source, used = _shapefile(path, encoding)
    elif fmt == "geojson":
        source = _without_nul(path)
    try:
        if layer is not None and fmt == "gpkg":
            names = [n for n, _kind in pyogrio.list_layers(source)]
            if layer not in names:
                raise FileRefused("file_no_layer", name=layer)
        with warnings.catch_warnings():
            # GDAL's asides on a file ("could not parse column as JSON", a point of no
            # coordinates) are not the planner's: the row checks say what is wrong, and
            # where warnings are errors (the tests) an aside failed the whole import
            warnings.simplefilter("ignore")
            frame = pyogrio.read_dataframe(
                source,
                layer=layer if fmt == "gpkg" else None,
                encoding=used if fmt == "shapefile" else None,
                use_arrow=False,
            )
    except (DataSourceError, DataLayerError) as exc:
        detail = str(exc).splitlines()[0][:200].replace(str(path), path.name)
        if fmt == "geojson" and not path.read_bytes().rstrip().endswith((b"}", b"]")):
            raise FileRefused("file_truncated", detail=detail) from None
        raise FileRefused("file_truncated" if fmt != "geojson" else "file_unreadable",
                          detail=detail) from None  # fmt: skip
    if frame.empty:
        raise FileRefused("file_empty")
    notes: list[Problem] = []
    if fmt == "shapefile":
        notes.append(Problem("file", "note_encoding", {"encoding": used}))
    declared = frame.crs.to_string() if frame.crs is not None else None
    geometry = frame.geometry
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    header = [str(c) for c in attributes.columns]
    rows = [[_cell(v) for v in row] for row in attributes.astype(object).itertuples(index=False)]
    return Table(
        header,
        [[("" if pd.isna(c) else c) if not isinstance(c, str) else c for c in row] for row in rows],
        list(range(1, len(rows) + 1)),
        fmt,
        encoding=used,
        crs=declared,
        geometry=geometry.reset_index(drop=True),
        notes=notes,
    )


_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")  # a JSON \u0000 escape, not an escaped backslash


def _without_nul(path: Path) -> str | io.BytesIO:
    """The GeoJSON with each ``\\u0000`` in its text made ``\\u001f``: GDAL's strings end at
    a NUL, so ``"a\\u0000b"`` was read as ``"a"`` (a name cut short, a bad quantity read
    as blank); another control character is dealt with by the row checks like a CSV's."""
    data = path.read_bytes()
    if b"\\u0000" not in data:
        return str(path)
    return io.BytesIO(_NUL.sub(rb"\1\\u001f", data))


def _shapefile(path: Path, encoding: str | None) -> tuple[str, str]:
    """The .shp inside a zip, and the encoding of its .dbf: the .cpg if any, else decided
    from the bytes (strict UTF-8, else GB18030): GDAL's own guess can be ISO-8859-1."""
    if not zipfile.is_zipfile(path):
        raise FileRefused("file_truncated", detail="not a complete zip archive")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            shp = next((n for n in names if n.lower().endswith(".shp")), None)
            if shp is None:
                raise FileRefused("file_no_shp")
            stem = shp[:-4]
            if encoding:
                return f"/vsizip/{path}/{shp}", encoding.lower()
            cpg = next((n for n in names if n.lower() == f"{stem.lower()}.cpg"), None)
            if cpg is not None:
                declared = zf.read(cpg).decode("ascii", "replace").strip() or "utf-8"
                return f"/vsizip/{path}/{shp}", _cpg_encoding(declared)
            dbf = next((n for n in names if n.lower() == f"{stem.lower()}.dbf"), None)
            text = _dbf_text(zf.read(dbf)) if dbf else b""
    except zipfile.BadZipFile as exc:
        raise FileRefused("file_truncated", detail=str(exc)) from None
    try:
        text.decode("utf-8")
        used = "utf-8"
    except UnicodeDecodeError:
        try:
            text.decode("gb18030")
            used = "gb18030"
        except UnicodeDecodeError:
            raise FileRefused("file_encoding", encoding="UTF-8 / GB18030", line=1) from None
    return f"/vsizip/{path}/{shp}", used


def _cpg_encoding(declared: str) -> str:
    known = {"65001": "utf-8", "936": "gbk", "utf8": "utf-8"}
    return known.get(declared.lower().replace("-", ""), declared.lower())


def _dbf_text(dbf: bytes) -> bytes:
    """The bytes of a .dbf that are text: its field names and its records."""
    if len(dbf) < 32:
        return b""
    header_len = int.from_bytes(dbf[8:10], "little")
    names = b"".join(
        dbf[at : at + 11].split(b"\x00")[0] + b" " for at in range(32, header_len - 1, 32)
    )
    return names + dbf[header_len:].rstrip(b"\x1a")
