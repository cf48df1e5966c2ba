"""Published periods: once a month is published its figures never change, in `stats` and in
`report`, however many orders are registered or acted on later with times inside it; an
unpublished month changes as usual; publication is final. Runs on both backends.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import inspect

from core.analytics import compute
from core.analytics.published import AlreadyPublished, publish
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage import migrate
from core.storage.db import create_db_engine, read_tx
from core.storage.schema import published_periods
from main import main
from tests.core.conftest import sh
from tests.core.county import County
from tests.core.test_analytics import AS_OF, EXPECTED_MARCH, _draft, build, mar


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build(svc, actors, county, clock)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def stats_json(capsys: pytest.CaptureFixture[str], db: str, period: str, by: str) -> Any:
    argv = ["stats", "--db", db, "--period", period, "--json"]
    code, out, err = run(capsys, *argv, *([] if by == "county" else ["--by", by]))
    assert code == 0, err
    return json.loads(out)


def late_orders(
    svc: OrderService, a: dict[str, Actor], c: County, clock: ManualClock, days: list[datetime]
) -> None:
    """Orders registered (the first one dispatched too) at times inside an earlier month,
    as a late entry would be."""
    for i, when in enumerate(days):
        clock.set(when)
        order = svc.register(a["duty"], _draft("town1v1g1", f"1370000{i:04d}")).order_id
        if i == 0:
            clock.set(when.replace(hour=when.hour + 1))
            svc.dispatch(a["dispatcher"], order, c.units["town1"], [])
    clock.set(AS_OF)


def intake(doc: dict[str, Any]) -> int:
    return int(doc["total"]["indicators"]["intake"]["numerator"])


def test_a_published_month_keeps_its_figures(
    db_url: str,
    built: Any,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    code, out, err = run(capsys, "publish", "--db", db_url, "--period", "2025-03", "--as", "李四")
    assert code == 0, err
    assert out.startswith("published 2025-03 at ") and out.strip().endswith("by 李四")
    before = {by: stats_json(capsys, db_url, "2025-03", by) for by in ("county", "unit", "town")}
    got = {
        n: (m["numerator"], m["denominator"])
        for n, m in before["county"]["total"]["indicators"].items()
    }
    assert got == EXPECTED_MARCH and before["county"]["published"]["by"] == "李四"

    late_orders(svc, actors, county, clock, [mar(10, 9), mar(11, 9), mar(12, 15)])
    fresh = compute(svc.store.engine, period="2025-03", as_of=datetime.now(UTC))
    assert fresh.total.measures["intake"].numerator == EXPECTED_MARCH["intake"][0] + 3

    after = {by: stats_json(capsys, db_url, "2025-03", by) for by in ("county", "unit", "town")}
    assert after == before
    code, out, err = run(capsys, "stats", "--db", db_url, "--period", "2025-03", "--by", "unit")
    assert code == 0, err
    assert "by 李四: these figures are final" in out.splitlines()[0]
    total = {line.split()[0]: line for line in out.splitlines() if line.strip()}["全县合计"]
    assert total.split()[2:5] == ["13", "7.7%", "72.7%"] and total.split()[-1] == "56.83"

    xlsx = tmp_path / "out" / "r.xlsx"
    xlsx.parent.mkdir()
    code, out, err = run(
        capsys, "report", "--db", db_url, "--period", "2025-03", "--out", str(xlsx)
    )
    assert code == 0, err
    assert "report 2025-03 (published " in out and "by 李四)" in out
    wb = load_workbook(xlsx)
    assert wb["published"]["B4"].value == "李四"
    county_sheet = list(wb["county"].iter_rows(values_only=True))
    header, row = county_sheet[0], county_sheet[1]
    assert row[header.index("受理量")] == EXPECTED_MARCH["intake"][0]
    assert row[header.index("综合评分")] == before["county"]["total"]["score"]
    units = {r[0]: r for r in list(wb["unit"].iter_rows(values_only=True))[1:]}
    for g in before["unit"]["groups"]:
        assert units[g["key"]][-2:] == (g["score"], g["rank"])


def test_an_unpublished_month_changes_as_usual(
    db_url: str,
    built: Any,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(svc.store.engine, "2025-03", "李四", at=datetime.now(UTC))
    feb = stats_json(capsys, db_url, "2025-02", "county")
    assert feb["published"] is None
    late_orders(svc, actors, county, clock, [sh(2025, 2, 10, 9, 0), sh(2025, 2, 11, 9, 0)])
    again = stats_json(capsys, db_url, "2025-02", "county")
    assert intake(again) == intake(feb) + 2 and again["published"] is None
    assert intake(stats_json(capsys, db_url, "2025-03", "county")) == EXPECTED_MARCH["intake"][0]


def test_publishing_twice_is_refused(
    db_url: str, built: Any, svc: OrderService, capsys: pytest.CaptureFixture[str]
) -> None:
    first = publish(svc.store.engine, "2025-03", "李四", at=datetime.now(UTC))
    with pytest.raises(AlreadyPublished) as exc:
        publish(svc.store.engine, "2025-03", "王五")
    assert exc.value.params["period"] == "2025-03"
    code, _out, err = run(capsys, "publish", "--db", db_url, "--period", "2025-03", "--as", "王五")
    assert code == 2 and err.strip() == "error: 2025-03 is already published; its figures are final"
    with read_tx(svc.store.engine) as conn:
        rows = conn.execute(published_periods.select()).all()
    assert [(r.period, r.published_by, r.rules_hash) for r in rows] == [
        ("2025-03", "李四", first.rules_hash)
    ]
    code, _out, err = run(capsys, "publish", "--db", db_url, "--period", "2025", "--as", "")
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["--period", "2025-13"], ["--period", "March"], []])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["publish", *argv])
    assert exc.value.code == 2 and "error:" in capsys.readouterr().err


def test_the_migration_upgrades_and_downgrades(db_url: str, svc: OrderService) -> None:
    publish(svc.store.engine, "2025-03", "李四", at=datetime.now(UTC))
    svc.store.engine.dispose()
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), "0010")
        gone = {"published_periods", "feed_items", "alerts"}  # 0011 and 0013 taken back
        assert not gone & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert gone <= set(inspect(engine).get_table_names())
        assert migrate.database_revision(engine) == migrate.code_revision()
    finally:
        engine.dispose()
