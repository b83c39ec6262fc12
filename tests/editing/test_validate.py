"""What a planner is told about an entry, field by field, in their language."""

from __future__ import annotations

from datetime import date

import pytest
import shapely

from editing.validate import Context, clean


@pytest.fixture
def ctx(demo_store):
    return Context(demo_store)


def problems(result) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in result.problems}


def a_risk(**values) -> dict:
    return {
        "code": "RISK-T-1",
        "name": "测试隐患点",
        "category": "flood",
        "kind": "hidden_danger",
        "grade": "major",
        "geom": {"type": "Point", "coordinates": [112.20, 30.36]},
        **values,
    }


def test_a_good_entry_is_typed_and_placed(ctx):
    result = clean(
        "risk_points",
        a_risk(people_threatened="1,200", rectification_deadline="2026/7/1"),
        ctx,
    )
    assert result.ok, result.problems
    assert result.values["people_threatened"] == 1200
    assert result.values["rectification_deadline"] == date(2026, 7, 1)
    assert result.values["rectification_status"] == "open"  # a new hidden danger is open
    assert result.values["township_code"] == ctx.township_at(shapely.Point(112.20, 30.36))
    assert result.warnings == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"responsible_phone": "call me"}, ("responsible_phone", "bad_phone")),
        ({"name": "长" * 201}, ("name", "too_long")),
        ({"name": "  "}, ("name", "required")),
        ({"grade": "huge"}, ("grade", "not_choice")),
        ({"people_threatened": "-3"}, ("people_threatened", "too_small")),
        ({"people_threatened": "2.5"}, ("people_threatened", "not_integer")),
        ({"households_threatened": "many"}, ("households_threatened", "not_integer")),
        ({"rectification_deadline": "next week"}, ("rectification_deadline", "bad_date")),
        ({"kind": "risk_source", "rectification_status": "open"},
         ("rectification_status", "hidden_only")),
        ({"township_code": "999"}, ("township_code", "unknown_ref")),
        ({"colour": "red"}, ("colour", "unknown_field")),
        ({"code": "编号 1"}, ("code", "bad_code")),
        # found by the import fuzz: the control characters went quietly, so "R\x001" was
        # stored as R1 and a name of only a NUL byte as an empty required name
        ({"code": "R\x001"}, ("code", "bad_code")),
        ({"code": "line\nbreak"}, ("code", "bad_code")),
        ({"name": "\x00"}, ("name", "required")),
        ({"geom": {"type": "Point", "coordinates": [30.36, 112.2]}}, ("geom", "swapped")),
        ({"geom": {"type": "Point", "coordinates": [2.35, 48.85]}}, ("geom", "not_in_china")),
        ({"geom": {"type": "LineString", "coordinates": [[112.2, 30.3], [112.3, 30.4]]}},
         ("geom", "bad_geometry")),
        ({"geom": {"type": "Point", "coordinates": []}}, ("geom", "empty_geometry")),
    ],
)  # fmt: skip
def test_each_wrong_field_is_named_with_its_reason(ctx, values, expected):
    result = clean("risk_points", a_risk(**values), ctx)
    assert expected in problems(result)


def test_required_fields_of_a_new_record(ctx):
    result = clean("risk_points", {"code": "X"}, ctx)
    assert {f for f, code in problems(result) if code == "required"} == {
        "name", "category", "kind", "grade", "township_code", "geom",
    }  # fmt: skip


def test_stock_items_and_quantities(ctx):
    depot = {"code": "D-T", "name": "库", "level": "village", "geom": [112.2, 30.36]}
    depot["geom"] = {"type": "Point", "coordinates": depot["geom"]}
    assert ("stock", "unknown_item") in problems(
        clean("depots", {**depot, "stock": {"gold": 1}}, ctx)
    )
    assert ("stock", "negative") in problems(clean("depots", {**depot, "stock": {"sand": -1}}, ctx))
    assert ("stock", "not_number") in problems(
        clean("depots", {**depot, "stock": {"sand": "lots"}}, ctx)
    )
    good = clean("depots", {**depot, "stock": {"sand": "12.5", "woven_bag": ""}}, ctx)
    assert good.ok and good.values["stock"] == {"sand": 12.5, "woven_bag": 0}


def test_a_point_outside_the_township_typed_or_the_jurisdiction_is_a_warning(ctx):
    towns = ctx.towns
    here = ctx.township_at(shapely.Point(112.20, 30.36))
    other = towns[towns["code"] != here].iloc[0]
    typed = clean("risk_points", a_risk(township_code=other["code"]), ctx)
    assert typed.ok
    (warning,) = typed.warnings
    assert (warning.field, warning.code) == ("township_code", "other_township")
    assert other["name"] in warning.say("zh") and ctx.township_name(here, "zh") in warning.say("zh")
    assert "not in" in warning.say("en")
    far = a_risk(geom={"type": "Point", "coordinates": [114.3, 30.6]})  # Wuhan
    result = clean("risk_points", far, ctx)
    assert ("geom", "outside_jurisdiction") in {(w.field, w.code) for w in result.warnings}
    assert ("township_code", "no_township") in problems(result)
    placed = clean("risk_points", {**far, "township_code": other["code"]}, ctx)
    assert placed.ok and placed.warnings[0].code == "outside_jurisdiction"


def test_the_command_chain_stays_a_tree_of_levels(ctx, demo_store):
    nodes = demo_store.read("command_nodes")
    county = nodes[nodes["level"] == "county"].iloc[0]
    town_a, town_b = nodes[nodes["level"] == "township"].iloc[:2].itertuples()
    village = nodes[nodes["parent_code"] == town_a.code].iloc[0]
    sideways = clean(
        "command_nodes",
        {"parent_code": town_b.code},
        ctx,
        current=demo_store.records.get("command_nodes", town_a.code),
    )
    assert problems(sideways) == {("parent_code", "parent_level")}
    looped = clean(
        "command_nodes",
        {"parent_code": village["code"]},
        ctx,
        current=demo_store.records.get("command_nodes", county["code"]),
    )
    assert ("parent_code", "parent_self") in problems(looped)
    point = {"type": "Point", "coordinates": [village.geom.x, village.geom.y]}
    station = clean(
        "command_nodes",
        {"code": "N-T", "name": "站", "level": "village", "parent_code": town_a.code,
         "geom": point},
        ctx,
    )  # fmt: skip
    assert station.ok and station.values["township_code"] == village["township_code"]
    city_with_town = clean(
        "command_nodes",
        {"code": "N-C", "name": "市", "level": "city", "geom": point,
         "township_code": village["township_code"]},
        ctx,
    )  # fmt: skip
    assert ("township_code", "township_level") in problems(city_with_town)


def test_messages_in_both_languages(ctx):
    (problem,) = clean("risk_points", a_risk(responsible_phone="x"), ctx).problems
    assert problem.say("zh").startswith("电话号码只能包含数字")
    assert problem.say("en").startswith("a phone number")
    assert problem.as_json() == {
        "field": "responsible_phone",
        "code": "bad_phone",
        "reason": problem.say("en"),
        "reason_zh": problem.say("zh"),
    }


def test_a_response_ends_after_it_starts(ctx):
    result = clean(
        "response_activations",
        {"level": "5", "starts_at": "2026-06-28T10:00", "ends_at": "2026-06-26T14:00"},
        ctx,
    )
    assert problems(result) == {("level", "too_large"), ("ends_at", "ends_before_start")}
    result = clean(
        "response_activations",
        {"level": "IV", "starts_at": "2026-06-28T10:00", "ends_at": "2026-06-26T14:00"},
        ctx,
    )
    assert problems(result) == {("ends_at", "ends_before_start")}


def test_messages_quote_a_cell_as_a_planner_reads_it_and_name_control_characters():
    from editing.messages import say

    assert say("bad_coordinate", {"text": "1\x00 2"}) == "not a coordinate: “1U+0000 2”"
    assert say("bad_coordinate", {"text": "东经\t112"}, "zh") == "无法识别的坐标“东经U+0009112”"
