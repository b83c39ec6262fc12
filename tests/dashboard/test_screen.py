"""The filter a page opens with, from its URL, and the note on what it ignored."""

from __future__ import annotations

import pytest

from dashboard.figures import View
from dashboard.screen import default_filter, url_note, url_views
from layers import Filter

LEVEL_III = {"level": 3}
KNOWN = ["T1", "T2"]


@pytest.mark.parametrize(
    ("query", "activation", "expected", "ignored"),
    [
        ({}, None, Filter(), {}),
        ({}, LEVEL_III, Filter(level=3), {}),  # the response in force
        ({"level": "2"}, LEVEL_III, Filter(level=2), {}),
        ({"level": "all"}, LEVEL_III, Filter(), {}),
        ({"level": "99"}, LEVEL_III, Filter(level=3), {"level": "99"}),
        ({"level": "5"}, None, Filter(), {"level": "5"}),
        ({"level": "0"}, None, Filter(), {"level": "0"}),
        ({"level": "II"}, LEVEL_III, Filter(level=3), {"level": "II"}),
        ({"level": "abc"}, None, Filter(), {"level": "abc"}),
        ({"township": "T2"}, None, Filter(("T2",)), {}),
        ({"township": "T2,T1"}, None, Filter(("T1", "T2")), {}),
        ({"township": "T1,nowhere"}, None, Filter(("T1",)), {"township": "nowhere"}),
        ({"township": "a,b"}, LEVEL_III, Filter(level=3), {"township": "a,b"}),
        ({"township": ",,"}, None, Filter(), {}),
        (
            {"township": "T1,x", "level": "IV"},
            None,
            Filter(("T1",)),
            {"level": "IV", "township": "x"},
        ),
    ],
)
def test_the_url_chooses_the_filter_and_what_it_cannot_use_is_ignored(
    query, activation, expected, ignored
):
    flt, got = default_filter(query, activation, KNOWN)
    assert flt == expected
    assert got == ignored


def test_without_known_townships_every_code_is_kept():
    assert default_filter({"township": "a,b"}, None) == (Filter(("a", "b")), {})


def test_the_note_says_what_was_ignored_and_why_in_the_pages_language():
    assert url_note({}, "zh") is None
    zh = url_note({"level": "99", "township": "a,b"}, "zh")
    assert zh.children == (
        "已忽略网址参数：level=99（响应级别应为 1–4 或 all）；township=a,b（无此乡镇编码）"
    )
    en = url_note({"lang": "fr"}, "en")
    assert en.children == "Ignored in the address: lang=fr (the language is zh or en)"
    long = url_note({"township": "x" * 100}, "en").children
    assert "x" * 40 + "…" in long and "x" * 41 not in long


@pytest.mark.parametrize(
    ("value", "views", "ignored"),
    [
        ("", {}, {}),
        ("risk:112.2,30.3,11.5", {"risk": View(112.2, 30.3, 11.5)}, {}),
        (
            "risk:112.2,30.3,11.5;forces:112,30,9",
            {"risk": View(112.2, 30.3, 11.5), "forces": View(112.0, 30.0, 9.0)},
            {},
        ),
        ("roads:112,30,9", {}, {"view": "roads:112,30,9"}),  # no such map
        ("risk:112,30", {}, {"view": "risk:112,30"}),
        ("risk:112,95,9;command:1,2,3", {"command": View(1, 2, 3)}, {"view": "risk:112,95,9"}),
        ("risk:112,30,40", {}, {"view": "risk:112,30,40"}),  # zoom past 22
        ("risk:nan,x,9", {}, {"view": "risk:nan,x,9"}),
    ],
)
def test_each_maps_view_comes_from_the_url_and_what_it_cannot_use_is_ignored(value, views, ignored):
    assert url_views({"view": value}) == (views, ignored)
