"""The ledger as an .xlsx in the layout bureaus file (隐患排查治理台账).

Sheet 1: one row per hidden danger (number, when and where found, grade,
description, finder, responsible unit and person, measures, funds, deadline,
contingency plan, supervision, status, rectification and verification).
Sheet 2: the figures per township and the total. Written in openpyxl's
write-only mode, so a city's ledger streams out without a workbook in memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from auth import Principal, require
from domain import DANGER_GRADES, LEDGER_STATUSES, RISK_CATEGORIES, term
from layers.townships import townships
from ledger.figures import by_township
from ledger.rules import danger_grade
from store import Store
from store import ledger as store_ledger
from store.ledger import Query

# (heading zh, heading en, width) of sheet 1, in the bureau's order.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("序号", "No.", 6),
    ("隐患编号", "Code", 18),
    ("发现日期", "Found on", 12),
    ("所属乡镇", "Township", 14),
    ("隐患名称及地点", "Name and place", 28),
    ("隐患类别", "Category", 12),
    ("隐患等级", "Grade", 10),
    ("隐患描述", "Description", 30),
    ("排查人", "Finder", 10),
    ("责任单位", "Responsible unit", 18),
    ("责任人", "Responsible person", 10),
    ("联系电话", "Phone", 14),
    ("整改措施", "Measures", 30),
    ("整改资金（元）", "Funds (yuan)", 12),
    ("整改时限", "Deadline", 12),
    ("应急预案", "Contingency plan", 24),
    ("挂牌督办", "Supervised", 8),
    ("督办领导", "Supervised by", 12),
    ("整改状态", "Status", 12),
    ("是否逾期", "Overdue", 8),
    ("整改人", "Rectified by", 10),
    ("整改完成时间", "Rectified at", 18),
    ("验收人", "Verifier", 12),
    ("验收日期", "Verified on", 12),
)
FIGURE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "乡镇（街道）", "Township"),
    ("found", "排查隐患", "Found"),
    ("rectified", "已整改", "Rectified"),
    ("rate", "整改率", "Rate"),
    ("overdue", "逾期未整改", "Overdue"),
    ("major_open", "重大隐患未整改", "Major open"),
    ("supervised", "挂牌督办", "Supervised"),
    ("verified", "已验收销号", "Verified"),
)
CHUNK = 5000


def ledger_rows(
    store: Store,
    actor: Principal | None,
    query: Query,
    today: date,
    lang: str = "zh",
    timezone: str = "Asia/Shanghai",
) -> list[list]:
    """Sheet 1's rows (without the headings) for the items ``query`` selects, every page
    of them when ``query.limit`` is 0."""
    require(actor, "read")
    names = townships(store).set_index("code")["name" if lang == "zh" else "name_en"].to_dict()
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    zone = ZoneInfo(timezone)
    out: list[list] = []
    offset, remaining = query.offset, query.limit or None
    while True:
        size = CHUNK if remaining is None else min(CHUNK, remaining)
        page = Query(**{**query.__dict__, "offset": offset, "limit": size})
        _total, rows = store_ledger.page(store.engine, page, today)
        for row in rows:
            out.append(
                [
                    len(out) + 1,
                    row["code"],
                    row["found_on"],
                    names.get(row["township_code"], row["township_code"]),
                    row["name"] if lang == "zh" else (row["name_en"] or row["name"]),
                    _label(RISK_CATEGORIES, row["category"], lang),
                    _label(DANGER_GRADES, danger_grade(row["grade"]), lang),
                    row["description"] or "",
                    row["finder"] or "",
                    row["responsible_unit"] or "",
                    row["responsible_person"],
                    row["responsible_phone"],
                    row["measures"] or "",
                    row["funds"],
                    row["rectification_deadline"],
                    row["contingency_plan"] or "",
                    yes if row["supervised"] else no,
                    row["supervised_by"] or "",
                    _label(LEDGER_STATUSES, row["status"], lang),
                    yes if row["overdue"] else no,
                    row["rectified_by"] or "",
                    _local(row["rectified_at"], zone),
                    row["verifier"] or "",
                    row["verified_on"],
                ]
            )
        offset += len(rows)
        if remaining is not None:
            remaining -= len(rows)
        if len(rows) < size or remaining == 0:
            return out


def ledger_workbook(
    store: Store,
    actor: Principal | None,
    query: Query | None = None,
    lang: str = "zh",
    today: date | None = None,
    title: str | None = None,
    timezone: str = "Asia/Shanghai",
) -> bytes:
    """The .xlsx bytes: the items ``query`` selects (all of them by default), and the figures."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    today = today or date.today()
    query = query or Query(limit=0)
    rows = ledger_rows(store, actor, query, today, lang, timezone)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("隐患台账" if lang == "zh" else "Ledger")
    for n, (_zh, _en, width) in enumerate(COLUMNS):
        sheet.column_dimensions[_column_letter(n)].width = width
    heading = title or ("隐患排查治理台账" if lang == "zh" else "Hidden-danger ledger")
    bold = Font(bold=True)
    cell = WriteOnlyCell(sheet, f"{heading}（{today.isoformat()}）" if lang == "zh"
                         else f"{heading} ({today.isoformat()})")  # fmt: skip
    cell.font = Font(bold=True, size=14)
    sheet.append([cell])
    heads = []
    for zh, en, _width in COLUMNS:
        head = WriteOnlyCell(sheet, zh if lang == "zh" else en)
        head.font = bold
        head.alignment = Alignment(wrap_text=True, vertical="center")
        heads.append(head)
    sheet.append(heads)
    for row in rows:
        sheet.append(row)
    stats = book.create_sheet("统计" if lang == "zh" else "Figures")
    stats.append(
        [WriteOnlyCell(stats, zh if lang == "zh" else en) for _k, zh, en in FIGURE_COLUMNS]
    )
    table = by_township(store, actor, today)
    for record in table.to_dict("records"):
        name = record["name"] if lang == "zh" else record["name_en"]
        values = [name, *(record[k] for k, *_ in FIGURE_COLUMNS[1:])]
        rate = values[3]
        values[3] = None if rate is None or rate != rate else round(float(rate), 4)
        stats.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _label(terms: Sequence, key: str | None, lang: str) -> str:
    if key is None:
        return ""
    try:
        t = term(terms, key)
    except KeyError:
        return key
    return t.zh if lang == "zh" else t.en


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    # Excel keeps no zone: the command centre's local time, written without one.
    return None if value is None else value.astimezone(zone).replace(tzinfo=None)


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n + 1)
