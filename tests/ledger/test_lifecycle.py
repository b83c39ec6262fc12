"""Every step of the ledger and every refused one, on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from auth import Forbidden, Unauthenticated
from auth.roles import Principal
from editing.records import Conflict, NotFound
from ledger.operations import (
    hidden_danger,
    record_inspection,
    register_hidden_danger,
    reopen_hidden_danger,
    report_rectified,
    start_rectifying,
    supervise_hidden_danger,
    take_step,
    verify_hidden_danger,
)
from ledger.rules import PHOTO_MAX_BYTES, Refused
from store import ledger as store_ledger
from store import schema
from tests.ledger.conftest import ADMIN, LI, PLANNER, VIEWER, WANG, ZHAO

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FIVE = {
    "responsible_unit": "甲镇水利站",
    "responsible_person": "张三",
    "measures": "加固堤脚，设置警示牌",
    "funds": 120000,
    "rectification_deadline": "2026-12-20",
    "contingency_plan": "汛期24小时值守，险情时转移下游群众",
}


def refused(fn, *args, **kw) -> Refused:
    with pytest.raises(Refused) as caught:
        fn(*args, **kw)
    return caught.value


def test_a_general_item_is_rectified_then_verified_by_someone_else(ledger_store):
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    after = report_rectified(ledger_store, LI, "R7", "已清理排水沟", measures="清淤疏通", now=at)
    assert after["status"] == "rectified"
    assert after["rectification_status"] == "rectified"  # the map draws it rectified
    assert (after["rectified_by"], after["rectified_at"]) == ("li", at)

    own = refused(verify_hidden_danger, ledger_store, LI, "R7")
    assert own.code == "own_work"
    assert own.say("zh") == "整改人 li 不能验收自己的整改，须由他人验收"
    assert own.say("en").startswith("li rectified this item and cannot verify their own work")

    closed = verify_hidden_danger(ledger_store, WANG, "R7", "现场复查合格")
    assert closed["status"] == "verified"
    assert (closed["verified_by"], closed["verifier"]) == ("wang", "wang")
    item = hidden_danger(ledger_store, VIEWER, "R7")
    assert [(s["step"], s["from_status"], s["to_status"], s["actor"]) for s in item["steps"]] == [
        ("rectified", "in_progress", "rectified", "li"),
        ("verified", "rectified", "rectified", "wang"),
    ]
    assert [s["note"] for s in item["steps"]] == ["已清理排水沟", "现场复查合格"]
    history = ledger_store.records.history("risk_points", "R7")
    assert [h["note"] for h in history][:2] == [
        "ledger: verified (现场复查合格)",
        "ledger: rectified (已清理排水沟)",
    ]
    assert history[1]["changes"]["rectification_status"] == ["in_progress", "rectified"]


def test_an_item_never_reported_rectified_cannot_be_verified(ledger_store):
    for code, status_zh in (("R1", "已登记"), ("R7", "整改中")):
        rule = refused(verify_hidden_danger, ledger_store, WANG, code)
        assert rule.code == "never_rectified"
        assert status_zh in rule.say("zh")
    assert "never reported rectified" in rule.say("en")
    assert store_ledger.steps(ledger_store.engine, "R7") == []  # nothing written


def test_a_major_item_needs_its_five_in_place_and_a_verifier_and_date(ledger_store):
    rule = refused(start_rectifying, ledger_store, LI, "R1")
    assert rule.code == "five_missing"
    assert rule.say("zh") == (
        "重大隐患须先做到“五落实”，尚缺：责任落实、措施落实、资金落实、时限落实、预案落实"
    )
    assert rule.say("en").endswith(
        "missing: responsibility, measures, funds, deadline, contingency plan"
    )
    register_hidden_danger(ledger_store, LI, "R1", {k: v for k, v in FIVE.items()
                                                    if k != "funds"})  # fmt: skip
    assert refused(start_rectifying, ledger_store, LI, "R1").params["missing"] == "funds"
    register_hidden_danger(ledger_store, LI, "R1", {"funds": "120000"})
    assert start_rectifying(ledger_store, LI, "R1", "开始整改")["status"] == "rectifying"
    assert report_rectified(ledger_store, LI, "R1", "已加固")["status"] == "rectified"

    rule = refused(verify_hidden_danger, ledger_store, WANG, "R1", verifier="专家组")
    assert rule.code == "major_needs_verifier"
    assert rule.say("zh") == "重大隐患销号须填写验收人和验收日期"
    closed = verify_hidden_danger(
        ledger_store,
        WANG,
        "R1",
        "专家验收合格",
        verifier="区应急局专家组",
        verified_on="2026-12-02",
    )
    assert closed["status"] == "verified"
    assert (closed["verifier"], closed["verified_on"]) == ("区应急局专家组", date(2026, 12, 2))


def test_steps_out_of_order_are_refused_with_the_status_and_step(ledger_store):
    rule = refused(start_rectifying, ledger_store, LI, "R2")  # rectified already
    assert rule.code == "bad_transition"
    assert rule.say("zh") == "已整改待验收的隐患不能开始整改"
    rule = refused(take_step, ledger_store, LI, "R2", "closed")
    assert rule.code == "unknown_step"
    assert refused(start_rectifying, ledger_store, LI, "R4").code == "not_hidden_danger"
    assert refused(report_rectified, ledger_store, LI, "R7", "", measures="x").code == (
        "note_required"
    )
    assert refused(report_rectified, ledger_store, LI, "R7", "done").code == "measures_required"
    with pytest.raises(NotFound):
        start_rectifying(ledger_store, LI, "NOPE")


def test_sent_back_at_verification_and_rectified_again(ledger_store):
    verify_hidden_danger(ledger_store, WANG, "R2", "合格")
    assert refused(reopen_hidden_danger, ledger_store, ZHAO, "R2", "").code == "note_required"
    back = reopen_hidden_danger(ledger_store, ZHAO, "R2", "复查发现仍有渗漏")
    assert back["status"] == "rectifying"
    assert back["rectification_status"] == "in_progress"
    assert (back["verified_at"], back["verified_by"]) == (None, "")
    again = report_rectified(ledger_store, LI, "R2", "再次处理", measures="注浆堵漏")
    assert again["status"] == "rectified"
    assert verify_hidden_danger(ledger_store, ZHAO, "R2")["status"] == "verified"


@pytest.mark.parametrize("actor", [VIEWER, PLANNER])
def test_roles_that_may_not_take_steps_are_refused_inside_the_operation(ledger_store, actor):
    with pytest.raises(Forbidden):
        report_rectified(ledger_store, actor, "R7", "x", measures="y")
    with pytest.raises(Forbidden):
        supervise_hidden_danger(ledger_store, actor, "R1", "区长")
    with pytest.raises(Unauthenticated):
        verify_hidden_danger(ledger_store, None, "R2")
    assert store_ledger.steps(ledger_store.engine, "R7") == []
    assert verify_hidden_danger(ledger_store, ADMIN, "R2")["status"] == "verified"


def test_a_photo_is_stored_when_it_is_an_image_by_its_content(ledger_store):
    after = report_rectified(ledger_store, LI, "R7", "整改后照片", measures="清淤", photo=PNG)
    stored = store_ledger.photo(ledger_store.engine, after["photo_id"])
    assert (stored["content_type"], stored["size"], stored["data"]) == ("image/png", 72, PNG)
    assert store_ledger.steps(ledger_store.engine, "R7")[0]["photo_id"] == after["photo_id"]

    text = b"just text, named photo.jpg"
    assert refused(reopen_hidden_danger, ledger_store, WANG, "R7", "x", photo=text).code == (
        "photo_not_image"
    )
    big = b"\xff\xd8\xff" + b"\x00" * PHOTO_MAX_BYTES
    rule = refused(reopen_hidden_danger, ledger_store, WANG, "R7", "x", photo=big)
    assert rule.code == "photo_too_large" and "5 MB" in rule.say("zh")
    assert len(store_ledger.steps(ledger_store.engine, "R7")) == 1  # the refused wrote nothing


def test_two_officers_moving_one_item_the_second_meets_a_conflict(ledger_store, monkeypatch):
    seen = store_ledger.account(ledger_store.engine, "R7")
    report_rectified(ledger_store, LI, "R7", "done", measures="m")
    monkeypatch.setattr(store_ledger, "account", lambda engine, code: dict(seen))
    with pytest.raises(Conflict) as caught:
        report_rectified(ledger_store, WANG, "R7", "done too", measures="m")
    assert caught.value.current["updated_by"] == "li"
    assert len(store_ledger.steps(ledger_store.engine, "R7")) == 1


def test_a_step_bumps_the_risk_layer_revision(ledger_store):
    before = ledger_store.revisions()["risk"].revision
    report_rectified(ledger_store, LI, "R7", "done", measures="m")
    assert ledger_store.revisions()["risk"].revision > before


def test_supervision_lists_an_item_first(ledger_store):
    listed = supervise_hidden_danger(ledger_store, LI, "R7", "王副区长", "2026-11-30")
    assert (listed["supervised"], listed["supervised_by"]) == (True, "王副区长")
    total, rows = store_ledger.page(ledger_store.engine, store_ledger.Query(), date(2026, 12, 2))
    assert total == 5
    assert rows[0]["code"] == "R7" and rows[0]["supervised"] is True
    off = supervise_hidden_danger(ledger_store, LI, "R7", "", listed=False)
    assert off["supervised"] is False


def test_the_inspection_schedule_of_a_risk_point(ledger_store):
    # R4 is a low-grade risk source: next due a year on; R5 major: 30 days on.
    r4 = record_inspection(ledger_store, LI, "R4", "2026-12-01", note="巡查正常")
    assert (r4["last_inspection"], r4["next_inspection"]) == (date(2026, 12, 1), date(2027, 12, 1))
    r5 = record_inspection(ledger_store, LI, "R5", "2026-12-01")
    assert r5["next_inspection"] == date(2026, 12, 31)
    r5 = record_inspection(ledger_store, LI, "R5", "2026-12-02", next_due="2026-12-09")
    assert r5["next_inspection"] == date(2026, 12, 9)
    with ledger_store.engine.connect() as conn:
        accounts = conn.execute(sa.select(sa.func.count()).select_from(schema.hidden_dangers))
        assert accounts.scalar_one() == 0  # a risk source has no ledger account
    assert [s["step"] for s in store_ledger.steps(ledger_store.engine, "R5")] == ["inspected"] * 2
    with pytest.raises(Forbidden):
        record_inspection(ledger_store, VIEWER, "R4")


def test_a_token_of_the_rectifier_cannot_verify_either(ledger_store):
    report_rectified(ledger_store, LI, "R7", "done", measures="m")
    token = Principal(name="token:phone#4 (li)", role="duty_officer", kind="api", user_name="li")
    assert refused(verify_hidden_danger, ledger_store, token, "R7").code == "own_work"
