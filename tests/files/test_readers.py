"""Readers: every format to the same table; what was dropped and how it was decoded is said."""

from __future__ import annotations

import json

import pytest

from files.readers import FileRefused, decode, read_table
from tests.files.makers import (
    RISK_HEADER,
    RISK_ROWS,
    csv_bytes,
    gbk_shapefile_zip,
    legacy_geojson,
    messy_xlsx,
    risk_frame,
    write,
)


def notes(table) -> list[str]:
    return [n.say("en") for n in table.notes]


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_decodes_strictly_and_says_which(tmp_path, encoding, named):
    path = write(tmp_path / "r.csv", csv_bytes(RISK_HEADER, RISK_ROWS, encoding))
    table = read_table(path)
    assert table.encoding == named
    assert table.header == RISK_HEADER
    assert table.rows[0][1] == "江堤管涌点"
    assert table.numbers == [2, 3]
    assert f"encoding: {named}" in notes(table)


def test_gb18030_only_characters_come_through():
    text = "编号,名称\nA1,𠀀字\n"  # U+20000 is in GB18030, not in GBK
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_utf8_cut_inside_a_character_is_truncated_not_gb18030():
    data = "编号,名称\nA1,江堤".encode()[:-1]
    with pytest.raises(FileRefused) as refused:
        decode(data)
    assert refused.value.problem.code == "file_truncated"


def test_bytes_neither_encoding_reads_are_refused():
    with pytest.raises(FileRefused) as refused:
        decode(b"code,name\nA1,\xff\xff\xff\n")
    assert refused.value.problem.code == "file_encoding"


def test_csv_title_row_blank_rows_and_totals_are_dropped_and_said(tmp_path):
    rows = [["2026年台账"] + [""] * 7, RISK_HEADER, RISK_ROWS[0], [""] * 8, RISK_ROWS[1]]
    rows.append(["合计", "2"] + [""] * 6)
    data = "\n".join(",".join(r) for r in rows).encode("gbk") + b"\n"
    table = read_table(write(tmp_path / "r.csv", data))
    assert [r[0] for r in table.rows] == ["RN1", "RN2"]
    assert table.numbers == [3, 5]
    said = notes(table)
    assert "the header is row 2; 1 row(s) above it (a title) were skipped" in said
    assert "1 blank row(s) skipped" in said
    assert "row 6 is a totals row (合计): not imported" in said


def test_xlsx_header_under_a_merged_title_and_what_is_not_data(tmp_path):
    rows = [[*r[:5], float(r[5]), float(r[6]), r[7]] for r in RISK_ROWS]
    table = read_table(messy_xlsx(tmp_path / "r.xlsx", RISK_HEADER, rows))
    assert table.header == RISK_HEADER
    assert [r[0] for r in table.rows] == ["RN1", "RN2"]
    assert table.rows[0][5] == "112.03"
    assert table.numbers == [4, 6]
    said = notes(table)
    assert "the header is row 3; 2 row(s) above it (a title) were skipped" in said
    assert "row 7 is a totals row (合计): not imported" in said
    assert any(s.startswith("row 9 is a note under the table") for s in said)


def test_gbk_shapefile_without_cpg_is_not_mangled(tmp_path):
    table = read_table(gbk_shapefile_zip(tmp_path / "r.zip", risk_frame()))
    assert table.encoding == "gb18030"
    assert [r[table.header.index("name")] for r in table.rows] == ["滑坡点甲", "危化仓库乙"]
    assert table.geometry is not None and len(table.geometry) == 2


def test_geojson_legacy_crs_member_is_read(tmp_path):
    table = read_table(legacy_geojson(tmp_path / "r.geojson", risk_frame(), 3857))
    assert table.crs is not None and "3857" in table.crs


def test_geopackage_layer(tmp_path):
    path = tmp_path / "r.gpkg"
    risk_frame().to_file(path, layer="risks", driver="GPKG")
    table = read_table(path)
    assert table.format == "gpkg" and len(table.rows) == 2
    with pytest.raises(FileRefused) as refused:
        read_table(path, sheet="nope")
    assert refused.value.problem.code == "file_no_layer"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("r.csv", b"", "file_empty"),
        ("r.csv", "编号,名称\n".encode(), "file_empty"),
        ("r.xlsx", "编号,名称\nA,B\n".encode(), "file_wrong_kind"),
        ("r.zip", "编号,名称\n".encode(), "file_wrong_kind"),
        ("r.gpkg", b"PK\x03\x04 not a database", "file_wrong_kind"),
        ("r.geojson", b"code,name\n", "file_wrong_kind"),
        ("r.zip", b"PK\x03\x04\x14\x00\x00\x00 cut", "file_truncated"),
        ("r.xlsx", b"PK\x03\x04\x14\x00\x00\x00 cut", "file_truncated"),
        (
            "r.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Fea',
            "file_truncated",
        ),
        ("r.doc", b"whatever", "file_unknown_format"),
        ("r.csv", b'code,name\nA1,"open quote\n', "file_truncated"),
    ],
)
def test_files_refused_whole(tmp_path, name, data, code):
    with pytest.raises(FileRefused) as refused:
        read_table(write(tmp_path / name, data))
    assert refused.value.problem.code == code
    assert refused.value.problem.say("zh")  # a message for the planner in both languages


def test_too_large_states_the_limit(tmp_path):
    path = write(tmp_path / "r.csv", b"code,name\n" + b"A,B\n" * 300_000)
    with pytest.raises(FileRefused) as refused:
        read_table(path, max_mb=1)
    assert refused.value.problem.say("en") == "the file is too large: 1.1 MB, the limit is 1 MB"


def test_no_header_is_said(tmp_path):
    with pytest.raises(FileRefused) as refused:
        read_table(write(tmp_path / "r.csv", b"a,b,c\n1,2,3\n"))
    assert refused.value.problem.code == "file_no_header"


def test_a_nul_in_geojson_text_does_not_cut_the_text_short(tmp_path):
    """Found by the import fuzz: GDAL ends a string at a NUL, so a name "江堤\\u0000管涌点"
    was read (and imported) as "江堤", and a quantity "\\u0000" as a blank cell."""
    frame = risk_frame()
    frame.loc[0, "name"] = "江堤\x00管涌点"
    frame.loc[1, "name"] = "\\u0000 is six characters"  # an escaped backslash: not a NUL
    path = tmp_path / "r.geojson"
    path.write_text(frame.to_json(ensure_ascii=False), encoding="utf-8")
    assert b"\\u0000" in path.read_bytes()
    table = read_table(path)
    names = [row[table.header.index("name")] for row in table.rows]
    assert names == ["江堤\x1f管涌点", "\\u0000 is six characters"]


def test_gdal_asides_on_a_geojson_do_not_fail_the_read(tmp_path):
    """Found by the import fuzz: GDAL warns of a point with no coordinates; where
    warnings are errors that aside failed the whole import instead of rejecting a row."""
    features = [
        {"type": "Feature", "properties": {"code": "RZ1", "name": "甲"},
         "geometry": {"type": "Point", "coordinates": []}},
        {"type": "Feature", "properties": {"code": "RZ2", "name": "乙"},
         "geometry": {"type": "Point", "coordinates": [112.03, 30.04]}},
    ]  # fmt: skip
    path = tmp_path / "r.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    table = read_table(path)
    assert [row[0] for row in table.rows] == ["RZ1", "RZ2"]
    assert table.geometry is not None and table.geometry.iloc[1].x == 112.03
