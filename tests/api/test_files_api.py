"""``/api/files``: upload with a preview, exports streamed, on both stores."""

from __future__ import annotations

import io
import json


def test_export_then_import_the_same_file_changes_nothing(site):
    planner = site.client("planner")
    got = planner.get("/api/files/depots/export.csv?level=3")
    assert got.status_code == 200 and got.data.startswith(b"\xef\xbb\xbf")
    assert got.headers["Content-Disposition"] == 'attachment; filename="depots.csv"'
    sent = planner.post(
        "/api/files/depots/import",
        data={"file": (io.BytesIO(got.data), "depots.csv"), "dry_run": "1"},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 200, sent.json
    body = sent.json
    assert body["added"] == [] and body["updated"] == [] and body["unchanged"]
    assert {r["action"] for r in body["rows"]} == {"unchanged"}


def test_a_rejected_row_is_422_with_the_preview_and_nothing_is_written(site):
    planner = site.client("planner")
    data = "编号,名称,类别,类型,风险等级,经度,纬度\n"
    data += "API-1,测试点,flood,hidden_danger,major,30.3,112.2\n"
    sent = planner.post(
        "/api/files/risk_points/import",
        data={"file": (io.BytesIO(data.encode("gbk")), "r.csv"), "lang": "zh"},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 422
    assert sent.json["rows"] == [
        {"row": 2, "code": "API-1", "action": "reject", "why": "经度/纬度: 经度和纬度似乎填反了"}
    ]
    assert sent.json["encoding"] == "gb18030" and not sent.json["committed"]
    assert site.store.records.get("risk_points", "API-1") is None


def test_viewers_may_export_but_not_import_and_nobody_signed_out_does_either(site):
    viewer = site.client("viewer")
    assert viewer.get("/api/files/forces/export.geojson").status_code == 200
    refused = viewer.post(
        "/api/files/forces/import",
        data={"file": (io.BytesIO(b"code,name\n"), "f.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert site.client().get("/api/files/forces/export.csv").status_code in (302, 401)
    assert viewer.get("/api/files/roads/export.csv").status_code == 404
    assert viewer.get("/api/files/forces/export.doc").status_code == 404


def test_the_offline_map_and_the_list_of_imports(site):
    planner = site.client("planner")
    page = planner.get("/api/files/risk_points/map.html?lang=en")
    assert page.status_code == 200 and b"<!DOCTYPE html>" in page.data[:100]
    assert planner.get("/api/files/imports").json["imports"] is not None


def test_geojson_streams_as_one_feature_collection(site, monkeypatch):
    import files.exports

    monkeypatch.setattr(files.exports, "CHUNK", 2)  # a few features a piece: several pieces
    got = site.client("planner").get("/api/files/risk_points/export.geojson", buffered=False)
    pieces = list(got.response)
    assert got.status_code == 200 and len(pieces) > 3
    collection = json.loads(b"".join(pieces))
    assert collection["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in collection["features"]]
    assert len(codes) == len(set(codes)) == len(site.store.read("risk_points"))
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])
