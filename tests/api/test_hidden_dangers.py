"""``/api/hidden-dangers`` over raw HTTP on the demo, on both stores: pages, steps and the
rules that refuse them (409), roles (and forged requests), photos, figures, the .xlsx."""

from __future__ import annotations

import base64
import io

import pytest
from openpyxl import load_workbook

import manage
from auth import system_principal
from auth.accounts import create_api_token
from ledger.figures import figures
from tests.ledger.conftest import VIEWER

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def first(site, **query) -> dict:
    got = site.client("viewer").get("/api/hidden-dangers", query_string={**query, "limit": 1})
    assert got.status_code == 200, got.json
    return got.json["rows"][0]


def test_a_page_is_filtered_sorted_and_cut_by_the_server(site):
    viewer = site.client("viewer")
    whole = viewer.get("/api/hidden-dangers", query_string={"limit": 5}).json
    assert whole["total"] == 61 and len(whole["rows"]) == 5  # the demo's hidden dangers
    assert {"code", "grade", "status", "deadline", "overdue", "supervised"} <= set(whole["rows"][0])
    town = whole["rows"][0]["township_code"]
    args = {"township": town, "status": "rectified,verified", "sort": "-deadline", "limit": 100}
    page = viewer.get("/api/hidden-dangers", query_string=args).json
    deadlines = [r["deadline"] for r in page["rows"]]
    assert deadlines == sorted(deadlines, reverse=True)
    assert {r["township_code"] for r in page["rows"]} == {town}
    assert {r["status"] for r in page["rows"]} <= {"rectified", "verified"}
    assert page["total"] == len(page["rows"])
    late = viewer.get("/api/hidden-dangers", query_string={"overdue": "true"}).json
    assert late["total"] > 0 and all(r["overdue"] for r in late["rows"])
    assert all(r["status"] in ("found", "rectifying") for r in late["rows"])
    major = viewer.get("/api/hidden-dangers", query_string={"grade": "major"}).json
    assert major["total"] == 4 and {r["grade"] for r in major["rows"]} == {"major"}


@pytest.mark.parametrize(
    "query",
    [{"status": "closed"}, {"sort": "geom"}, {"limit": "5000"}, {"overdue": "maybe"},
     {"grade": "larger"}, {"offset": "-1"}],
)  # fmt: skip
def test_parameters_the_api_cannot_use_are_400(site, query):
    got = site.client("viewer").get("/api/hidden-dangers", query_string=query)
    assert got.status_code == 400, got.json
    assert got.json["problems"][0]["field"] == next(iter(query))


def test_steps_over_http_and_the_rule_that_refused_one(site):
    officer, admin = site.client("duty_officer"), site.client("admin")
    code = first(site, status="rectifying", grade="general")["code"]
    done = officer.post(f"/api/hidden-dangers/{code}/steps",
                        json={"to": "rectified", "note": "已整改", "measures": "清淤"})  # fmt: skip
    assert done.status_code == 200, done.json
    assert done.json["status"] == "rectified"
    own = officer.post(f"/api/hidden-dangers/{code}/steps", json={"to": "verified"})
    assert own.status_code == 409
    assert own.json["rule"] == "own_work"
    assert own.json["error_zh"] == "整改人 user-duty_officer 不能验收自己的整改，须由他人验收"
    closed = admin.post(f"/api/hidden-dangers/{code}/steps", json={"to": "verified"})
    assert closed.status_code == 200 and closed.json["status"] == "verified"
    item = site.client("viewer").get(f"/api/hidden-dangers/{code}").json
    assert [(s["step"], s["actor"]) for s in item["steps"]] == [
        ("rectified", "user-duty_officer"), ("verified", "admin"),
    ]  # fmt: skip
    never = first(site, status="found")["code"]
    refused = admin.post(f"/api/hidden-dangers/{never}/steps", json={"to": "verified"})
    assert refused.status_code == 409 and refused.json["rule"] == "never_rectified"
    missing = officer.post(f"/api/hidden-dangers/{never}/steps", json={})
    assert missing.status_code == 400
    assert officer.post("/api/hidden-dangers/NOPE/steps", json={"to": "rectified"}).status_code == (
        404
    )


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("viewer", 403), ("planner", 403)])
def test_roles_that_may_not_take_steps_are_refused(site, role, status):
    code = first(site, status="rectifying")["code"]
    client = site.client(role)
    for path, method, body in (
        (f"/api/hidden-dangers/{code}/steps", "post", {"to": "rectified", "note": "x",
                                                       "measures": "y"}),
        (f"/api/hidden-dangers/{code}/supervision", "put", {"by": "区长"}),
        (f"/api/hidden-dangers/{code}/account", "put", {"measures": "z"}),
    ):  # fmt: skip
        assert getattr(client, method)(path, json=body).status_code == status
    assert site.client("viewer").get(f"/api/hidden-dangers/{code}").json["steps"] == []


def test_forged_requests_are_refused(site):
    code = first(site, status="rectifying")["code"]
    body = {"to": "rectified", "note": "x", "measures": "y"}
    # a viewer's own token
    token = create_api_token(site.store, system_principal("tests"), "user-viewer")
    anon = site.app.server.test_client()
    forged = anon.post(f"/api/hidden-dangers/{code}/steps", json=body,
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert forged.status_code == 403
    # an officer's cookie, carried by a page of another site
    officer = site.client("duty_officer")
    cross = officer.post(f"/api/hidden-dangers/{code}/steps", json=body,
                         headers={"Origin": "http://evil.example"})  # fmt: skip
    assert cross.status_code == 403
    assert site.client("viewer").get(f"/api/hidden-dangers/{code}").json["steps"] == []


def test_a_photo_by_multipart_or_base64_and_one_that_is_no_image(site):
    officer = site.client("duty_officer")
    code = first(site, status="rectifying")["code"]
    sent = officer.post(
        f"/api/hidden-dangers/{code}/steps",
        data={"to": "rectified", "note": "整改后", "measures": "加固",
              "photo": (io.BytesIO(PNG), "after.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert sent.status_code == 200, sent.json
    photo_id = sent.json["photo_id"]
    got = site.client("viewer").get(f"/api/hidden-dangers/photos/{photo_id}")
    assert (got.status_code, got.mimetype, got.data) == (200, "image/png", PNG)
    text = base64.b64encode(b"<script>alert(1)</script>").decode()
    bad = officer.post(f"/api/hidden-dangers/{code}/steps",
                       json={"to": "reopened", "note": "x", "photo": text})  # fmt: skip
    assert bad.status_code == 409 and bad.json["rule"] == "photo_not_image"


def test_figures_over_http_are_the_ledger_figures(site):
    viewer = site.client("viewer")
    got = viewer.get("/api/hidden-dangers/figures").json
    assert set(got) >= {"found", "rectified", "rate", "overdue", "major_open", "supervised"}
    assert got == figures(site.store, VIEWER).as_json()
    town = first(site)["township_code"]
    one = viewer.get("/api/hidden-dangers/figures", query_string={"township": town}).json
    assert one == figures(site.store, VIEWER, [town]).as_json()
    towns = viewer.get("/api/hidden-dangers/figures/townships").json["townships"]
    assert len(towns) == 17 and towns[-1]["found"] == got["found"]
    months = viewer.get("/api/hidden-dangers/figures/monthly?months=6").json["months"]
    assert len(months) == 6 and set(months[0]) == {"month", "found", "rectified", "verified"}


def test_the_openapi_document_has_the_ledger(site):
    paths = site.client("viewer").get("/api/openapi.json").json["paths"]
    assert {"/hidden-dangers", "/hidden-dangers/{code}/steps", "/hidden-dangers/figures",
            "/hidden-dangers/ledger.xlsx"} <= set(paths)  # fmt: skip
    assert "409" in paths["/hidden-dangers/{code}/steps"]["post"]["responses"]


def test_the_ledger_xlsx_over_http_and_from_manage_py(site, tmp_path, capsys):
    got = site.client("viewer").get("/api/hidden-dangers/ledger.xlsx")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data), read_only=True)
    assert book.sheetnames == ["隐患台账", "统计"]
    rows = list(book["隐患台账"].values)
    assert rows[0][0].startswith("隐患排查治理台账")
    assert rows[1][:7] == ("序号", "隐患编号", "发现日期", "所属乡镇", "隐患名称及地点",
                           "隐患类别", "隐患等级")  # fmt: skip
    assert len(rows) == 2 + 61 and [r[0] for r in rows[2:5]] == [1, 2, 3]
    assert {r[6] for r in rows[2:]} == {"重大隐患", "一般隐患"}
    stats = list(book["统计"].values)
    assert stats[0][:4] == ("乡镇（街道）", "排查隐患", "已整改", "整改率")
    assert stats[-1][0] == "合计" and stats[-1][1] == 61
    town = rows[2][3]
    assert isinstance(town, str) and town.endswith(("镇", "街道", "乡"))

    out = tmp_path / "ledger.xlsx"
    assert manage.main(["--database-url", site.store.url, "ledger", "export", str(out),
                        "--lang", "en"]) == 0  # fmt: skip
    assert "Wrote" in capsys.readouterr().out
    english = load_workbook(out, read_only=True)
    assert english.sheetnames == ["Ledger", "Figures"]
    assert list(english["Ledger"].values)[1][1] == "Code"
    assert manage.main(["--database-url", site.store.url, "ledger", "figures"]) == 0
    assert "found" in capsys.readouterr().out
