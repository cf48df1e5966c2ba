"""`python main.py stats`: the table, the JSON, empty periods, bad arguments, drills.

The command computes "as of" the real clock; every figure of March 2025 in the fixture is
settled by then, so the expectations of test_analytics hold unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from core.analytics.rules import INDICATORS_FILE
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.schema import settings
from main import main
from tests.core.county import County
from tests.core.test_analytics import EXPECTED_MARCH, L1_A, L1_B, build


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build(svc, actors, county, clock)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_table_by_unit(
    db_url: str, built: Any, svc: OrderService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "stats", "--db", db_url, "--period", "2025-03", "--by", "unit")
    assert code == 0, out
    assert "Assessment 2025-03 (Asia/Shanghai), by unit" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["县公安局"].split()[-2:] == ["100.00", "1"]
    assert lines["第1镇"].split()[-2:] == ["51.00", "4"]
    assert lines["第2镇"].split()[-2:] == ["50.83", "5"]
    assert lines["1镇1村"].split()[-1] == "-"  # not scored, no rank
    total = lines["全县合计"].split()
    assert total[2:5] == ["13", "7.7%", "72.7%"] and total[-1] == "56.83"
    assert lines["测试县(中心)"].split()[-2:] == ["80.00", "2"]
    assert "8 / 11" in lines["及时派遣率"]


def test_json_county(
    db_url: str, built: Any, svc: OrderService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "--db", db_url, "stats", "--period", "2025-03", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["period"]["label"] == "2025-03"
    assert doc["period"]["start"] == "2025-02-28T16:00:00+00:00"
    assert doc["by"] == "county" and doc["groups"] == [] and not doc["empty"]
    got = {n: (m["numerator"], m["denominator"]) for n, m in doc["total"]["indicators"].items()}
    assert got == EXPECTED_MARCH
    assert doc["total"]["indicators"]["on_time_closure"]["value"] == 0.6
    assert doc["total"]["score"] == 56.83
    assert doc["rules"]["intake_counts"] == "orders"


def test_json_by_category_with_a_rules_file(
    db_url: str, built: Any, svc: OrderService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    text = INDICATORS_FILE.read_text(encoding="utf-8")
    rules.write_text(text.replace('intake_counts = "orders"', 'intake_counts = "calls"'), "utf-8")
    argv = ["stats", "--db", db_url, "--period", "2025-03", "--by", "category", "--json"]
    code, out = run(capsys, *argv, "--rules", str(rules))
    assert code == 0, out
    doc = json.loads(out)
    groups = {g["key"]: g for g in doc["groups"]}
    assert set(groups) == {L1_A, L1_B}
    assert groups[L1_A]["name"] == "城乡建设"
    assert groups[L1_B]["indicators"]["intake"]["numerator"] == 8  # 5 + O14 + 2 callers
    assert doc["total"]["indicators"]["intake"]["numerator"] == 16
    assert [g["rank"] for g in doc["groups"]] == sorted(g["rank"] for g in doc["groups"])


def test_empty_period_and_empty_database(
    fresh_db: Any, built: Any, db_url: str, svc: OrderService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "stats", "--db", db_url, "--period", "2024-06")
    assert code == 0 and "nothing to assess" in out and "2024-06" in out
    code, out = run(capsys, "stats", "--db", fresh_db(), "--period", "2025-03")
    assert code == 0 and "holds no orders yet" in out
    code, out = run(capsys, "stats", "--db", db_url, "--period", "2024-06", "--json")
    assert code == 0 and json.loads(out)["empty"] is True


@pytest.mark.parametrize(
    "argv",
    [
        ["--period", "2025-13"],
        ["--period", "March"],
        ["--period", "25-03"],
        ["--by", "village"],
        ["--bogus"],
    ],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", *argv])
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_drill_database_refused(
    db_url: str, svc: OrderService, capsys: pytest.CaptureFixture[str]
) -> None:
    with write_tx(svc.store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )
    code, out = run(capsys, "stats", "--db", db_url, "--period", "2025-03")
    assert code == 1 and "drill database" in out
