"""The early-warning rules' run (core.warning), as the service's job does it, on an existing
database: the first run after a restart (24 hours of new orders), a steady run (the last
minute's new orders: what the job sees every 60 s), and a 7-day look-back, with the time
of each rule. Dry runs: the database is not changed.

    python -m bench.bench_warning --db URL [--runs N]

Build a big county first with ``python -m bench.big_county``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

from sqlalchemy import func, select


def main(argv: list[str] | None = None) -> int:
    from core.service import OrderService
    from core.storage.schema import orders, time_limits
    from core.store import open_store
    from core.warning.config import load_rules
    from core.warning.run import CheckReport, check

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True)
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args(argv)
    store = open_store(args.db)
    svc = OrderService(store)
    rules = load_rules()
    with store.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(orders)).scalar_one()
        open_limits = conn.execute(
            select(func.count()).select_from(time_limits).where(time_limits.c.ended_at.is_(None))
        ).scalar_one()
    print(f"{store.url}: {n:,} orders, {open_limits:,} open limits")
    print("| run | new orders | ms | " + " | ".join(_STEPS) + " |")
    print("|---|---:|---:|" + "---:|" * len(_STEPS))

    def timed(label: str, look_back: timedelta, runs: int = 1) -> None:
        took: list[float] = []
        report: CheckReport | None = None
        for _ in range(runs):
            now = store.clock.now()
            began = time.perf_counter()
            report = check(svc, rules, now=now, since=now - look_back, apply=False)
            took.append(time.perf_counter() - began)
        assert report is not None
        steps = " | ".join(f"{report.seconds.get(s, 0.0) * 1000:.1f}" for s in _STEPS)
        ms = statistics.median(took) * 1000
        print(f"| {label} | {report.new_orders} | {ms:.1f} | {steps} |")

    timed("first run after a restart (24 h)", timedelta(hours=24))
    timed(f"steady run (1 min), median of {args.runs}", timedelta(minutes=1), args.runs)
    timed("7-day look-back", timedelta(days=7))
    store.engine.dispose()
    return 0


_STEPS = ("new_orders", "cluster", "repeat_caller", "sensitive_words", "surge", "near_breach")

if __name__ == "__main__":
    sys.exit(main())
