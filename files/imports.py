"""Import a file into a layer: the one operation the page, the API and the command line call.

``import_file`` reads the file (:mod:`files.readers`), checks every row
(:mod:`files.checks`) and, unless it is a dry run, writes the accepted rows
in one transaction (:mod:`store.imports`): all of them, or nothing when any
row was rejected, unless the planner chose ``accept_partial``; then the
import's row lists the rows left out. The :class:`Report` says row by row
what was (or would be) added, updated or rejected and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auth import Principal, require
from editing.fields import PERMISSION
from editing.messages import Problem
from files.checks import ImportContext, Plan, plan_import
from files.headers import LAYERS, map_headers
from files.readers import MAX_MB, FileRefused, read_table
from store import Store
from store.records import RecordError, StaleRecord


class UnknownLayer(ValueError):
    """A layer that cannot be imported into."""


@dataclass
class Report:
    """What an import did (or, for a dry run or a refusal, would have done)."""

    layer: str
    file: str
    encoding: str | None = None
    crs: str | None = None
    format: str | None = None
    plan: Plan | None = None
    committed: bool = False
    import_id: int | None = None
    error: Problem | None = None
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every row accepted (and, unless a dry run, committed)."""
        return self.error is None and self.plan is not None and not self.plan.rejected

    def rejected(self, lang: str = "en") -> list[dict]:
        """One entry per reason a row was rejected: its row, its field, the reason."""
        if self.plan is None:
            return []
        return [
            {"row": r.row, "code": r.code, "field": p.field, "reason": p.say(lang)}
            for r in self.plan.rejected
            for p in r.problems
        ]

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        """The object ``manage.py import --json`` prints and ``/api/files`` returns."""
        plan = self.plan
        out: dict[str, Any] = {
            "layer": self.layer,
            "file": self.file,
            "format": self.format,
            "encoding": self.encoding,
            "crs": self.crs,
            "added": plan.codes("add") if plan else [],
            "updated": plan.codes("update") if plan else [],
            "unchanged": plan.codes("unchanged") if plan else [],
            "rejected": self.rejected(lang),
            "committed": self.committed,
            "notes": [n.say(lang) for n in self.notes],
        }
        if self.import_id is not None:
            out["import"] = self.import_id
        if self.error is not None:
            out["error"] = self.error.say(lang)
        return out

    def rows(self, lang: str = "en") -> list[dict]:
        """The preview: every row with what happens to it and why."""
        if self.plan is None:
            return []
        return [
            {
                "row": r.row,
                "code": r.code or "",
                "action": r.action,
                "why": "; ".join(
                    (f"{p.field}: " if p.field else "") + p.say(lang)
                    for p in (r.problems or r.warnings)
                ),
            }
            for r in self.plan.rows
        ]


def import_file(
    store: Store,
    actor: Principal | None,
    layer: str,
    path: str | Path,
    *,
    name: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    accept_partial: bool = False,
    max_mb: float = MAX_MB,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Import the file at ``path`` (sent as ``name``) into ``layer``.

    Imports are edits: the principal needs the layer's edit permission. With
    ``dry_run`` nothing is written. Rejected rows stop the whole import unless
    ``accept_partial``.
    """
    if layer not in LAYERS:
        raise UnknownLayer(f"no layer {layer!r} to import into: one of {', '.join(LAYERS)}")
    who = require(actor, PERMISSION[layer])
    name = name or Path(path).name
    report = Report(layer, name)
    try:
        table = read_table(path, name=name, encoding=encoding, sheet=sheet, max_mb=max_mb)
        report.format, report.encoding = table.format, table.encoding
        mapping = map_headers(layer, table.header)
        code_at = [i for i, t in mapping.columns.items() if t == "code"]
        codes = [row[code_at[0]].strip() for row in table.rows if code_at and code_at[0] < len(row)]
        # a code with a control character is rejected by the row checks, and PostgreSQL
        # refuses a NUL even in a lookup: asking for it failed the whole import
        existing = store.imports.existing(layer, [c for c in codes if c.isprintable()])
        plan = plan_import(
            store, layer, table, file=name, crs=crs, existing=existing,
            context=ImportContext(store),
        )  # fmt: skip
    except FileRefused as refused:
        report.error = refused.problem
        return report
    report.plan, report.crs, report.notes = plan, plan.crs, plan.notes
    del table, codes, existing  # the cells are in the plan now: a city's file is ~300 MB of them
    if dry_run or (plan.rejected and not accept_partial):
        return report
    added = [r.values for r in plan.rows if r.action == "add"]
    updated = [(r.current, r.values) for r in plan.rows if r.action == "update"]
    if not added and not updated:
        # nothing to change: the store already holds the file (committed), or every row
        # was rejected and a partial import has nothing to write (not committed, and no
        # import record of an import that imported nothing)
        report.committed = not plan.rejected
        return report
    left_out = report.rejected("en")
    try:
        report.import_id = store.imports.commit(
            layer, added, updated, who.name, file=name, format=plan.format,
            encoding=plan.encoding, crs=plan.crs, left_out=left_out, progress=progress,
        )  # fmt: skip
    except StaleRecord as stale:
        code = (stale.current or {}).get("code", "")
        report.error = Problem("file", "stale_import", {"code": code})
        return report
    except RecordError as refused:
        report.error = Problem("file", "store_refused", {"reason": str(refused)})
        return report
    report.committed = True
    return report
