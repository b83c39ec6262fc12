"""Small files as departments send them, made by the tests: GBK CSV, a messy workbook,
a GBK Shapefile with no .cpg, GeoPackage, GeoJSON with a legacy ``crs`` member.

Points sit in the hand-made district (:mod:`tests.handmade`): T1 is
112.0-112.1 E, T2 112.1-112.2 E, both 30.0-30.1 N.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

RISK_HEADER = ["编号", "名称", "类别", "类型", "风险等级", "经度", "纬度", "责任人"]
# code, name, x, y: in T1 and T2
RISK_ROWS = [
    ["RN1", "江堤管涌点", "flood", "隐患点", "重大风险", "112.03", "30.04", "张三"],
    ["RN2", "易涝小区", "flood", "hidden_danger", "larger", "112.15", "30.02", "李四"],
]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def messy_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A workbook as offices make them: a merged title, a blank row, a 合计 row, a note."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(["2026年汛期风险隐患点台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["填报单位：小区应急管理局"])
    sheet.append(header)
    for n, row in enumerate(rows):
        sheet.append(row)
        if n == 0:
            sheet.append([])
    sheet.append(["合计", "", "", "", "", "", "", ""])
    sheet.append([])
    sheet.append(["注：坐标为 WGS 84。"])
    book.save(path)
    return path


def risk_frame(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "code": ["RG1", "RG2"],
            "name": ["滑坡点甲", "危化仓库乙"],
            "category": ["geological", "hazchem"],
            "kind": ["risk_source", "hidden_danger"],
            "grade": ["major", "general"],
        },
        geometry=[shapely.Point(112.03, 30.04), shapely.Point(112.15, 30.02)],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def gbk_shapefile_zip(path: Path, frame: gpd.GeoDataFrame) -> Path:
    """A zipped Shapefile whose .dbf is GBK, with no .cpg beside it."""
    folder = path.parent / (path.stem + "_shp")
    folder.mkdir()
    shp = folder / "risks.shp"
    pyogrio.write_dataframe(frame, shp, encoding="gbk")
    with zipfile.ZipFile(path, "w") as zf:
        for part in folder.iterdir():
            if part.suffix.lower() != ".cpg":
                zf.write(part, part.name)
    return path


def legacy_geojson(path: Path, frame: gpd.GeoDataFrame, epsg: int) -> Path:
    """GeoJSON in another CRS, declared with the 2008 spec's ``crs`` member."""
    data = json.loads(frame.to_crs(epsg=epsg).to_json())
    data["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
