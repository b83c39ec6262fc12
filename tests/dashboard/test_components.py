"""Key figures and the details panel say what they count, in the page's words."""

from __future__ import annotations

from dashboard.components import channels_text, details, key_figures, scope_note
from dashboard.i18n import dropdown_labels, t
from layers import Filter
from layers.snapshot import snapshot


def cards(items: list) -> dict[str, tuple[str, str]]:
    """data-key -> (value, label) of each key figure card."""
    out = {}
    for item in items:
        key = getattr(item, "data-key", None) or item.to_plotly_json()["props"].get("data-key")
        if key == "scope":
            out[key] = (item.children, "")
        else:
            value, label = item.children
            out[key] = (value.children, label.children)
    return out


def test_a_grade_left_out_is_not_counted_as_none(demo_store):
    sel = snapshot(demo_store).select(Filter.of(grades=["larger", "general", "low"]))
    shown = cards(key_figures(sel.figures, "zh", sel.filter, None))
    assert shown["grade-major"] == ("—", "重大风险（未选）")
    assert shown["grade-larger"][0] == str(sel.figures.points_by_grade["larger"])
    assert shown["hidden-open"][1].endswith("（所选等级）")
    assert "仅统计较大风险、一般风险、低风险" in shown["scope"][0]
    every = cards(key_figures(sel.figures, "zh", Filter.of(), None))
    assert "scope" not in every and "未选" not in every["grade-major"][1]


def test_a_level_that_is_not_in_force_is_a_what_if():
    activation = {"level": 4}
    assert scope_note(Filter.of(level=4), activation, "zh") is None
    assert scope_note(Filter.of(level=1), activation, "zh") == "推演：Ⅰ级（现行Ⅳ级）"
    assert (
        scope_note(Filter.of(level=1), activation, "en") == "What-if: level I (level IV in force)"
    )
    assert scope_note(Filter.of(level=2), None, "zh") == "推演：Ⅱ级（现行未启动响应）"
    assert "全部力量" in scope_note(Filter.of(), activation, "zh")


def test_one_name_per_thing_for_boats():
    assert t("fig_boats", "zh") != t("fig_force_boats", "zh")
    assert "库存" in t("fig_boats", "zh") and "队伍" in t("fig_force_boats", "zh")


def test_channels_and_phones_read_as_words_and_whole_numbers():
    assert channels_text("phone,dingtalk,video", "zh") == "电话、钉钉、视频"
    assert channels_text("phone,satellite,radio", "en") == "Phone, Satellite phone, Radio"
    record = {
        "name": "测试站", "code": "CMD-1", "level": "village", "township_name": "",
        "duty_officer": "王明", "duty_phone": "13912345678", "channels": "phone,radio",
        "status": "on_duty", "mobilise_level": 4,
    }  # fmt: skip
    panel = str(details("command", record, "zh"))
    assert "电话、电台" in panel and "phone,radio" not in panel
    assert "'className': 'phone'" in panel or "className='phone'" in panel


def test_dropdown_words_in_chinese():
    labels = dropdown_labels("zh")
    assert labels["search"] == "搜索" and labels["select_all"] == "全选"
    assert "{num_selected}" in labels["selected_count"]
