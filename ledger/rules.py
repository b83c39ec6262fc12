"""The lifecycle rules of a hidden danger, with no database: what a step may do.

found -> rectifying -> rectified (measures and a note) -> verified (closed);
a rectified or verified item may be sent back (reopened) to rectifying. A
general item fixed at once may be reported rectified straight from found.
Refused steps raise :class:`Refused` with a code and its parameters, said in
Chinese or English (:meth:`Refused.say`), so the page, the API (409) and the
command line give the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from domain import FIVE_IN_PLACE, LEDGER_STATUSES, LEDGER_STEPS, keys, term

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# What a step needs the item to be, and what it makes it.
FROM: dict[str, tuple[str, ...]] = {
    "rectifying": ("found",),
    "rectified": ("found", "rectifying"),
    "verified": ("rectified",),
    "reopened": ("rectified", "verified"),
}
TO = {"rectifying": "rectifying", "rectified": "rectified", "verified": "verified",
      "reopened": "rectifying"}  # fmt: skip
assert set(FROM) == set(keys(LEDGER_STEPS)) == set(TO)

MESSAGES: dict[str, tuple[str, str]] = {
    "not_hidden_danger": (
        "{code} 是风险源，不是隐患，没有整改台账",
        "{code} is a risk source, not a hidden danger: it has no rectification ledger",
    ),
    "unknown_step": ("没有“{to}”这一步，应为：{steps}", "no step {to!r}: one of {steps}"),
    "bad_transition": (
        "{status_zh}的隐患不能{step_zh}",
        "an item that is {status} cannot be moved to {step}",
    ),
    "never_rectified": (
        "该隐患尚未报告整改完成（当前：{status_zh}），不能验收",
        "the item was never reported rectified (it is {status}): it cannot be verified",
    ),
    "own_work": (
        "整改人 {who} 不能验收自己的整改，须由他人验收",
        "{who} rectified this item and cannot verify their own work: someone else must",
    ),
    "major_needs_verifier": (
        "重大隐患销号须填写验收人和验收日期",
        "closing a major item needs the verifier and the date of verification",
    ),
    "five_missing": (
        "重大隐患须先做到“五落实”，尚缺：{missing_zh}",
        "a major item needs the five in place before it moves on; missing: {missing}",
    ),
    "measures_required": (
        "报告整改完成须写明整改措施",
        "reporting an item rectified needs the measures taken",
    ),
    "note_required": ("这一步须填写说明", "this step needs a note"),
    "photo_too_large": (
        "照片不能大于 {max_mb} MB（此照片 {mb} MB）",
        "a photo may be at most {max_mb} MB (this one is {mb} MB)",
    ),
    "photo_not_image": (
        "附件须为 JPEG、PNG、GIF 或 WebP 图片",
        "the attachment must be a JPEG, PNG, GIF or WebP image",
    ),
    "bad_date": ("日期格式应如 2026-06-30", "a date like 2026-06-30"),
    "bad_funds": ("资金应为不小于 0 的数字（元）", "funds are a number of yuan, at least 0"),
}


@dataclass
class Refused(Exception):
    """A step the rules refuse (HTTP 409): ``code`` names the rule."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.say("en"))

    def __str__(self) -> str:
        return self.say("en")

    def say(self, lang: str = "en") -> str:
        zh, en = MESSAGES[self.code]
        values = dict(self.params)
        for key, value in self.params.items():
            values.setdefault(f"{key}_zh", value)
        return (en if lang == "en" else zh).format(**values)

    def as_json(self) -> dict:
        return {"rule": self.code, "error": self.say("en"), "error_zh": self.say("zh")}


def danger_grade(risk_grade: str) -> str:
    """A major risk on the map is a major hidden danger (重大隐患); the rest are general."""
    return "major" if risk_grade == "major" else "general"


def ledger_status(map_status: str | None, verified_at: object) -> str:
    """The ledger status of a hidden danger from its map state and its verification."""
    if map_status == "rectified":
        return "verified" if verified_at is not None and not pd.isna(verified_at) else "rectified"
    return "rectifying" if map_status == "in_progress" else "found"


def five_missing(item: dict) -> list[str]:
    """Which of the "five in place" an item lacks (keys of :data:`domain.FIVE_IN_PLACE`)."""
    present = {
        "responsibility": bool(item.get("responsible_unit"))
        and bool(item.get("responsible_person")),
        "measures": bool(item.get("measures")),
        "funds": item.get("funds") is not None and not pd.isna(item.get("funds")),
        "deadline": item.get("rectification_deadline") is not None
        and not pd.isna(item.get("rectification_deadline")),
        "contingency_plan": bool(item.get("contingency_plan")),
    }
    return [k for k in keys(FIVE_IN_PLACE) if not present[k]]


def _status_params(status: str) -> dict:
    t = term(LEDGER_STATUSES, status)
    return {"status": t.en.lower(), "status_zh": t.zh}


def check_step(item: dict, to: str, who: str, params: dict) -> None:
    """Raise :class:`Refused` unless ``who`` may take step ``to`` on ``item`` now.

    ``item`` is the point with its account (:func:`store.ledger.account`) and
    ``params`` what the step brings (``note``, ``measures``, ``verifier``,
    ``verified_on``).
    """
    if item.get("kind") != "hidden_danger":
        raise Refused("not_hidden_danger", {"code": item.get("code")})
    if to not in FROM:
        raise Refused("unknown_step", {"to": to, "steps": ", ".join(FROM)})
    status = ledger_status(item.get("rectification_status"), item.get("verified_at"))
    if status not in FROM[to]:
        if to == "verified" and status in ("found", "rectifying"):
            raise Refused("never_rectified", _status_params(status))
        step = term(LEDGER_STEPS, to)
        raise Refused("bad_transition", {**_status_params(status), "step": to, "step_zh": step.zh})
    merged = {**item, **{k: v for k, v in params.items() if v not in (None, "")}}
    major = danger_grade(item.get("grade", "")) == "major"
    if major and to != "reopened":
        missing = five_missing(merged)
        if missing:
            raise Refused(
                "five_missing",
                {
                    "missing": ", ".join(term(FIVE_IN_PLACE, k).en.lower() for k in missing),
                    "missing_zh": "、".join(term(FIVE_IN_PLACE, k).zh for k in missing),
                },
            )
    if to == "rectified":
        if not merged.get("measures"):
            raise Refused("measures_required")
        if not params.get("note"):
            raise Refused("note_required")
    if to == "verified":
        if item.get("rectified_by") and item["rectified_by"] == who:
            raise Refused("own_work", {"who": who})
        if major and not (params.get("verifier") and params.get("verified_on")):
            raise Refused("major_needs_verifier")
    if to == "reopened" and not params.get("note"):
        raise Refused("note_required")


_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def photo_type(data: bytes) -> str:
    """The image type of ``data`` by its content (not its name); raise when it is none,
    or too large."""
    if len(data) > PHOTO_MAX_BYTES:
        raise Refused(
            "photo_too_large",
            {"max_mb": PHOTO_MAX_BYTES // (1024 * 1024), "mb": round(len(data) / 1048576, 1)},
        )
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise Refused("photo_not_image")


def is_overdue(map_status: pd.Series, deadline: pd.Series, today: date) -> np.ndarray:
    """Open hidden dangers (found or rectifying) whose deadline is before ``today``."""
    late = (pd.to_datetime(deadline, errors="coerce") < pd.Timestamp(today)).to_numpy()
    return late & map_status.isin(["open", "in_progress"]).to_numpy()


def due_within(
    map_status: pd.Series, deadline: pd.Series, today: date, days: int = 7
) -> np.ndarray:
    """Open hidden dangers whose deadline falls from ``today`` to ``days`` - 1 days on."""
    when = pd.to_datetime(deadline, errors="coerce")
    start = pd.Timestamp(today)
    soon = ((when >= start) & (when < start + pd.Timedelta(days=days))).to_numpy()
    return soon & map_status.isin(["open", "in_progress"]).to_numpy()
