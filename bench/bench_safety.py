"""The safety index (平安指数): how long it takes with the shipped configuration and with a
province-sized one (9 categories, 133 indicators), per grid and per town.

    python -m bench.bench_safety --db URL [--db URL …] [--period YYYY-MM] [--runs 3]

In process, the median of ``--runs`` after one untimed run: the grouping's assessment
report alone (``compute``), then ``compute_safety`` given that report (one grouped order
query, the category tree, and the vectorised scoring), then ``compute_safety`` whole. Build
the database first: ``main.py demo --orders 60000``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Level-1 and level-2 codes of the shipped taxonomy (resources/taxonomy).
CODES = [
    "01",
    "02",
    "03",
    "0303",
    "0306",
    "04",
    "05",
    "07",
    "0703",
    "0704",
    "0708",
    "09",
    "0903",
    "12",
    "13",
]
SOURCES = [
    "orders",
    "orders",
    "orders",
    "intake",
    "on_spot",
    "timely_dispatch",
    "accurate_dispatch",
    "timely_acceptance",
    "on_time_closure",
    "closure_rate",
    "rework_rate",
    "satisfaction",
    "repeat_calls",
    "supervisions",
    "supervisions_red",
]


def province_sized(categories: int = 9, indicators: int = 133) -> dict[str, Any]:
    """``indicators`` over ``categories``: every source, filter, scale and normalisation."""
    cats: list[dict[str, Any]] = [
        {"id": f"c{c}", "zh": f"类别{c}", "weight": 1 + c % 4, "indicator": []}
        for c in range(categories)
    ]
    sources = itertools.cycle(SOURCES)
    for i in range(indicators):
        source = next(sources)
        direction = "lower_is_better" if i % 2 else "higher_is_better"
        item: dict[str, Any] = {
            "id": f"i{i}",
            "zh": f"指标{i}",
            "source": source,
            "weight": 1 + i % 5,
            "direction": direction,
        }
        if source == "orders":
            item["categories"] = [CODES[i % len(CODES)]]
            if i % 4 == 1:
                item["urgency"] = ["urgent", "critical"]
            if i % 5 == 2:
                item["dispute"] = True
        if source in ("orders", "intake", "supervisions") and i % 3 == 0:
            item["scale"] = "per_1000_orders"
        if source in ("on_time_closure", "satisfaction") and i % 2 == 0:
            item["normalise"], item["band"] = "band", [50, 95]
        cats[i % categories]["indicator"].append(item)
    return {"index": {"name": "省级平安指数(模拟)"}, "category": cats}


def median_of(runs: int, fn: Callable[[], Any]) -> float:
    fn()  # warm the file cache and the imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from core.analytics import compute
    from core.analytics.safety import compute_safety
    from core.analytics.safety_config import load_safety, parse_safety
    from core.storage.db import read_tx
    from core.storage.schema import orders
    from core.store import open_store

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", action="append", required=True, help="database URL (repeatable)")
    p.add_argument("--period", default=None, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    configs = {
        "shipped": load_safety(),
        "9 categories / 133 indicators": parse_safety(province_sized(), "province_sized"),
    }
    rows: list[tuple[str, int, str, str, int, float, float, float]] = []
    for url in args.db:
        store = open_store(url)
        engine, now = store.engine, store.clock.now()
        with read_tx(engine) as conn:
            count = int(conn.execute(select(func.count()).select_from(orders)).scalar_one())
        for by in ("grid", "town"):
            rep = compute(engine, period=args.period, by=by, as_of=now)
            alone = median_of(
                args.runs, partial(compute, engine, period=args.period, by=by, as_of=now)
            )
            for name, cfg in configs.items():
                safety = partial(compute_safety, engine, by=by, config=cfg, as_of=now)
                given = median_of(args.runs, partial(safety, report=rep))
                whole = median_of(args.runs, partial(safety, period=args.period))
                rows.append((url, count, by, name, len(cfg.indicators), alone, given, whole))
        store.engine.dispose()
    print(f"\nsafety index, in process, median of {args.runs} runs")
    print(f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)\n")
    print("| database | orders | by | configuration | indicators | report s | index s "
          "(given the report) | index s (whole) |")  # fmt: skip
    print("|---|---:|---|---|---:|---:|---:|---:|")
    for url, count, by, name, n, alone, given, whole in rows:
        print(f"| {url} | {count:,} | {by} | {name} | {n} | {alone:.2f} | {given:.3f} | "
              f"{whole:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
