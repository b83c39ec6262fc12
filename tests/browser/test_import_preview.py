"""The import panel as a planner sees it, in headless Chromium: a GBK CSV uploaded,
the preview row by row (added, rejected and why), the choice to import the
accepted rows only, and text in cells shown as text.

Screenshots go to ``test-output/files/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auth import system_principal
from auth.accounts import add_user
from store import Store
from tests.browser.conftest import ROOT, run_server, sign_in

SHOTS = ROOT / "test-output" / "files"
PASSWORD = "browser planner password"
SCRIPT = "<script>window.hacked = 1</script>"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    db = tmp_path_factory.mktemp("files") / "fourmaps.sqlite"
    with run_server({"DATABASE_URL": f"sqlite:///{db}"},
                    log_dir=tmp_path_factory.mktemp("logs")) as url:  # fmt: skip
        store = Store(f"sqlite:///{db}")
        add_user(store, system_principal("tests"), "planner1", "planner", PASSWORD)
        yield url, store
        store.engine.dispose()


def test_a_planner_previews_an_upload_and_imports_the_accepted_rows(site, new_page, tmp_path):
    url, store = site
    town = store.read("townships").iloc[0]
    point = town["geom"].representative_point()
    csv = "\r\n".join(
        [
            "编号,名称,类别,类型,风险等级,经度,纬度",
            f"UP-1,{SCRIPT},flood,隐患点,重大风险,{point.x:.6f},{point.y:.6f}",
            f"UP-2,填反的点,flood,隐患点,较大风险,{point.y:.6f},{point.x:.6f}",
        ]
    )
    path = tmp_path / "风险隐患点.csv"
    path.write_bytes((csv + "\r\n").encode("gbk"))

    page = new_page(1920, 1080)
    sign_in(page, url, "planner1", PASSWORD)
    page.goto(url + "/")
    page.click("#files-open", timeout=30_000)
    page.wait_for_selector("#files-upload")
    page.set_input_files("#files-upload input[type=file]", str(path))
    page.wait_for_selector(".files-rows tr.files-reject", timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#details").screenshot(path=str(SHOTS / "1-preview.png"))

    summary = page.inner_text(".files-summary")
    assert "编码 gb18030" in summary and "新增 1" in summary and "拒绝 1" in summary
    rows = page.locator(".files-rows tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[:3] == ["2", "UP-1", "新增"]
    assert "经度/纬度: 经度和纬度似乎填反了" in rows.nth(1).inner_text()
    assert rows.nth(1).inner_text().startswith("3")
    assert page.locator("#files-commit").is_hidden()  # a rejected row: not everything
    assert store.records.get("risk_points", "UP-1") is None  # a preview writes nothing

    page.click("#files-partial")
    page.wait_for_selector(".files-done", timeout=20_000)
    page.locator("#details").screenshot(path=str(SHOTS / "2-imported.png"))
    assert "未导入 1 行" in page.inner_text(".files-done")
    record = store.records.get("risk_points", "UP-1")
    assert record is not None and record["name"] == SCRIPT and record["updated_by"] == "planner1"
    assert store.imports.recent(1)[0]["left_out"][0]["row"] == 3
    assert page.evaluate("() => window.hacked") is None
    assert page.console_errors == []
