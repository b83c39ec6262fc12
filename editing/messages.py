"""What is wrong with an entry, said in the planner's language.

A problem is a code and its parameters (so the API can return it as data and
a test can assert it); :func:`say` turns it into Chinese or English.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填", "required"),
    "too_long": ("最多 {n} 个字符", "at most {n} characters"),
    "not_integer": ("应为整数", "must be a whole number"),
    "not_number": ("应为数字", "must be a number"),
    "too_small": ("不能小于 {min}", "must be at least {min}"),
    "too_large": ("不能大于 {max}", "must be at most {max}"),
    "not_choice": ("应为以下之一：{choices}", "must be one of: {choices}"),
    "unknown_ref": ("找不到编号为 {code} 的{what_zh}", "no {what} with the code {code}"),
    "bad_date": ("日期格式应如 2026-06-30", "a date like 2026-06-30"),
    "bad_datetime": ("时间格式应如 2026-06-30 14:00", "a time like 2026-06-30 14:00"),
    "bad_phone": (
        "电话号码只能包含数字、空格、括号、+ 和 -（3 到 30 位）",
        "a phone number: digits, spaces, brackets, + and - (3 to 30)",
    ),
    "bad_code": (
        "编号只能包含字母、数字、- 和 _（最多 40 位）",
        "a code: letters, digits, - and _ (at most 40)",
    ),
    "bad_coordinate": ("无法识别的坐标“{text}”", "not a coordinate: “{text}”"),
    "bad_system": ("坐标系应为 {systems}", "the coordinate system must be one of {systems}"),
    "lon_range": ("经度应在 -180 到 180 之间", "a longitude is between -180 and 180"),
    "lat_range": ("纬度应在 -90 到 90 之间", "a latitude is between -90 and 90"),
    "swapped": ("经度和纬度似乎填反了", "longitude and latitude look swapped"),
    "not_in_china": (
        "该点不在中国境内，请检查坐标和坐标系",
        "not in China: check the numbers and the system",
    ),
    "bad_geometry": ("应为{kind_zh}", "must be a {kind}"),
    "empty_geometry": ("位置为空", "the location is empty"),
    "no_township": (
        "该点不在任何乡镇内，请填写所属乡镇",
        "the point lies in no township: give the township",
    ),
    "unknown_item": ("物资目录中没有“{item}”", "no catalogue item “{item}”"),
    "negative": ("不能为负数", "cannot be negative"),
    "ledger_owned": (
        "整改状态只能在隐患台账中按步骤更改",
        "the rectification status changes only by a step in the hidden-danger ledger",
    ),
    "parent_self": (
        "上级不能是本节点自己或其下级",
        "the parent cannot be the node itself or below it",
    ),
    "parent_level": ("上级节点的级别应高于本节点", "the parent must be of a higher level"),
    "township_level": (
        "乡镇和村级节点须填写所属乡镇，市级及以上节点不填",
        "township and village nodes have a township; city and above have none",
    ),
    "hidden_only": ("只有隐患点才有整改信息", "only hidden dangers are rectified"),
    "ends_before_start": ("结束时间应晚于开始时间", "must be after the start"),
    "unknown_field": ("没有这个字段", "no such field"),
    "key_change": ("编号不能修改", "a code cannot change"),
    "not_object": ("应为对象", "must be an object"),
    "code_taken": ("该编号已被使用", "this code is taken by another record"),
    "store_refused": ("数据库拒绝了这次修改：{reason}", "the store refused the change: {reason}"),
    # files: a whole file refused, a row of a file rejected, what a reader dropped
    "file_empty": ("文件为空，没有数据行", "the file is empty: no rows of data"),
    "file_truncated": (
        "文件不完整（可能在传输中被截断）：{detail}",
        "the file is incomplete (cut off in transfer?): {detail}",
    ),
    "file_too_large": (
        "文件过大：{size} MB，上限为 {limit} MB",
        "the file is too large: {size} MB, the limit is {limit} MB",
    ),
    "file_wrong_kind": (
        "文件扩展名为 {ext}，但内容是{found_zh}",
        "the file is named {ext} but holds {found}",
    ),
    "file_unknown_format": (
        "不支持的文件类型 {ext}：请用 CSV、xlsx、GeoJSON、Shapefile（zip）或 GeoPackage",
        "{ext} files cannot be read: use CSV, xlsx, GeoJSON, zipped Shapefile or GeoPackage",
    ),
    "file_unreadable": ("无法读取文件：{detail}", "the file cannot be read: {detail}"),
    "file_encoding": (
        "无法按 {encoding} 解码文件（第 {line} 行附近）",
        "the file cannot be decoded as {encoding} (near line {line})",
    ),
    "file_no_header": (
        "找不到表头：前 {n} 行中没有“编号”“名称”等列名",
        "no header found: none of the first {n} rows names columns such as code and name",
    ),
    "file_no_shp": ("压缩包中没有 .shp 文件", "the zip holds no .shp file"),
    "file_no_layer": (
        "文件中没有名为 {name} 的图层或工作表",
        "the file has no layer or sheet {name}",
    ),
    "file_bad_crs": (
        "无法识别的坐标系 {crs}：可用 wgs84、cgcs2000、gcj02 或 EPSG:代码",
        "unknown coordinate system {crs}: use wgs84, cgcs2000, gcj02 or EPSG:code",
    ),
    "no_location": (
        "没有位置：需要经度、纬度两列或文件自带的几何",
        "no location: give longitude and latitude columns or a geometry",
    ),
    "duplicate_code": (
        "编号 {code} 在文件中重复（第 {first} 行已有）",
        "code {code} is also in row {first}",
    ),
    "bad_cells": (
        "该行有 {found} 个单元格，表头有 {expected} 列",
        "the row has {found} cells, the header {expected}",
    ),
    "stale_import": (
        "预览之后 {code} 已被他人修改，请重新预览",
        "{code} was changed by someone else since the preview: preview again",
    ),
    "note_encoding": ("文件编码：{encoding}", "encoding: {encoding}"),
    "note_title_rows": (
        "表头在第 {row} 行，已跳过其上方的 {n} 行（标题）",
        "the header is row {row}; {n} row(s) above it (a title) were skipped",
    ),
    "note_blank_rows": ("已跳过 {n} 个空行", "{n} blank row(s) skipped"),
    "note_total_row": (
        "第 {row} 行是合计行，未导入",
        "row {row} is a totals row (合计): not imported",
    ),
    "note_note_row": (
        "第 {row} 行是表格下方的说明，未导入：{text}",
        "row {row} is a note under the table: not imported: {text}",
    ),
    "note_unused_column": (
        "列“{column}”不对应任何字段，未导入",
        "column “{column}” matches no field: not imported",
    ),
    "note_crs": ("坐标系 {crs}，已转换为 WGS 84", "coordinates in {crs}, converted to WGS 84"),
    "note_no_crs": (
        "文件未声明坐标系，按 {crs} 读取",
        "the file declares no coordinate system: read as {crs}",
    ),
    # warnings: saved, but worth a second look
    "outside_jurisdiction": ("该点不在本辖区内", "the point lies outside the jurisdiction"),
    "other_township": (
        "该点位于{found_zh}，不在所填的{typed_zh}内",
        "the point lies in {found}, not in {typed}",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) with one field of an entry."""

    field: str
    code: str
    params: dict = field(default_factory=dict)

    def say(self, lang: str = "en") -> str:
        return say(self.code, self.params, lang)

    def as_json(self) -> dict:
        """For the API: the field, the reason in English and Chinese, and the code."""
        return {
            "field": self.field,
            "code": self.code,
            "reason": self.say("en"),
            "reason_zh": self.say("zh"),
        }


def say(code: str, params: dict, lang: str = "en") -> str:
    """The message for ``code`` in ``lang`` (zh or en)."""
    zh, en = MESSAGES[code]
    template = en if lang == "en" else zh
    # A control character in a cell is named, not printed (U+0000 for a NUL): the
    # message stays one readable line however the cell was mangled.
    values = {k: _visible(v) if isinstance(v, str) else v for k, v in params.items()}
    for key, value in list(values.items()):  # a *_zh variant falls back to the plain value
        values.setdefault(f"{key}_zh", value)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def _visible(text: str) -> str:
    return "".join(f"U+{ord(c):04X}" if unicodedata.category(c) == "Cc" else c for c in text)
