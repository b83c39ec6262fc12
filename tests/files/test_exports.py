"""Exports: each format read back gives the same records; filters as on screen; the offline map."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from files.exports import ExportError, export_to, layer_records
from files.imports import import_file
from files.webmap import VENDOR, offline_map
from tests.files.test_imports import PLANNER, counts, store  # noqa: F401  (the fixture)

VIEWER = PLANNER.__class__(name="viewer-1", role="viewer", kind="user")
LAYERS = ["risk_points", "depots", "forces", "command_nodes", "townships"]


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".geojson", ".gpkg", ".zip"])
@pytest.mark.parametrize("layer", LAYERS)
def test_an_export_imported_again_gives_the_same_records(store, tmp_path, layer, ext):  # noqa: F811
    path = tmp_path / f"{layer}{ext}"
    n = export_to(store, VIEWER, layer, path)
    assert n == len(store.read(layer))
    before = counts(store)
    got = import_file(store, PLANNER, layer, path).as_json()
    assert got["rejected"] == [] and got["added"] == [] and got["updated"] == [], got
    assert len(got["unchanged"]) == n
    assert counts(store) == before


def test_csv_has_a_bom_and_chinese_headers(store, tmp_path):  # noqa: F811
    path = tmp_path / "d.csv"
    export_to(store, VIEWER, "depots", path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode("utf-8").splitlines()[0].split(",")
    assert header[:3] == ["编号", "名称", "英文名称"] and "编织袋(条)" in header


def test_a_zipped_shapefile_has_its_cpg(store, tmp_path):  # noqa: F811
    path = tmp_path / "r.zip"
    export_to(store, VIEWER, "risk_points", path)
    names = zipfile.ZipFile(path).namelist()
    assert {n.rsplit(".", 1)[1] for n in names} >= {"shp", "shx", "dbf", "prj", "cpg"}


def test_filtered_as_on_screen(store):  # noqa: F811
    by_town = layer_records(store, VIEWER, "risk_points", townships=["T2"])
    assert sorted(by_town["code"]) == ["R3", "R4", "R6"]
    by_level = layer_records(store, VIEWER, "depots", level=3)
    assert sorted(by_level["code"]) == ["D3", "D4"]
    both = layer_records(store, VIEWER, "forces", townships=["T1"], level=2)
    assert sorted(both["code"]) == ["F2", "F4"]


def test_unknown_format_and_anonymous(store, tmp_path):  # noqa: F811
    with pytest.raises(ExportError):
        export_to(store, VIEWER, "risk_points", tmp_path / "r.doc")
    from auth import Unauthenticated

    with pytest.raises(Unauthenticated):
        layer_records(store, None, "risk_points")


def test_the_offline_map_references_nothing_outside(store):  # noqa: F811
    page = offline_map(store, VIEWER, "risk_points", townships=["T1"])
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    rest = page
    for part in VENDOR.iterdir():
        if part.suffix in (".js", ".css"):
            library = part.read_text(encoding="utf-8")
            assert library in page  # inlined
            rest = rest.replace(library, "")
    assert re.findall(r"https?://", rest) == []
    named = [json.dumps(f"风险点{c}")[1:-1] in page for c in ("R1", "R3")]
    assert named == [True, False]  # T1's points only
    assert "FastMarkerCluster" in page or "markerClusterGroup" in page
