"""Column mappings for spreadsheet imports: a broken mapping names every problem; a bad row
is refused with its row number and field while the good rows become drafts; GCJ-02 and the
place transform move coordinates as documented. No database: core/imports/mapping.py is pure."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from core.geo import wgs84_to_gcj02
from core.imports.mapping import MappingError, convert, load_mapping, parse_mapping
from core.resources import RESOURCES
from tests.shared_data import need, shared_data

DATA = shared_data() / "replay"
LA = RESOURCES / "imports" / "la311.toml"

MINIMAL = """
[source]
name = "test"
[columns]
id = "ID"
description = "Text"
lon = "X"
lat = "Y"
created = { column = "When", format = "%Y-%m-%d %H:%M" }
[category]
default = "db44t2479-2024:0303:030399"
"Lights" = "db44t2479-2024:0303:030302"
"""


def test_a_broken_mapping_names_every_problem() -> None:
    text = """
[source]
timezone = "Mars/Olympus"
coords = "bd09"
[columns]
id = 7
colour = "C"
lon = "X"
title = { column = "T", format = "%Y" }
[category]
"A" = ""
[defaults]
channel = "pigeon"
[place]
from = [1, 2, 0, 1]
to = "moon"
[extra]
"""
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "bad.toml")
    got = {(t, f, c) for t, f, c in caught.value.problems}
    assert got == {
        ("source", "name", "required_text_up_to_40"),
        ("source", "timezone", "unknown_zone"),
        ("source", "coords", "unknown_value"),
        ("columns", "id", "not_a_column_name"),
        ("columns", "colour", "unknown_field"),
        ("columns", "title", "format_only_for_times"),
        ("columns", "id", "required"),
        ("columns", "description", "required"),
        ("columns", "lat", "required_with_pair"),
        ("category", "default", "required"),
        ("category", "A", "not_a_node_id"),
        ("defaults", "channel", "unknown_value"),
        ("place", "from", "not_a_box"),
        ("place", "to", "not_a_box_or_county"),
        ("extra", "", "unknown_table"),
    }
    assert caught.value.params["file"] == "bad.toml"
    with pytest.raises(MappingError, match="not_toml"):
        parse_mapping("[source", "x.toml")


def test_bad_rows_are_named_and_the_good_ones_go_through() -> None:
    m = parse_mapping(MINIMAL, county_tz="Asia/Shanghai")
    rows = [
        {"ID": "A1", "Text": "路灯不亮", "X": "116.1", "Y": "33.1", "When": "2025-03-03 09:00"},
        {"ID": "", "Text": "没有编号", "X": "", "Y": "", "When": ""},
        {"ID": "A3", "Text": "坐标坏了", "X": "abc", "Y": "33", "When": ""},
        {"ID": "A4", "Text": "时间坏了", "X": "", "Y": "", "When": "3/3/2025"},
        {"ID": "A5", "Text": "", "X": "", "Y": "", "When": ""},
        {"ID": "A6", "Text": "超出范围", "X": "200", "Y": "33", "When": ""},
        {"ID": "A7", "Text": "'); DROP TABLE orders;--", "X": "", "Y": "", "When": ""},
    ]
    got = convert(rows, m)
    assert [(p.row, p.field, p.code) for p in got.problems] == [
        (3, "id", "required"),
        (4, "lon", "coordinates_not_numbers"),
        (5, "created", "bad_time"),
        (6, "description", "required"),
        (7, "lon", "coordinates_out_of_range"),
    ]
    assert [(d.row, d.external_id) for d in got.drafts] == [(2, "A1"), (8, "A7")]
    first = got.drafts[0]
    assert first.created == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Shanghai 09:00
    assert (first.draft.lon, first.draft.lat) == (116.1, 33.1)
    assert first.draft.external_ref == "A1"
    assert got.drafts[1].draft.description == "'); DROP TABLE orders;--"  # text, as typed


def test_gcj02_points_are_converted_and_places_moved() -> None:
    gcj = parse_mapping(MINIMAL.replace('name = "test"', 'name = "test"\ncoords = "gcj02"'))
    lon, lat = wgs84_to_gcj02(116.3, 39.9)
    d = convert([{"ID": "G", "Text": "t", "X": str(lon), "Y": str(lat)}], gcj).drafts[0].draft
    assert d.lon == pytest.approx(116.3, abs=1e-5) and d.lat == pytest.approx(39.9, abs=1e-5)

    moved = parse_mapping(MINIMAL + '\n[place]\nfrom = [0, 0, 10, 10]\nto = "county"\n')
    assert moved.place_to_county
    m = moved.onto((116.0, 33.0, 116.4, 33.3))
    d = convert([{"ID": "P", "Text": "t", "X": "5", "Y": "10"}], m).drafts[0].draft
    assert (d.lon, d.lat) == pytest.approx((116.2, 33.3))


def test_the_los_angeles_mapping_reads_the_real_file() -> None:
    m = load_mapping(LA).onto((116.0, 33.0, 116.4, 33.3))
    with need(DATA / "la311_2018-01-01_to_04.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = convert(rows, m)
    assert len(got.drafts) + len(got.problems) == len(rows)
    assert len(got.drafts) > 0.9 * len(rows)
    first = got.drafts[0]
    assert first.row == 2 and first.external_id == "1-870704814"
    assert first.created == datetime(2018, 1, 1, 8, 0, 9, tzinfo=UTC)  # 00:00:09 in LA
    assert first.draft.category_node_id == "db44t2479-2024:0303:030302"  # Bulky Items
    assert 116.0 <= (first.draft.lon or 0) <= 116.4 and 33.0 <= (first.draft.lat or 0) <= 33.3
    assert {p.code for p in got.problems} <= {"required", "coordinates_not_numbers"}
