"""``/api``: incidents, recommendations and dispatch over raw HTTP, on both stores."""

from __future__ import annotations

import pytest

INCIDENT = {
    "lon": 112.2, "lat": 30.36, "type": "seepage", "description": "堤脚管涌",
    "needs": {"items": {"woven_bag": 2000, "sand": 50}, "forces": {"flood_team": 40}, "boats": 2},
}  # fmt: skip


def test_an_officer_opens_an_incident_and_gets_its_recommendation(site):
    officer = site.client("duty_officer")
    created = officer.post("/api/incidents", json=INCIDENT)
    assert created.status_code == 201, created.json
    ident = created.json["id"]
    assert created.headers["Location"].endswith(f"/api/incidents/{ident}")
    got = site.client("viewer").get(f"/api/incidents/{ident}/recommendation")
    assert got.status_code == 200
    body = got.json
    assert body["routing"] == "road"
    assert set(body) >= {"routing", "depots", "forces", "short", "chain"}
    times = [d["travel_s"] for d in body["depots"]]
    assert times == sorted(times) and all(
        set(d) >= {"code", "travel_s", "take"} for d in body["depots"]
    )
    taken = sum(d["take"].get("woven_bag", 0) for d in body["depots"])
    assert taken + body["short"].get("woven_bag", 0) == 2000
    assert [c["level"] for c in body["chain"]][:2] == ["township", "county"]
    assert all({"code", "level", "duty_officer", "phone"} <= set(c) for c in body["chain"])
    assert site.client("viewer").get(f"/api/incidents/{created.json['code']}").json["id"] == ident


def test_dispatch_over_http_reserves_once_per_key_and_409_names_what_is_short(site):
    officer = site.client("duty_officer")
    ident = officer.post("/api/incidents", json=INCIDENT).json["id"]
    proposal = officer.get(f"/api/incidents/{ident}/recommendation").json
    depot = proposal["depots"][0]
    body = {"key": "abc-1", "depots": [{"code": depot["code"], "take": {"woven_bag": 1}}],
            "forces": [proposal["forces"][0]["code"]]}  # fmt: skip
    first = officer.post(f"/api/incidents/{ident}/dispatch", json=body)
    assert first.status_code == 201 and first.json["created"]
    assert {o["kind"] for o in first.json["orders"]} == {"material", "force"}
    again = officer.post(f"/api/incidents/{ident}/dispatch", json=body)
    assert again.status_code == 200 and not again.json["created"]
    assert again.json["dispatch"] == first.json["dispatch"]
    greedy = {"key": "abc-2", "depots": [{"code": depot["code"], "take": {"woven_bag": 10**9}}]}
    refused = officer.post(f"/api/incidents/{ident}/dispatch", json=greedy)
    assert refused.status_code == 409
    assert list(refused.json["short"]) == [f"{depot['code']}/woven_bag"]
    log = officer.get(f"/api/incidents/{ident}/orders").json["orders"]
    assert len(log) == 2
    order = next(o for o in log if o["kind"] == "force")
    moved = officer.patch(f"/api/orders/{order['id']}", json={"status": "en_route"})
    assert moved.status_code == 200 and moved.json["status"] == "en_route"
    wrong = officer.patch(f"/api/orders/{order['id']}", json={"status": "consumed"})
    assert wrong.status_code == 422


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("viewer", 403), ("planner", 403)])
def test_roles_that_may_not_dispatch_are_refused(site, role, status):
    officer = site.client("duty_officer")
    ident = officer.post("/api/incidents", json=INCIDENT).json["id"]
    client = site.client(role)
    assert client.post("/api/incidents", json=INCIDENT).status_code == status
    sent = client.post(f"/api/incidents/{ident}/dispatch", json={"key": "x", "forces": ["F"]})
    assert sent.status_code == status
    assert officer.get(f"/api/incidents/{ident}/orders").json["orders"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"lat": 30.3, "type": "flood"},
        {"lon": "east", "lat": 30.3, "type": "flood"},
        {"lon": 112.2, "lat": 30.3, "type": "meteor"},
        {"lon": 30.3, "lat": 112.2, "type": "flood"},
        {"lon": 112.2, "lat": 30.3, "type": "flood", "needs": {"items": {"gold": 1}}},
        {"lon": 112.2, "lat": 30.3, "type": "flood", "needs": {"forces": {"flood_team": -4}}},
        [1, 2],
    ],
)
def test_bad_incidents_get_a_4xx_naming_the_field(site, body):
    answer = site.client("duty_officer").post("/api/incidents", json=body)
    assert 400 <= answer.status_code < 500, answer.data
    assert answer.json["error"] and answer.json.get("problems")


def test_the_openapi_document_describes_the_dispatch_api(site):
    api = site.client("viewer").get("/api/openapi.json").json
    assert api["openapi"].startswith("3.0")
    assert {"/incidents", "/incidents/{id}/recommendation", "/incidents/{id}/dispatch",
            "/orders/{order}"} <= set(api["paths"])  # fmt: skip
    landing = site.client("viewer").get("/ogc").json
    assert any(link["href"].endswith("/api/openapi.json") for link in landing["links"])


def test_roads_are_read_only_and_hazard_areas_are_drawn_by_duty_officers(site):
    road = site.client("admin").get("/ogc/collections/roads/items?limit=1").json["features"][0]
    assert road["geometry"]["type"] == "LineString"
    assert road["properties"]["length_m"] > 0 and road["properties"]["speed_kmh"] > 0
    refused = site.client("admin").post("/ogc/collections/roads/items", json=road)
    assert refused.status_code == 405
    ring = [[112.1, 30.3], [112.11, 30.3], [112.11, 30.31], [112.1, 30.3]]
    area = {
        "type": "Feature",
        "properties": {"code": "FLOOD-API", "name": "淹没区", "kind": "flooded"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    url = "/ogc/collections/hazard_areas/items"
    assert site.client("planner").post(url, json=area).status_code == 403
    drawn = site.client("duty_officer").post(url, json=area)
    assert drawn.status_code == 201, drawn.json
    assert drawn.json["geometry"]["type"] == "MultiPolygon"
