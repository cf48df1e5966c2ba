"""The demo county's headline indicators fall inside the ranges its config sets.

A shorter year (70 days, May complete) keeps the test quick; the order count is scaled so that a
month carries about as many orders as the default 60,000-order year gives.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

from core.analytics import compute
from core.demo import build_demo, load_config
from core.storage.db import create_db_engine

END = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)


def test_indicators_land_in_their_target_ranges(tmp_path: Path) -> None:
    cfg = copy.deepcopy(load_config())
    cfg["orders"]["days"] = 70
    orders = int(cfg["orders"]["default"] * 70 / 365)
    url = f"sqlite:///{tmp_path / 'targets.sqlite3'}"
    summary = build_demo(url, orders=orders, seed=2026, end=END, config=cfg)
    assert summary.refused == {}
    engine = create_db_engine(url)
    report = compute(engine, period="2026-05", as_of=END)
    engine.dispose()
    measures = report.total.measures
    outside = []
    for name, (low, high) in cfg["targets"].items():
        m = measures[name]
        value = m.value if m.denominator is not None else m.numerator
        if value is None or not low <= value <= high:
            outside.append(f"{name}={value} not in [{low}, {high}]")
    assert not outside, outside
