"""The desk's editing callbacks called by hand-made POSTs, as any browser could send them.

Whatever the page shows a role, the save callback runs the editing operation,
which checks the role itself: a viewer's or a duty officer's forged save of a
depot writes nothing and leaves no history; a planner's is saved with its
history; a stale version is refused with who changed it.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from store import schema
from tests.web.conftest import component

DASH = "/_dash-update-component"


def history_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.history)).scalar_one()


def save_request(site, collection: str, code: str | None, version: int | None, fields: dict,
                 stock: dict | None = None) -> dict:  # fmt: skip
    """The save button's callback request, built from the app's own dependency list."""
    deps = site.client("admin").get("/_dash-dependencies").json
    (dep,) = [d for d in deps if [i["id"] for i in d["inputs"]] == ["edit-save"]]
    outputs = []
    for spec in dep["output"].strip(".").split("..."):
        ident, prop = spec.rsplit(".", 1) if not spec.startswith("{") else spec.rsplit("}.", 1)
        if spec.startswith("{"):
            # the form has a message slot per field, one for the whole location
            slots = {"geom" if n in ("lon", "lat", "system") else n for n in fields}
            outputs.append([{"id": {"name": n, "type": "edit-msg"}, "property": prop}
                            for n in sorted(slots)])  # fmt: skip
        else:
            outputs.append({"id": ident, "property": prop})
    field_ids = [{"name": n, "type": "edit-field"} for n in fields]
    stock_ids = [{"item": i, "type": "edit-stock"} for i in (stock or {})]
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{"id": "edit-save", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["edit-save.n_clicks"],
        "state": [
            _values(field_ids, list(fields.values())),
            _values(stock_ids, list((stock or {}).values())),
            [{"id": i, "property": "id", "value": i} for i in field_ids],
            [{"id": i, "property": "id", "value": i} for i in stock_ids],
            {"id": "edit-state", "property": "data",
             "value": {"collection": collection, "code": code, "version": version}},
            {"id": "lang", "property": "data", "value": "en"},
        ],
    }  # fmt: skip


def _values(component_ids: list[dict], values: list) -> list[dict]:
    return [
        {"id": i, "property": "value", "value": v}
        for i, v in zip(component_ids, values, strict=True)
    ]


def answer_text(response) -> str:
    return json.dumps(response.json, ensure_ascii=False)


@pytest.mark.parametrize("role", ["viewer", "duty_officer"])
def test_a_forged_save_by_a_role_that_may_not_edit_writes_nothing(site, role):
    code = site.store.read("depots")["code"].iloc[20]
    record = site.store.records.get("depots", code)
    before = history_rows(site.store)
    body = save_request(site, "depots", code, record["version"], {"keeper": "forged"},
                        {"woven_bag": 1})  # fmt: skip
    response = site.client(role).post(DASH, json=body)
    assert response.status_code == 200
    assert "Your role may not do this." in answer_text(response)
    assert site.store.records.get("depots", code) == record
    assert history_rows(site.store) == before


def test_a_forged_create_without_signing_in_is_refused_before_dash(site):
    body = save_request(site, "depots", None, None, {"code": "F-1", "name": "x"})
    assert site.client().post(DASH, json=body).status_code == 401
    assert site.store.records.get("depots", "F-1") is None


def test_a_planners_save_is_written_with_its_history(site):
    code = site.store.read("depots")["code"].iloc[21]
    record = site.store.records.get("depots", code)
    before = history_rows(site.store)
    body = save_request(
        site, "depots", code, record["version"],
        {"keeper": "王五", "lon": "东经112°14′21″", "lat": "北纬30°20′16″", "system": "wgs84"},
        {"sand": "12.5"},
    )  # fmt: skip
    response = site.client("planner").post(DASH, json=body)
    done = response.json["response"]["details"]
    assert "Saved:" in answer_text(response), done
    saved = site.store.records.get("depots", code)
    assert saved["keeper"] == "王五" and saved["stock"]["sand"] == 12.5
    assert saved["geom"].x == pytest.approx(112.239167, abs=1e-6)
    assert history_rows(site.store) == before + 1


def test_a_stale_save_says_who_changed_it_and_keeps_the_entries(site):
    code = site.store.read("depots")["code"].iloc[22]
    record = site.store.records.get("depots", code)
    first = save_request(site, "depots", code, record["version"], {"keeper": "甲"})
    site.client("admin").post(DASH, json=first)
    second = save_request(site, "depots", code, record["version"], {"keeper": "乙"})
    response = site.client("planner").post(DASH, json=second)
    text = answer_text(response)
    assert "Not saved: admin changed this record at" in text
    assert "details" not in response.json["response"]  # the form stays, with what was typed
    result = response.json["response"]["edit-result"]["children"]
    assert component(result, "edit-reapply") is not None
    assert site.store.records.get("depots", code)["keeper"] == "甲"


def test_problems_come_back_under_their_fields(site):
    code = site.store.read("depots")["code"].iloc[23]
    record = site.store.records.get("depots", code)
    fields = {"keeper_phone": "call me", "lon": "30.3", "lat": "112.2", "system": "wgs84"}
    body = save_request(site, "depots", code, record["version"], fields)
    response = site.client("planner").post(DASH, json=body)
    messages = {
        json.loads(key)["name"]: value["children"]
        for key, value in response.json["response"].items()
        if key.startswith("{")
    }
    assert messages["geom"] == "longitude and latitude look swapped"
    assert site.store.records.get("depots", code) == record
