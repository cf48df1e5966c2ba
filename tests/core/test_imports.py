"""Spreadsheet imports through the one intake path, on SQLite and PostgreSQL: good rows go
in, every bad row is named with its row number and reason, a second import registers
nothing twice, a dry run writes nothing, and whole files are refused cleanly (too large,
wrong encoding, missing columns). The CLI prints the summary and exits 0, 1 or 2."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

import main
from core.domain.actor import Actor
from core.imports.mapping import load_mapping
from core.imports.run import import_file
from core.imports.tabular import FileRefused
from core.resources import RESOURCES
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import orders
from tests.core.county import POINTS

TEMPLATE = RESOURCES / "imports" / "template.toml"
CAT = "db44t2479-2024:0303:030302"
HEADER = ["id", "created", "category", "title", "description", "lon", "lat", "phone"]


def rows() -> list[list[str]]:
    lon, lat = POINTS["town1v1g1"]
    far_lon, far_lat = POINTS["outside"]
    return [
        ["E1", "2026-11-03 09:15", CAT, "路灯", "路灯不亮", str(lon), str(lat), "13800000001"],
        ["E2", "", "", "", "井盖缺失", str(lon), str(lat), ""],  # default category
        ["E3", "", CAT, "", "", str(lon), str(lat), ""],  # no description
        ["E4", "yesterday", CAT, "", "时间坏了", str(lon), str(lat), ""],
        ["E5", "", CAT, "", "外县", str(far_lon), str(far_lat), ""],  # outside the county
        ["E1", "", CAT, "", "同一编号又来一次", str(lon), str(lat), ""],  # duplicate in file
        ["E7", "", "no-such-node", "", "分类不存在", str(lon), str(lat), ""],
        ["E8", "", CAT, "", "电话坏了", str(lon), str(lat), "12"],
    ]


def write_csv(path: Path, data: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(data)
    return path


def count(svc: OrderService) -> int:
    with read_tx(svc.store.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())


def test_good_rows_go_in_and_bad_ones_are_named(
    svc: OrderService, actors: dict[str, Actor], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", rows())
    m = load_mapping(TEMPLATE)
    dry = import_file(svc, actors["duty"], path, m, dry_run=True)
    assert count(svc) == 0 and dry.accepted == 2
    report = import_file(svc, actors["duty"], path, m)
    assert report.rows == 8
    assert [r for r, _n in report.registered] == [2, 3]
    assert report.duplicates == [(7, "E1")]
    assert [(p.row, p.field, p.code) for p in report.refused] == [
        (4, "description", "required"),
        (5, "created", "bad_time"),
        (6, "coordinates", "outside_county"),
        (8, "category_node_id", "unknown_category"),
        (9, "phone", "phone_bad_length"),
    ]
    assert count(svc) == 2
    first = svc.load(actors["admin"], svc.order_id(report.registered[0][1])).order
    assert (first.external_source, first.external_ref) == ("template", "E1")
    assert first.category_node_id == CAT and first.channel == "department"

    again = import_file(svc, actors["duty"], path, m)
    assert again.registered == [] and [r for r, _i in again.duplicates] == [2, 3, 7]
    assert count(svc) == 2


def test_excel_files_import_too(
    svc: OrderService, actors: dict[str, Actor], tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "description", "lon", "lat"])  # the optional columns left out
    lon, lat = POINTS["town1v1g1"]
    ws.append(["X1", "占道经营", lon, lat])
    ws.append([None, "没有编号", lon, lat])
    wb.save(tmp_path / "in.xlsx")
    report = import_file(svc, actors["duty"], tmp_path / "in.xlsx", load_mapping(TEMPLATE))
    assert [r for r, _n in report.registered] == [2]
    assert [(p.row, p.code) for p in report.refused] == [(3, "required")]


def too_large(p: Path) -> None:
    write_csv(p, rows() * 50)


def gbk(p: Path) -> None:
    write_csv(p, rows(), encoding="gbk")


def no_description(p: Path) -> None:
    p.write_text("id,title\nA,B\n", encoding="utf-8")


def empty(p: Path) -> None:
    p.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (too_large, "too_large"),
        (gbk, "bad_encoding"),
        (no_description, "missing_columns"),
        (empty, "empty"),
    ],
)
def test_whole_files_are_refused_cleanly(
    svc: OrderService, actors: dict[str, Actor], tmp_path: Path, make: Any, code: str
) -> None:
    path = tmp_path / "bad.csv"
    make(path)
    with pytest.raises(FileRefused) as caught:
        import_file(svc, actors["duty"], path, load_mapping(TEMPLATE), max_bytes=4096)
    assert caught.value.code == code
    if code == "bad_encoding":
        assert caught.value.params["line"] == 2  # the first row with Chinese text
    assert count(svc) == 0


def test_the_command_prints_a_summary(
    db_url: str, svc: OrderService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", rows())
    code = main.main(["--db", db_url, "import", str(path), "--as", "duty"])
    out = capsys.readouterr()
    assert code == 1  # some rows refused
    assert out.out.splitlines()[0] == (
        "in.csv (template): 8 rows; registered 2, already imported 1, refused 5; as duty"
    )
    assert "  row 6: coordinates: outside_county" in out.out
    assert main.main(["--db", db_url, "import", str(path), "--dry-run"]) == 1
    assert "registered" not in capsys.readouterr().out.splitlines()[0].split(";")[1]
    bad = tmp_path / "m.toml"
    bad.write_text("[source]\n", encoding="utf-8")
    assert main.main(["--db", db_url, "import", str(path), "--mapping", str(bad)]) == 2
    assert "[columns] id: required" in capsys.readouterr().err
    assert main.main(["--db", db_url, "import", str(tmp_path / "none.csv")]) == 2
    assert "unreadable" in capsys.readouterr().err
    assert main.main(["--db", db_url, "import", str(path), "--as", "nobody"]) == 2
    assert count(svc) == 2


def test_open311_requests_import_with_their_notes(
    svc: OrderService, actors: dict[str, Actor], tmp_path: Path
) -> None:
    from core.open311 import parse_requests
    from core.storage.schema import events
    from tests.shared_data import need, shared_data

    path = need(shared_data() / "open311" / "chicago_open311_2014_requests_50.json")
    m = load_mapping(RESOURCES / "imports" / "chicago_open311.toml")
    report = import_file(svc, actors["duty"], path, m)
    assert report.rows == 50
    assert len(report.registered) + len(report.refused) == 50
    assert len(report.registered) > 40
    assert {p.code for p in report.refused} <= {"outside_county"}
    notes = {r.service_request_id: len(r.notes) for r in parse_requests(path.read_bytes()).items}
    with read_tx(svc.store.engine) as conn:
        got = dict(
            conn.execute(
                select(orders.c.external_ref, func.count(events.c.id))
                .join(events, events.c.order_id == orders.c.id)
                .where(events.c.kind == "source_note")
                .group_by(orders.c.external_ref)
            ).all()
        )
    registered = {
        svc.load(actors["admin"], svc.order_id(n)).order.external_ref for _r, n in report.registered
    }
    assert got == {ref: notes[ref] for ref in registered if notes[ref]}
    again = import_file(svc, actors["duty"], path, m)
    assert again.registered == [] and len(again.duplicates) == len(report.registered)

    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<service_requests><request><service_request_id>&b;</service_request_id></request>"
        "</service_requests>",
        encoding="utf-8",
    )
    with pytest.raises(FileRefused) as caught:
        import_file(svc, actors["duty"], bomb, m)
    assert caught.value.code == "xml_forbidden"


def test_a_12345_hand_down_keeps_its_number_type_and_stricter_deadline(
    svc: OrderService, actors: dict[str, Actor], county: Any, tmp_path: Path, clock: Any
) -> None:
    from datetime import timedelta

    from core.geo import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(*POINTS["town1v1g1"])
    soon = (clock.now() + timedelta(days=1)).astimezone(county_tz(svc)).strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "jiaoban.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["工单编号", "诉求类型", "办理时限", "诉求内容", "经度", "纬度", "紧急程度", "联系电话"]
        )
        w.writerow(
            ["SJ2026-0001", "举报", soon, "夜间施工噪音扰民", lon, lat, "紧急", "13800000001"]
        )
        w.writerow(["SJ2026-0002", "抱怨", "", "类型不认识", lon, lat, "", "13800000002"])
        w.writerow(["SJ2026-0003", "投诉", "", "没有电话", lon, lat, "", ""])
    m = load_mapping(RESOURCES / "imports" / "city12345.toml")
    report = import_file(svc, actors["duty"], path, m, encoding="gb18030")
    assert [(p.row, p.field, p.code, p.value) for p in report.refused] == [
        (3, "request_type", "unknown_value", "抱怨"),
        (4, "phone", "phone_required", ""),  # intake's own rule for the city platform
    ]
    agg = svc.load(actors["admin"], svc.order_id(report.registered[0][1]))
    o = agg.order
    assert (o.external_source, o.external_ref, o.channel) == (
        "city12345",
        "SJ2026-0001",
        "city_platform",
    )
    assert (o.request_type, o.urgency) == ("report", "urgent")
    assert o.location_unit_id == county.units["town1v1g1"]  # GCJ-02 converted, then located
    assert o.upstream_due is not None
    assert all(lim.due_at <= o.upstream_due for lim in agg.limits if lim.open)  # stricter wins


def test_a_110_transfer_keeps_the_incident_number(
    svc: OrderService, actors: dict[str, Actor], county: Any, tmp_path: Path
) -> None:
    from core.addresses import normalize
    from core.storage.db import write_tx
    from core.storage.schema import std_addresses

    address, unit = "幸福路12号", county.units["town1v1g1"]
    lon, lat = POINTS["town1v1g1"]
    with write_tx(svc.store.engine) as conn:
        conn.execute(
            std_addresses.insert().values(
                id=9001,
                address=address,
                normalized=normalize(address),
                unit_id=unit,
                lon=lon,
                lat=lat,
            )
        )
    path = tmp_path / "110.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["转办编号", "警情编号", "警情内容", "发生地址", "联系电话"])
        w.writerow(
            ["ZB-1", "J3408002026110300123", "楼道堆放杂物堵塞消防通道", address, "13900000001"]
        )
    report = import_file(
        svc, actors["duty"], path, load_mapping(RESOURCES / "imports" / "police110.toml")
    )
    assert report.refused == [] and len(report.registered) == 1
    o = svc.load(actors["admin"], svc.order_id(report.registered[0][1])).order
    assert (o.channel, o.police_incident_no, o.request_type) == (
        "police_110",
        "J3408002026110300123",
        "help",
    )
    assert o.location_unit_id == unit  # placed by its standard address


def county_tz(svc: OrderService) -> Any:
    return svc.store.reference().tz


def test_answers_and_returns_go_back_to_the_platform(
    db_url: str,
    svc: OrderService,
    actors: dict[str, Actor],
    county: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = actors
    lon, lat = POINTS["town1v1g1"]
    path = tmp_path / "jiaoban.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "诉求内容", "经度", "纬度", "联系电话"])
        for n in (1, 2, 3):
            w.writerow([f"SJ-{n}", f"诉求{n}", lon, lat, f"1380000000{n}"])
    report = import_file(
        svc, a["duty"], path, load_mapping(RESOURCES / "imports" / "city12345.toml")
    )
    first, second, third = (svc.order_id(n) for _r, n in report.registered)
    hop = svc.dispatch(a["dispatcher"], first, county.units["town1"]).value[0]
    svc.accept(a["h_town1"], first, hop)
    svc.submit_result(a["h_town1"], first, hop, "已责令停工")
    svc.review(a["supervisor"], first, True)
    svc.transfer(a["dispatcher"], second, "市12345平台", "不属本县管辖")
    out = tmp_path / "answers.csv"
    assert main.main(["--db", db_url, "answers", "--source", "city12345", "--out", str(out)]) == 0
    assert "2 answers and returns for city12345" in capsys.readouterr().out
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    rows = list(csv.reader(lines))
    assert rows[0] == ["工单编号", "本地编号", "类型", "内容", "承办单位", "时间"]
    assert [r[:5] for r in rows[1:]] == [
        ["SJ-1", report.registered[0][1], "办结", "已责令停工", "第1镇"],
        ["SJ-2", report.registered[1][1], "退回", "不属本县管辖（转至市12345平台）", ""],
    ]
    assert third  # still open: owes nothing yet
    later = tmp_path / "later.csv"
    since = ["--since", "2999-01-01 00:00"]
    assert (
        main.main(["--db", db_url, "answers", "--source", "city12345", "--out", str(later), *since])
        == 0
    )
    assert len(later.read_bytes().decode("utf-8-sig").splitlines()) == 1  # the header alone
    with pytest.raises(SystemExit) as bad:  # argparse: a clear message, exit code 2
        main.main(["--db", db_url, "answers", "--source", "x", "--out", "f", "--since", "昨天"])
    assert bad.value.code == 2
    assert "not a local time" in capsys.readouterr().err
