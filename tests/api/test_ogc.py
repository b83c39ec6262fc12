"""OGC API – Features on both stores, through raw HTTP: reading, paging, writing, roles, errors."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from auth import system_principal
from editing.records import deleted_records, restore_record
from store import schema

COLLECTIONS = [
    "townships", "risk_points", "depots", "forces", "command_nodes", "roads", "hazard_areas",
]  # fmt: skip
GEOJSON = "application/geo+json"


def history_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.history)).scalar_one()


def a_depot_code(site) -> str:
    return site.store.read("depots")["code"].iloc[7]


def new_depot(code: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [112.21, 30.35]},
        "properties": {"code": code, "name": "接口新增仓库", "level": "village",
                       "mobilise_level": 4, "stock": {"woven_bag": 300}},
    }  # fmt: skip


def test_the_landing_page_links_what_gis_tools_need(site):
    client = site.client("viewer")
    landing = client.get("/ogc").json
    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= set(rels)
    assert rels["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    conformance = client.get("/ogc/conformance").json["conformsTo"]
    assert any(c.endswith("/conf/core") for c in conformance)
    assert any(c.endswith("/conf/create-replace-delete") for c in conformance)
    listed = client.get("/ogc/collections").json["collections"]
    assert [c["id"] for c in listed] == COLLECTIONS
    west, south, east, north = listed[0]["extent"]["spatial"]["bbox"][0]
    assert 111.5 < west < east < 113 and 29.8 < south < north < 30.8  # Jingzhou District


def test_the_openapi_document_describes_every_collection_and_the_page_size(site):
    document = site.client("viewer").get("/ogc/api")
    assert document.status_code == 200
    api = document.json
    assert api["openapi"].startswith("3.0")
    for name in COLLECTIONS:
        assert {"get", "post"} <= set(api["paths"][f"/collections/{name}/items"]), name
        assert {"get", "put", "patch", "delete"} <= set(
            api["paths"][f"/collections/{name}/items/{{code}}"]
        )
    limit = api["components"]["parameters"]["limit"]["schema"]
    assert (limit["maximum"], limit["default"]) == (10000, 100)
    depot = api["components"]["schemas"]["DepotsFeature"]["properties"]["properties"]
    assert depot["properties"]["level"]["enum"][0] == "city"


@pytest.mark.parametrize("name", COLLECTIONS)
def test_following_next_links_reads_every_item_once(site, name):
    client = site.client("viewer")
    url, codes, pages = f"/ogc/collections/{name}/items?limit=40", [], 0
    while url:
        page = client.get(url)
        assert page.status_code == 200 and page.mimetype == GEOJSON
        body = page.json
        assert "numberMatched" not in body  # no full count per page
        assert body["numberReturned"] == len(body["features"]) <= 40
        codes += [str(f["id"]) for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = nxt[0].removeprefix("http://localhost") if nxt else None
        pages += 1
    frame = site.store.read(name)
    expected = [str(c) for c in frame["code" if "code" in frame else "id"]]
    assert sorted(codes) == sorted(expected) and len(codes) == len(set(codes))
    assert pages == len(expected) // 40 + 1


def test_bbox_keeps_what_meets_the_box(site):
    box = (112.15, 30.30, 112.25, 30.40)
    body = (
        site.client("viewer")
        .get(
            "/ogc/collections/risk_points/items",
            query_string={"bbox": ",".join(map(str, box)), "limit": 1000},
        )
        .json
    )
    got = {f["id"] for f in body["features"]}
    expected = set(site.store.read("risk_points", bbox=box)["code"])
    assert got == expected and got


def test_an_item_has_its_version_as_etag_and_its_stock(site):
    code = a_depot_code(site)
    client = site.client("viewer")
    item = client.get(f"/ogc/collections/depots/items/{code}")
    record = site.store.records.get("depots", code)
    assert item.headers["ETag"] == f'"{record["version"]}"'
    assert item.json["id"] == code
    assert item.json["properties"]["stock"] == record["stock"]
    assert item.json["geometry"]["coordinates"] == pytest.approx(
        [record["geom"].x, record["geom"].y]
    )
    again = client.get(
        f"/ogc/collections/depots/items/{code}", headers={"If-None-Match": item.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/ogc/collections/depots/items/NO-SUCH").status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(None, 401), ("viewer", 403), ("duty_officer", 403), ("planner", None), ("admin", None)],
)
def test_the_role_matrix_on_raw_http_writes(site, role, allowed):
    client = site.client(role)
    code = f"API-{role or 'anon'}"
    before = history_rows(site.store)
    created = client.post("/ogc/collections/depots/items", json=new_depot(code))
    existing = a_depot_code(site)
    version = site.store.records.get("depots", existing)["version"]
    patched = client.patch(
        f"/ogc/collections/depots/items/{existing}",
        json={"type": "Feature", "properties": {"keeper": f"by {role}"}},
        headers={"If-Match": f'"{version}"'},
    )
    if allowed:
        assert (created.status_code, patched.status_code) == (allowed, allowed)
        assert "error" in created.json
        assert history_rows(site.store) == before
        assert site.store.records.get("depots", code) is None
        return
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"/ogc/collections/depots/items/{code}")
    assert created.headers["ETag"] == '"1"'
    assert patched.status_code == 200 and patched.json["properties"]["keeper"] == f"by {role}"
    deleted = client.delete(f"/ogc/collections/depots/items/{code}", headers={"If-Match": '"1"'})
    assert deleted.status_code == 204
    assert history_rows(site.store) == before + 3


def test_a_stale_etag_is_refused_with_who_and_when(site):
    code = site.store.read("depots")["code"].iloc[11]
    client = site.client("planner")
    tag = client.get(f"/ogc/collections/depots/items/{code}").headers["ETag"]
    first = client.patch(
        f"/ogc/collections/depots/items/{code}",
        json={"properties": {"stock": {"sand": 77}}},
        headers={"If-Match": tag},
    )
    assert first.status_code == 200
    assert first.json["properties"]["stock"]["sand"] == 77
    stale = site.client("admin").put(
        f"/ogc/collections/depots/items/{code}",
        json={"type": "Feature", "properties": {"name": "覆盖"}},
        headers={"If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json["updated_by"] == "user-planner"
    assert stale.json["updated_at"] and stale.json["version"] == int(tag.strip('"')) + 1
    missing = client.patch(f"/ogc/collections/depots/items/{code}", json={"properties": {}})
    assert missing.status_code == 428


def _body(geometry: object, **properties: object) -> bytes:
    props = {"code": "X1", "name": "x", "level": "village", **properties}
    return json.dumps({"type": "Feature", "geometry": geometry, "properties": props}).encode()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'"a string"',
        b"42",
        b'{"type": "Feature", "properties": "nope"}',
        _body("here"),
        _body({"type": "Point", "coordinates": [30.3, 112.2]}),
        _body({"type": "Point", "coordinates": [112.2, 30.3]}, level="castle", stock={"sand": -1}),
        b"",
    ],
)
def test_bad_bodies_get_a_4xx_that_names_the_field_never_a_500(site, body):
    before = history_rows(site.store)
    answer = site.client("planner").post(
        "/ogc/collections/depots/items", data=body, content_type="application/geo+json"
    )
    assert 400 <= answer.status_code < 500, answer.data
    assert answer.json["error"]
    assert all("field" in p for p in answer.json.get("problems", []))
    assert history_rows(site.store) == before


def test_an_invalid_record_names_each_field_and_reason(site):
    body = new_depot("API-BAD")
    body["properties"].update(level="castle", keeper_phone="call", stock={"gold": 3})
    answer = site.client("planner").post("/ogc/collections/depots/items", json=body)
    assert answer.status_code == 422
    problems = {p["field"]: p for p in answer.json["problems"]}
    assert set(problems) == {"level", "keeper_phone", "stock"}
    assert problems["stock"]["reason"] == "no catalogue item “gold”"
    assert problems["level"]["reason_zh"].startswith("应为以下之一")


def test_bad_query_parameters_are_400(site):
    client = site.client("viewer")
    for query in ("limit=abc", "limit=0", "bbox=1,2,3", "bbox=a,b,c,d", "after=-1"):
        answer = client.get(f"/ogc/collections/forces/items?{query}")
        assert answer.status_code == 400, query
        assert answer.json["problems"][0]["field"] in ("limit", "bbox", "after")
    assert client.get("/ogc/collections/users/items").status_code == 404


def test_history_over_http_and_a_restore_by_an_admin(site):
    code = site.store.read("depots")["code"].iloc[13]
    planner = site.client("planner")
    tag = planner.get(f"/ogc/collections/depots/items/{code}").headers["ETag"]
    planner.patch(
        f"/ogc/collections/depots/items/{code}",
        json={"geometry": {"type": "Point", "coordinates": [112.23, 30.33]}},
        headers={"If-Match": tag},
    )
    tag = planner.get(f"/ogc/collections/depots/items/{code}").headers["ETag"]
    assert (
        planner.delete(
            f"/ogc/collections/depots/items/{code}", headers={"If-Match": tag}
        ).status_code
        == 204
    )
    assert planner.get(f"/ogc/collections/depots/items/{code}").status_code == 404
    history = planner.get(f"/ogc/collections/depots/items/{code}/history").json["history"]
    assert [h["action"] for h in history] == ["delete", "update"]
    assert history[1]["actor"] == "user-planner"
    assert history[1]["changes"]["geom"]["new"] == {"type": "Point", "coordinates": [112.23, 30.33]}
    (entry,) = [e for e in deleted_records(site.store, system_principal()) if e["code"] == code]
    restore_record(site.store, system_principal(), entry["id"])
    assert planner.get(f"/ogc/collections/depots/items/{code}").status_code == 200


def test_a_township_with_points_is_not_deleted_over_http(site):
    code = site.store.read("townships")["code"].iloc[0]
    answer = site.client("admin").delete(
        f"/ogc/collections/townships/items/{code}", headers={"If-Match": '"1"'}
    )
    assert answer.status_code == 409
    assert answer.json["problems"][0]["references"]["risk_points"] > 0
    assert (
        json.loads(site.client("viewer").get(f"/ogc/collections/townships/items/{code}").data)["id"]
        == code
    )
